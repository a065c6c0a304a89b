// The memory planner on its own, and the interpreter's refusals.
import Foundation
import Host
import Inference
import Testing
import TestSupport

@Suite struct MemoryPlannerTests {
  @Test func reusesBytesOfBuffersThatAreNotAliveTogether() {
    var buffers = [
      PlannedBuffer(size: 100, alignment: 4, first: 0, last: 1),
      PlannedBuffer(size: 100, alignment: 4, first: 2, last: 3),
      PlannedBuffer(size: 40, alignment: 4, first: 1, last: 2),
    ]
    #expect(planMemory(&buffers) == 140)
    #expect(buffers[0].offset == buffers[1].offset)
    #expect(buffers[2].offset == 100)
  }

  @Test func fillsGapsAndRespectsAlignment() {
    var buffers = [
      PlannedBuffer(size: 64, alignment: 4, first: 0, last: 9),
      PlannedBuffer(size: 64, alignment: 4, first: 0, last: 0),
      PlannedBuffer(size: 3, alignment: 4, first: 0, last: 9),
      PlannedBuffer(size: 8, alignment: 8, first: 5, last: 6),
    ]
    let total = planMemory(&buffers)
    for b in buffers { #expect(b.offset % b.alignment == 0) }
    // The 8-byte buffer lives after the second 64-byte one dies: it reuses its bytes.
    #expect(buffers[3].offset == buffers[1].offset)
    #expect(total == 64 + 64 + 3)
  }

  /// Random lifetimes: no two buffers alive at the same step may overlap in bytes,
  /// and the plan never needs more than the sum of all sizes.
  @Test func neverOverlapsLiveBuffers() {
    var rng = SplitMix64(seed: 99)
    for _ in 0..<200 {
      var buffers: [PlannedBuffer] = []
      for _ in 0..<(1 + Int(rng.next() % 40)) {
        let first = Int(rng.next() % 30)
        buffers.append(
          PlannedBuffer(
            size: 1 + Int(rng.next() % 500), alignment: [1, 4, 8][Int(rng.next() % 3)], first: first,
            last: first + Int(rng.next() % 10)))
      }
      let total = planMemory(&buffers)
      #expect(total <= buffers.reduce(0) { $0 + $1.size + 7 })
      for i in buffers.indices {
        #expect(buffers[i].offset + buffers[i].size <= total)
        for j in buffers.indices where j > i {
          let a = buffers[i], b = buffers[j]
          let together = a.first <= b.last && b.first <= a.last
          let overlap = a.offset < b.offset + b.size && b.offset < a.offset + a.size
          #expect(!(together && overlap), "buffers \(i) and \(j) share bytes while both alive")
        }
      }
    }
  }
}

@Suite struct InterpreterErrorTests {
  /// An operator without a kernel is refused when the interpreter is built, with
  /// its name or code, node index and subgraph.
  @Test func unsupportedOperatorIsNamedWithItsNode() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let json = """
      {"op": "LOG", "tensors": [{"shape": [4], "type": "float32"}, {"shape": [4], "type": "float32"}],
       "inputs": [0], "outputs": [1], "graph_inputs": [0]}
      """
    let path = try Fixtures.opModel(json, in: dir, name: "log")
    let file = try ModelFile(path: path)
    #expect {
      _ = try Interpreter.arenaBytesRequired(for: file.model)
    } throws: { error in
      let text = "\(error)"
      return text.contains("unsupported") && text.contains("builtin code 73") && text.contains("node 0 of subgraph 0")
    }
  }

  @Test func arenaTooSmallAndMisalignedAreRefused() throws {
    let file = try ModelFile(path: try Fixtures.wakeWordModel("okay_nabu"))
    let need = try Interpreter.arenaBytesRequired(for: file.model)
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: need + 16, alignment: 16)
    defer { arena.deallocate() }
    #expect {
      _ = try Interpreter(model: file.model, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(need - 1)]))
    } throws: { error in
      "\(error)".contains("needs \(need) bytes")
    }
    #expect {
      _ = try Interpreter(model: file.model, arena: UnsafeMutableRawBufferPointer(rebasing: arena[1..<(need + 1)]))
    } throws: { error in
      "\(error)".contains("aligned")
    }
    // Exactly the planned size is enough.
    _ = try Interpreter(model: file.model, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<need]))
  }
}
