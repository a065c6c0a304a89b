// Bit-exactness of the int8 kernels against TFLite Micro, on the single-op models of
// Tests/InferenceTests/OpModels: the stored TFLM outputs, the live TFLM interpreter
// on the stored inputs, and the live interpreter on fresh random inputs.
import Foundation
import Inference
import TestSupport
import Testing

@Suite struct KernelVectorTests {
  /// The op families the vectors must cover; a vector set missing one fails.
  static let families = [
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D",
    "SOFTMAX", "LOGISTIC", "ADD", "MUL", "MEAN", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "TANH", "SUB",
    "MAXIMUM", "MINIMUM", "TRANSPOSE",
  ]

  @Test func vectorsCoverEveryOpFamily() throws {
    #expect(KernelVectors.names.count >= 50, "expected the committed vectors in OpModels/")
    var seen = Set<String>()
    for name in KernelVectors.names { seen.insert(try KernelVectors.load(name).op) }
    for family in Self.families {
      #expect(seen.contains(family), "no vector for \(family)")
    }
  }

  @Test(arguments: KernelVectors.names)
  func storedOutputsMatch(name: String) throws {
    let v = try KernelVectors.load(name)
    for (k, c) in v.cases.enumerated() {
      let ours = try KernelVectors.run(v, graphInputs: c.inputs)
      let bad = KernelVectors.mismatches(ours, c.outputs[0])
      #expect(
        bad.isEmpty, "\(name) case \(k): \(bad.count) mismatches\n\(bad.joined(separator: "\n"))")
    }
  }

  /// The stored expectations are what the live TFLM interpreter says today.
  @Test func storedOutputsEqualLiveTFLM() throws {
    var requests: [String: [[[Int]]]] = [:]
    var stored: [String: [[Int]]] = [:]
    for name in KernelVectors.names {
      let v = try KernelVectors.load(name)
      requests[name] = v.cases.map(\.inputs)
      stored[name] = v.cases.map { $0.outputs[0] }
    }
    let live = try KernelVectors.liveTFLM(requests)
    for name in KernelVectors.names {
      let cases = try #require(live[name], "TFLM gave no answer for \(name)")
      for (k, outputs) in cases.enumerated() {
        let bad = KernelVectors.mismatches(stored[name]![k], outputs[0])
        #expect(
          bad.isEmpty, "\(name) case \(k): stored vs live TFLM\n\(bad.joined(separator: "\n"))")
      }
    }
  }

  /// Our kernels against the live TFLM interpreter on inputs never stored anywhere:
  /// uniform int8 noise, all-minimum, all-maximum, and a single spike.
  @Test func freshInputsMatchLiveTFLM() throws {
    var rng = SplitMix64(seed: 0x6B77_7321)
    var requests: [String: [[[Int]]]] = [:]
    var vectors: [String: OpVector] = [:]
    for name in KernelVectors.names {
      let v = try KernelVectors.load(name)
      vectors[name] = v
      let counts = v.graphInputs.map { v.inputs[$0]!.shapeValue.elementCount }
      var cases: [[[Int]]] = []
      for _ in 0..<3 {
        cases.append(counts.map { n in (0..<n).map { _ in Int(rng.next() % 256) - 128 } })
      }
      cases.append(counts.map { [Int](repeating: -128, count: $0) })
      cases.append(counts.map { [Int](repeating: 127, count: $0) })
      cases.append(counts.map { n in (0..<n).map { $0 == n / 2 ? 127 : -128 } })
      requests[name] = cases
    }
    let live = try KernelVectors.liveTFLM(requests)
    var total = 0
    for name in KernelVectors.names {
      let v = vectors[name]!
      let cases = try #require(live[name], "TFLM gave no answer for \(name)")
      for (k, outputs) in cases.enumerated() {
        let ours = try KernelVectors.run(v, graphInputs: requests[name]![k])
        let bad = KernelVectors.mismatches(ours, outputs[0])
        total += ours.count
        #expect(
          bad.isEmpty,
          "\(name) fresh case \(k): \(bad.count) mismatches\n\(bad.joined(separator: "\n"))")
      }
    }
    #expect(total > 10_000)
  }
}

/// A small deterministic generator (SplitMix64) so fresh inputs are reproducible.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
