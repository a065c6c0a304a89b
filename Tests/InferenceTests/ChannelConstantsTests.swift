import FixedPoint
import Testing

@testable import Inference

// Each output channel's requantization constants are stored once: a conv or
// depthwise layer whose every channel folds keeps only the 16-byte `ChannelRounding`
// entries, and the non-M4 paths read multiplier and shift back from them through
// `ChannelConstants`. These tests pin the forms, the read-back and the entry layout
// that read-back relies on; FastPathTests and the live-TFLM model tests cover the
// kernels that use them.

struct ChannelConstantsTests {
  /// Per-channel filter scales spanning folded and unfolded multipliers.
  private func scales(_ n: Int, exponents: ClosedRange<Int>, _ g: inout SplitMix64) -> [Float] {
    (0..<n).map { _ in
      Float(sign: .plus, exponent: Int.random(in: exponents, using: &g), significand: 1)
        * Float.random(in: 1..<2, using: &g)
    }
  }

  @Test func roundingEntryLayoutMatchesTheReadBackOffsets() {
    #expect(
      MemoryLayout<ChannelRounding>.offset(of: \.multiplier) == ChannelRounding.multiplierOffset)
    #expect(MemoryLayout<ChannelRounding>.offset(of: \.shift) == ChannelRounding.shiftOffset)
    #expect(MemoryLayout<ChannelRounding>.stride == 16)
  }

  @Test func foldedLayersKeepOnlyTheTableAndReadBackTFLMConstants() {
    var g = SplitMix64(seed: 0x5EED_00C0)
    var folded = 0
    var plain = 0
    for trial in 0..<400 {
      let channels = Int.random(in: 1...40, using: &g)
      // input 0.5 / output 0.25 doubles the filter scale: exponents -30...-2 give real
      // multipliers from 2^-29 (below 2^-23: unfoldable, some flushed to 0) to about
      // 2^-0 (0.5 and more: unfoldable).
      let filter =
        trial % 2 == 0
        ? scales(channels, exponents: -30...(-2), &g)
        : [scales(1, exponents: -30...(-2), &g)[0]]
      let offset = Int32.random(in: -128...127, using: &g)
      let reference = ChannelMultipliers(
        input: 0.5, filterScales: filter, output: 0.25, channels: channels)
      let c = ChannelMultipliers.folding(
        input: 0.5, filterScales: filter, output: 0.25, channels: channels, outputOffset: offset)
      #expect(c.count == channels)
      let foldable = (0..<channels).allSatisfy {
        ChannelRounding(
          multiplier: reference.multipliers[$0], shift: reference.shifts[$0], outputOffset: offset)
          != nil
      }
      if foldable {
        folded += 1
        #expect(c.multipliers.isEmpty && c.shifts.isEmpty && c.roundings.count == channels)
      } else {
        plain += 1
        #expect(
          c.roundings.isEmpty && c.multipliers.count == channels && c.shifts.count == channels)
      }
      for ch in 0..<channels {
        let m = reference.multipliers[ch]
        #expect(c.multiplier(ch) == m)
        // A folded zero multiplier reads back as shift -1 (any shift gives 0).
        #expect(c.shift(ch) == (foldable && m == 0 ? -1 : reference.shifts[ch]))
      }
    }
    #expect(folded > 50)
    #expect(plain > 50)
  }

  @Test func bothFormsRequantizeAlike() {
    // Every int32 edge and random sums, through `ChannelOutput` over the table and
    // over the plain arrays of the same constants.
    var g = SplitMix64(seed: 0x5EED_00C1)
    var compared = 0
    for _ in 0..<200 {
      let channels = Int.random(in: 1...24, using: &g)
      let filter = scales(channels, exponents: -26...(-3), &g)
      let offset = Int32.random(in: -128...127, using: &g)
      let c = ChannelMultipliers.folding(
        input: 0.5, filterScales: filter, output: 0.25, channels: channels, outputOffset: offset)
      guard !c.roundings.isEmpty else { continue }
      let plain = ChannelMultipliers(
        input: 0.5, filterScales: filter, output: 0.25, channels: channels)
      let range = ActivationRange(min: -128, max: 127)
      c.withOutput(offset: offset, activation: range) { folded in
        plain.withOutput(offset: offset, activation: range) { reference in
          for ch in 0..<channels {
            for acc in [Int32.min, Int32.max, 0, -1, 1, Int32.random(in: .min ... .max, using: &g)]
            {
              #expect(folded.requantize(acc, ch) == reference.requantize(acc, ch))
              #expect(
                c.roundings[ch].requantize(acc, min: -128, max: 127)
                  == reference.requantize(acc, ch))
              compared += 1
            }
          }
        }
      }
    }
    #expect(compared > 5_000)
  }
}
