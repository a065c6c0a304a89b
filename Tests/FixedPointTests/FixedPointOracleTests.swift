// Sources/FixedPoint against an independent oracle: Tests/Reference/fixedpoint_oracle.py
// computes the same functions from their definitions in Python's unbounded integers
// (and math.frexp). Inputs: edge values plus seeded random values.
import FixedPoint
import Foundation
import TestSupport
import Testing

@Suite struct FixedPointOracleTests {
  static let edges: [Int32] = [
    0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, (1 << 15), -(1 << 15), (1 << 30) - 1, 1 << 30,
    -(1 << 30), (1 << 30) + 1, .max, .min, .max - 1, .min + 1,
  ]

  /// Asks the oracle; `requests[name]` is a list of integer argument lists.
  static func oracle(_ requests: [String: [[Int64]]]) throws -> [String: [Any]] {
    let stdin = try JSONSerialization.data(withJSONObject: requests)
    let out = try TestSupport.reference("fixedpoint_oracle.py", [], stdin: stdin)
    return try #require(try JSONSerialization.jsonObject(with: out) as? [String: [Any]])
  }

  static func ints(_ any: Any?) -> [Int64] {
    ((any as? [Any]) ?? []).map { ($0 as? NSNumber)?.int64Value ?? .min }
  }

  @Test func roundingPrimitivesMatchOracle() throws {
    var rng = SplitMix64(seed: 1)
    var pairs: [(Int32, Int32)] = []
    for a in Self.edges { for b in Self.edges { pairs.append((a, b)) } }
    for _ in 0..<3000 { pairs.append((rng.int32(), rng.int32())) }
    // Exact ties of the rounding (a * b = k * 2^31 + 2^30, both signs).
    pairs += [(1 << 15, 1 << 15), (-(1 << 15), 1 << 15), (3 << 14, 1 << 16), (-(3 << 14), 1 << 16)]
    var shifts: [(Int32, Int32)] = []
    for x in Self.edges { for e in 0...31 { shifts.append((x, Int32(e))) } }
    for _ in 0..<3000 { shifts.append((rng.int32(), Int32(rng.next() % 32))) }
    let answer = try Self.oracle([
      "srdhm": pairs.map { [Int64($0.0), Int64($0.1)] },
      "rdbpot": shifts.map { [Int64($0.0), Int64($0.1)] },
    ])
    let srdhm = Self.ints(answer["srdhm"])
    let rdbpot = Self.ints(answer["rdbpot"])
    try #require(srdhm.count == pairs.count && rdbpot.count == shifts.count)
    for (k, (a, b)) in pairs.enumerated() {
      #expect(Int64(saturatingRoundingDoublingHighMul(a, b)) == srdhm[k], "srdhm(\(a), \(b))")
    }
    for (k, (x, e)) in shifts.enumerated() {
      #expect(Int64(roundingDivideByPowerOfTwo(x, e)) == rdbpot[k], "rdbpot(\(x), \(e))")
    }
  }

  @Test func quantizeAndMultiplyMatchOracle() throws {
    var rng = SplitMix64(seed: 2)
    var reals: [Double] = [
      0, 0.5, 1, 2, 3, 0.25, 0.0039, 1e-10, 4.6e-10, 4.66e-10, 2.3e-10, 1 - 1e-12, 0.5 - 1e-17,
      Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, 123_456.789, -0.75,
      Double(Float(0.023525863885879517) * Float(0.04112011566758156)) / 0.8702893853187561,
    ]
    for _ in 0..<2000 {
      // Log-uniform over 2^-40 ... 2^8: the range int8 scales produce and beyond.
      let e = Double(rng.next() % 48) - 40
      reals.append(Double.random(in: 1..<2, using: &rng) * pow(2, e))
    }
    // Values whose significand rounds up to 2^31 (the halving edge case).
    for k in 0..<20 { reals.append((1 - Double(k + 1) * 1e-11) * pow(2, Double(k) - 10)) }
    var triples: [(Int32, Int32, Int32)] = []
    for _ in 0..<4000 {
      let q = quantizeMultiplier(Double.random(in: 1e-6..<4, using: &rng))
      let x = Int32(truncatingIfNeeded: Int64(rng.int32()) >> Int64(rng.next() % 31))
      triples.append((x, q.multiplier, q.shift))
    }
    for x in Self.edges {
      triples.append((x, 1 << 30, 0))
      triples.append((x, .max, -31))
      triples.append((x, 1 << 30, 3))
    }
    let answer = try Self.oracle([
      "quantize": reals.map { [Int64(bitPattern: $0.bitPattern)] },
      "mbqm": triples.map { [Int64($0.0), Int64($0.1), Int64($0.2)] },
    ])
    let quantized = (answer["quantize"] as? [[NSNumber]]) ?? []
    let products = Self.ints(answer["mbqm"])
    try #require(quantized.count == reals.count && products.count == triples.count)
    for (k, real) in reals.enumerated() {
      let q = quantizeMultiplier(real)
      #expect(
        [Int64(q.multiplier), Int64(q.shift)] == quantized[k].map(\.int64Value),
        "quantizeMultiplier(\(real)) = \(q), oracle \(quantized[k])")
    }
    for (k, (x, m, s)) in triples.enumerated() {
      #expect(
        Int64(multiplyByQuantizedMultiplier(x, m, s)) == products[k], "mbqm(\(x), \(m), \(s))")
    }
  }

  @Test func transcendentalsMatchOracle() throws {
    var rng = SplitMix64(seed: 3)
    var exps: [(Int32, Int32)] = []
    for ib: Int32 in [0, 1, 4, 5, 6, 12] {
      for x in Self.edges where x <= 0 { exps.append((x, ib)) }
      for _ in 0..<500 { exps.append((-Int32(truncatingIfNeeded: rng.next() & 0x7FFF_FFFF), ib)) }
    }
    var unit: [Int32] = [0, 1, 1 << 30, .max, .max - 1]
    for _ in 0..<1000 { unit.append(Int32(truncatingIfNeeded: rng.next() & 0x7FFF_FFFF)) }
    var logistics: [(Int32, Int32)] = []
    for ib: Int32 in [0, 4, 5] {
      for x in Self.edges where x != .min { logistics.append((x, ib)) }
      for _ in 0..<800 {
        logistics.append(
          (rng.int32() == 0 ? 1 : Int32(truncatingIfNeeded: Int64(rng.int32()) / 2), ib))
      }
    }
    var reciprocals: [Int32] = [1, 1 << 19, (1 << 19) + 1, 3 << 19, .max]
    for _ in 0..<1000 {
      reciprocals.append(Int32(truncatingIfNeeded: rng.next() & 0x7FFF_FFFF) | 1)
    }
    let answer = try Self.oracle([
      "exp": exps.map { [Int64($0.0), Int64($0.1)] },
      "one_over": unit.map { [Int64($0)] },
      "logistic": logistics.map { [Int64($0.0), Int64($0.1)] },
      "reciprocal": reciprocals.map { [Int64($0), 12] },
    ])
    let e = Self.ints(answer["exp"])
    let o = Self.ints(answer["one_over"])
    let l = Self.ints(answer["logistic"])
    let r = (answer["reciprocal"] as? [[NSNumber]]) ?? []
    try #require(
      e.count == exps.count && o.count == unit.count && l.count == logistics.count
        && r.count == reciprocals.count)
    for (k, (x, ib)) in exps.enumerated() {
      #expect(Int64(expOnNegativeValues(x, integerBits: ib)) == e[k], "exp(\(x), Q\(ib))")
    }
    for (k, x) in unit.enumerated() {
      #expect(Int64(oneOverOnePlusX(x)) == o[k], "oneOverOnePlusX(\(x))")
    }
    for (k, (x, ib)) in logistics.enumerated() {
      #expect(Int64(logistic(x, integerBits: ib)) == l[k], "logistic(\(x), Q\(ib))")
    }
    for (k, x) in reciprocals.enumerated() {
      let ours = reciprocal(x, integerBits: 12)
      #expect(
        [Int64(ours.reciprocal), Int64(ours.bitsOverUnit)] == r[k].map(\.int64Value),
        "reciprocal(\(x))")
    }
  }
}

/// A small deterministic generator (SplitMix64) for reproducible random inputs.
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
  mutating func int32() -> Int32 { Int32(truncatingIfNeeded: next()) }
}

extension FixedPointOracleTests {
  /// gemmlowp's tanh (TFLM int8 TANH) and its (1 - x) / (1 + x) step.
  @Test func tanhMatchesOracle() throws {
    var rng = SplitMix64(seed: 5)
    var tanhs: [(Int32, Int32)] = []
    for ib: Int32 in [0, 3, 4] {
      for x in Self.edges where x != .min { tanhs.append((x, ib)) }
      for _ in 0..<800 { tanhs.append((Int32(truncatingIfNeeded: Int64(rng.int32()) / 2), ib)) }
    }
    var unit: [Int32] = [0, 1, 1 << 30, .max, .max - 1]
    for _ in 0..<1000 { unit.append(Int32(truncatingIfNeeded: rng.next() & 0x7FFF_FFFF)) }
    let answer = try Self.oracle([
      "tanh": tanhs.map { [Int64($0.0), Int64($0.1)] },
      "one_minus_over": unit.map { [Int64($0)] },
    ])
    let t = Self.ints(answer["tanh"])
    let o = Self.ints(answer["one_minus_over"])
    try #require(t.count == tanhs.count && o.count == unit.count)
    for (k, (x, ib)) in tanhs.enumerated() {
      #expect(Int64(FixedPoint.tanh(x, integerBits: ib)) == t[k], "tanh(\(x), Q\(ib))")
    }
    for (k, x) in unit.enumerated() {
      #expect(Int64(oneMinusXOverOnePlusX(x)) == o[k], "oneMinusXOverOnePlusX(\(x))")
    }
  }
}
