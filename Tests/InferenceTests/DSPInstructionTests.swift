import FixedPoint
import Testing

@testable import Inference

// The plain-Swift definitions of the Cortex-M4 DSP instructions the M4 kernel paths
// use, against an independent per-lane oracle written from the ARMv7-M Architecture
// Reference Manual's pseudocode (lanes as [Int16] / [Int8] arrays, not bit tricks);
// and the SMULL requantization against the scalar TFLM function. On the device the
// real instructions run, and `make -C Firmware test` compares whole models with
// live TFLM.

private func lanes(_ x: UInt32) -> [Int32] {
  [Int32(Int16(truncatingIfNeeded: x)), Int32(Int16(truncatingIfNeeded: x >> 16))]
}

private func bytes(_ x: UInt32) -> [Int32] {
  (0..<4).map { Int32(Int8(truncatingIfNeeded: x >> (8 * UInt32($0)))) }
}

private func word(_ low: Int32, _ high: Int32) -> UInt32 {
  UInt32(UInt16(truncatingIfNeeded: low)) | UInt32(UInt16(truncatingIfNeeded: high)) << 16
}

@Suite struct DSPInstructionTests {
  @Test func instructionsMatchTheManualLaneByLane() {
    var g = SplitMix64(seed: 0xD5B_0001)
    let edges: [UInt32] = [0, 1, 0xFFFF_FFFF, 0x8000_8000, 0x7FFF_7FFF, 0x0080_0080, 0x7F80_807F]
    for trial in 0..<20_000 {
      let x = trial < edges.count ? edges[trial] : UInt32(truncatingIfNeeded: g.next())
      let y = UInt32(truncatingIfNeeded: g.next())
      let acc = Int32(truncatingIfNeeded: g.next())
      let (lx, ly) = (lanes(x), lanes(y))
      #expect(smlad(x, y, acc) == acc &+ lx[0] &* ly[0] &+ lx[1] &* ly[1])
      #expect(smlabb(x, y, acc) == acc &+ lx[0] &* ly[0])
      #expect(smlatt(x, y, acc) == acc &+ lx[1] &* ly[1])
      let b = bytes(x)
      #expect(sxtb16(x) == word(b[0], b[2]))
      #expect(sxtb16(rotatedRight8(x)) == word(b[1], b[3]))
      #expect(sxtab16(y, x) == word(ly[0] &+ b[0], ly[1] &+ b[2]))
    }
    #expect(smlad(0x0002_0003, 0xFFFF_0004, 10) == 20)
    #expect(sxtb16(0x11FF_2280) == 0xFFFF_FF80)
  }

  @Test func quadOrderIsAPermutationThatPairsWithSXTB16() {
    for count in [1, 3, 4, 5, 8, 40, 41, 64] {
      let places = (0..<count).map { quadIndex($0, count: count) }
      #expect(Set(places).count == count && places.allSatisfy { $0 < count }, "count \(count)")
    }
    // Weights w0 w1 w2 w3 against a patch x0 x1 x2 x3 stored in quad order.
    let x: [Int16] = [10, -20, 30, -40]
    var patch = [Int16](repeating: 0, count: 4)
    for k in 0..<4 { patch[quadIndex(k, count: 4)] = x[k] }
    let w: UInt32 = 0xFC03_FE01  // bytes 1, -2, 3, -4
    let sum = smlad(
      word(Int32(patch[2]), Int32(patch[3])), sxtb16(rotatedRight8(w)),
      smlad(word(Int32(patch[0]), Int32(patch[1])), sxtb16(w), 0))
    #expect(sum == 10 * 1 + -20 * -2 + 30 * 3 + -40 * -4)
  }

  @Test func requantizeSMULLEqualsTheScalarFunction() {
    var g = SplitMix64(seed: 0xD5B_0002)
    var mismatches = 0
    let edges: [Int32] = [0, 1, -1, .max, .min, .max - 1, .min + 1, 1 << 30, -(1 << 30)]
    for trial in 0..<50_000 {
      let acc =
        trial % 3 == 0
        ? edges[Int.random(in: 0..<edges.count, using: &g)]
        : Int32(truncatingIfNeeded: g.next() >> UInt64.random(in: 32...63, using: &g))
          &* (Bool.random(using: &g) ? 1 : -1)
      // Real multipliers from 2^-33 (flushed to 0) to 2^31, as prepare makes them.
      let real =
        Double(sign: .plus, exponent: Int.random(in: -33...30, using: &g), significand: 1)
        * Double.random(in: 1..<2, using: &g)
      let q = quantizeMultiplier(real)
      let offset = Int32.random(in: -128...127, using: &g)
      let fast = requantizeSMULL(
        acc, multiplier: q.multiplier, shift: q.shift, outputOffset: offset, min: -128, max: 127)
      let plain = requantize(
        acc, multiplier: q.multiplier, shift: q.shift, outputOffset: offset, min: -128, max: 127)
      if fast != plain {
        if mismatches < 5 {
          print("acc \(acc) m \(q.multiplier) s \(q.shift): \(fast) vs \(plain)")
        }
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }
}
