import FixedPoint
import Testing

@testable import Inference

// The plain-Swift definitions of the Cortex-M4 DSP instructions the M4 kernel paths
// use, against an independent per-lane oracle written from the ARMv7-M Architecture
// Reference Manual's pseudocode (lanes as [Int16] / [Int8] arrays, not bit tricks);
// and the folded requantization (`ChannelRounding`) against the scalar TFLM function. On the device the
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

  @Test func channelRoundingEqualsTheScalarFunction() {
    var g = SplitMix64(seed: 0xD5B_0002)
    var mismatches = 0
    var folded = 0
    var exactHalves = 0
    let edges: [Int32] = [0, 1, -1, .max, .min, .max - 1, .min + 1, 1 << 30, -(1 << 30)]
    for trial in 0..<60_000 {
      // Real multipliers from 2^-33 (flushed to 0) to 2^31, as prepare makes them.
      let real =
        Double(sign: .plus, exponent: Int.random(in: -33...30, using: &g), significand: 1)
        * Double.random(in: 1..<2, using: &g)
      let q = quantizeMultiplier(real)
      let right = -q.shift
      var acc: Int32
      switch trial % 4 {
      case 0: acc = edges[Int.random(in: 0..<edges.count, using: &g)]
      case 1 where right >= 1 && right <= 30:
        // Sums whose doubling high product sits exactly on a half of the final
        // shift, both signs: the round-half-away-from-zero cases.
        let k = Int64(min(1000, 1 << max(0, 29 - right)))
        let high =
          (Int64.random(in: -k...k, using: &g) << Int64(right)) + (Int64(1) << Int64(right - 1))
        // The smallest sum whose doubling high product is `high` (m < 2^31, so it is
        // the first of its 2^31-wide bucket): ceil((high * 2^31 - 2^30) / m).
        let target = (high << 31) - (Int64(1) << 30)
        let m = Int64(max(q.multiplier, 1))
        acc = Int32(clamping: target > 0 ? (target + m - 1) / m : target / m)
        exactHalves += 1
      default:
        acc =
          Int32(truncatingIfNeeded: g.next() >> UInt64.random(in: 32...63, using: &g))
          &* (Bool.random(using: &g) ? 1 : -1)
      }
      let offset = Int32.random(in: -128...127, using: &g)
      let (low, high) =
        Bool.random(using: &g)
        ? (Int32(-128), Int32(127))
        : (Int32.random(in: -128...0, using: &g), Int32.random(in: 0...127, using: &g))
      let plain = requantize(
        acc, multiplier: q.multiplier, shift: q.shift, outputOffset: offset, min: low, max: high)
      guard let r = ChannelRounding(multiplier: q.multiplier, shift: q.shift, outputOffset: offset)
      else {
        // Only multipliers of 0.5 and more, or below 2^-23, stay unfolded.
        #expect(q.multiplier != 0 && (q.shift >= 0 || q.shift < -ChannelRounding.maximumRightShift))
        continue
      }
      folded += 1
      let fast = r.requantize(acc, min: low, max: high)
      if fast != plain {
        if mismatches < 5 {
          print("acc \(acc) m \(q.multiplier) s \(q.shift) z \(offset): \(fast) vs \(plain)")
        }
        mismatches += 1
      }
    }
    // Exponents -24...-1 of the 64 drawn fold: about 37 %.
    #expect(folded > 18_000)
    #expect(exactHalves > 5_000)
    #expect(mismatches == 0)
  }

  @Test func channelRoundingFoldsTheDocumentedExample() {
    let r = ChannelRounding(multiplier: 1 << 30, shift: -1, outputOffset: 1)
    #expect(r?.requantize(10, min: -128, max: 127) == 4)
    #expect(r?.requantize(-10, min: -128, max: 127) == -2)
    // Multipliers of 0.5 and more keep the generic paths.
    #expect(ChannelRounding(multiplier: 1 << 30, shift: 0, outputOffset: 0) == nil)
  }
}
