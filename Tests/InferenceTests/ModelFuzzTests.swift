// Corrupt models must give an error or a valid model, never a crash or an
// out-of-bounds read: thousands of random truncations and byte flips of the real
// models go through the reader, the interpreter's prepare, and (when those accept
// the model) a few invocations.
import Foundation
import Host
import Inference
import Testing
import TestSupport

@Suite struct ModelFuzzTests {
  struct Outcome {
    var readErrors = 0
    var prepareErrors = 0
    var ran = 0
  }

  /// Reads, prepares and runs one candidate; returns which stage stopped it.
  static func attempt(_ bytes: [UInt8], _ outcome: inout Outcome, _ rng: inout SplitMix64) {
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { storage.deallocate() }
    bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
    let view = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<bytes.count])
    let model: Model
    do {
      model = try Model(bytes: view)
    } catch {
      outcome.readErrors += 1
      return
    }
    do {
      let need = try Interpreter.arenaBytesRequired(for: model)
      // A flipped dimension can ask for a lot; anything past 16 MB is not a
      // keyword-spotting model and is skipped, not allocated.
      guard need < 16 << 20 else {
        outcome.prepareErrors += 1
        return
      }
      let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(need, 16), alignment: 16)
      defer { arena.deallocate() }
      let interpreter = try Interpreter(model: model, arena: arena)
      for _ in 0..<3 {
        for i in 0..<interpreter.inputCount {
          let t = interpreter.input(i)
          for b in 0..<t.byteCount { t.data.storeBytes(of: UInt8(truncatingIfNeeded: rng.next()), toByteOffset: b, as: UInt8.self) }
        }
        try interpreter.invoke()
      }
      outcome.ran += 1
    } catch {
      outcome.prepareErrors += 1
    }
  }

  @Test(arguments: Fixtures.wakeWordNames)
  func corruptModelsNeverCrash(name: String) throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Fixtures.wakeWordModel(name))))
    var rng = SplitMix64(seed: 0xF022 + UInt64(original.count))
    var outcome = Outcome()
    Self.attempt(original, &outcome, &rng)
    #expect(outcome.ran == 1, "the unmodified model must run")

    // KWS_FUZZ_TRIALS / KWS_FUZZ_SEED scale a one-off deeper run; the defaults
    // keep `make test` quick.
    let environment = ProcessInfo.processInfo.environment
    let trials = environment["KWS_FUZZ_TRIALS"].flatMap(Int.init) ?? 1500
    rng = SplitMix64(seed: rng.state ^ (environment["KWS_FUZZ_SEED"].flatMap(UInt64.init) ?? 0))
    for trial in 0..<trials {
      var bytes = original
      if trial % 3 == 0 {
        // Truncation anywhere, often inside the header and tables at the ends.
        let cut = Int(rng.next() % UInt64(original.count))
        bytes.removeLast(original.count - cut)
      } else {
        // 1-8 random bytes replaced; half of them in the first and last 4 KB, where
        // the FlatBuffer tables and vtables sit, the rest anywhere (weights).
        let flips = 1 + Int(rng.next() % 8)
        for _ in 0..<flips {
          let region = Int(rng.next() % 3)
          let at: Int
          switch region {
          case 0: at = Int(rng.next() % UInt64(min(4096, bytes.count)))
          case 1: at = bytes.count - 1 - Int(rng.next() % UInt64(min(4096, bytes.count)))
          default: at = Int(rng.next() % UInt64(bytes.count))
          }
          bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        }
      }
      Self.attempt(bytes, &outcome, &rng)
    }
    // Both outcomes must occur, or the mutations are not reaching the structure.
    #expect(outcome.readErrors + outcome.prepareErrors > trials / 10)
    #expect(outcome.ran > 1)
    print("\(name): \(trials) corrupt variants: \(outcome.readErrors) read errors, "
      + "\(outcome.prepareErrors) prepare errors, \(outcome.ran - 1) ran")
  }

  /// A truncated file names what it was reading and the byte offset.
  @Test func truncationErrorNamesOffset() throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Fixtures.wakeWordModel("okay_nabu"))))
    #expect {
      _ = try ModelFile(bytes: Array(original[0..<6]))
    } throws: { error in
      "\(error)".contains("needs") && "\(error)".contains("byte offset 0") && "\(error)".contains("6 bytes")
    }
    for cut in [100, 1000, original.count / 2, original.count - 1] {
      #expect(throws: ModelFileError.self) { _ = try ModelFile(bytes: Array(original[0..<cut])) }
    }
  }
}
