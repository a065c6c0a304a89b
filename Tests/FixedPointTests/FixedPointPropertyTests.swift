// Properties of Sources/FixedPoint that follow from the definitions, checked against
// exact integer / Double arithmetic in Swift: no reference program needed.
import FixedPoint
import Foundation
import Testing

@Suite struct FixedPointPropertyTests {
  @Test func workedExamplesFromTheDocs() {
    #expect(roundingDivideByPowerOfTwo(5, 1) == 3)
    #expect(roundingDivideByPowerOfTwo(-5, 1) == -3)
    #expect(roundingDivideByPowerOfTwo(-7, 2) == -2)
    #expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) == 1 << 29)
    #expect(saturatingRoundingDoublingHighMul(.min, .min) == .max)
    // Ties: +0.5 rounds up to 1, -0.5 rounds up to 0.
    #expect(saturatingRoundingDoublingHighMul(1 << 15, 1 << 15) == 1)
    #expect(saturatingRoundingDoublingHighMul(-(1 << 15), 1 << 15) == 0)
    #expect(saturatingRoundingMultiplyByPowerOfTwo(3, 2) == 12)
    #expect(saturatingRoundingMultiplyByPowerOfTwo(1 << 30, 1) == .max)
    #expect(saturatingRoundingMultiplyByPowerOfTwo(-(1 << 30) - 1, 1) == .min)
    #expect(saturatingRoundingMultiplyByPowerOfTwo(6, -2) == 2)
    #expect(roundingHalfSum(3, 4) == 4)
    #expect(roundingHalfSum(-3, -4) == -4)
    #expect(quantizeMultiplier(0.5) == (1 << 30, 0))
    #expect(quantizeMultiplier(3.0) == (1_610_612_736, 2))
    #expect(quantizeMultiplier(0) == (0, 0))
    #expect(quantizeMultiplier(.nan) == (0, 0))
    let quarter = quantizeMultiplier(0.25)
    #expect(multiplyByQuantizedMultiplier(10, quarter.multiplier, quarter.shift) == 3)
    #expect(inputRadius(integerBits: 4, leftShift: 20) == 1920)
    #expect(quantizeMultiplier(0.0039) == (2_144_047_674, -8))
    #expect(expOnNegativeValues(-(1 << 26), integerBits: 5) == 790_015_308)
    #expect(oneOverOnePlusX(1 << 30) == 1_431_655_762)
  }

  @Test func quantizeMultiplierEdgeCases() {
    // A significand that rounds to 2^31 is halved and the exponent bumped.
    let almostOne = 1 - 1e-12
    #expect(quantizeMultiplier(almostOne) == (1 << 30, 1))
    // Below about 2^-32 everything flushes to zero.
    #expect(quantizeMultiplier(0x1p-33) == (0, 0))
    #expect(quantizeMultiplier(0x1p-32) == (1 << 30, -31))
    #expect(quantizeMultiplier(Double.leastNonzeroMagnitude) == (0, 0))
  }

  @Test func quantizeMultiplierIsWithinHalfAStep() {
    var rng = SplitMix64(seed: 11)
    for _ in 0..<20_000 {
      let real = Double.random(in: 1..<2, using: &rng) * pow(2, Double(Int(rng.next() % 60)) - 31)
      let q = quantizeMultiplier(real)
      #expect(q.multiplier >= 1 << 30)
      let value = Double(q.multiplier) * pow(2, Double(q.shift) - 31)
      #expect(abs(value - real) <= pow(2, Double(q.shift) - 32), "\(real) -> \(q)")
    }
  }

  @Test func roundingDivideIsNearestTiesAwayFromZero() {
    var rng = SplitMix64(seed: 12)
    for _ in 0..<50_000 {
      let x = rng.int32()
      let e = Int32(rng.next() % 32)
      let d = Double(x) / pow(2, Double(e))
      let expected = d.rounded(.toNearestOrAwayFromZero)
      #expect(Double(roundingDivideByPowerOfTwo(x, e)) == expected, "\(x) / 2^\(e)")
    }
  }

  @Test func doublingHighMulIsNearestTiesUp() {
    var rng = SplitMix64(seed: 13)
    for _ in 0..<50_000 {
      let a = rng.int32()
      let b = rng.int32()
      if a == .min && b == .min { continue }
      let product = Int64(a) * Int64(b)
      // floor((ab + 2^30) / 2^31) in exact integers.
      let expected = (product + (1 << 30)) >> 31
      #expect(Int64(saturatingRoundingDoublingHighMul(a, b)) == expected)
    }
  }

  @Test func transcendentalsAreAccurate() {
    // exp on Q5.26 inputs in [-32, 0]: absolute error below 1e-6.
    for k in 0...4096 {
      let x = -32.0 * Double(k) / 4096
      let raw = Int32((x * 0x1p26).rounded())
      let ours = Double(expOnNegativeValues(raw, integerBits: 5)) / 0x1p31
      #expect(abs(ours - exp(Double(raw) / 0x1p26)) < 1e-6, "exp(\(x))")
    }
    // logistic on Q4.27 inputs in (-16, 16): absolute error below 1e-6.
    for k in -2000...2000 {
      let raw = Int32(k) * (1 << 15) * 32
      let ours = Double(logistic(raw, integerBits: 4)) / 0x1p31
      let x = Double(raw) / 0x1p27
      #expect(abs(ours - 1 / (1 + exp(-x))) < 1e-6, "logistic(\(x))")
    }
    // tanh on Q4.27 inputs in (-16, 16): absolute error below 1e-6.
    for k in -2000...2000 {
      let raw = Int32(k) * (1 << 15) * 32
      let ours = Double(FixedPoint.tanh(raw, integerBits: 4)) / 0x1p31
      let x = Double(raw) / 0x1p27
      #expect(abs(ours - Foundation.tanh(x)) < 1e-6, "tanh(\(x))")
    }
    // 1/(1+x) on [0, 1).
    for k in 0..<1000 {
      let raw = Int32(k) * 2_147_483
      let ours = Double(oneOverOnePlusX(raw)) / 0x1p31
      #expect(abs(ours - 1 / (1 + Double(raw) / 0x1p31)) < 1e-6)
    }
  }
}
