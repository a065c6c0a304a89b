// Requantization as the Cortex-M4 paths run it: TFLM's two roundings
// (`MultiplyByQuantizedMultiplier`: doubling high multiply, then a rounding right
// shift) and the output zero point folded at prepare into one 64-bit term per output
// channel, so that an output costs one SMLAL, a sign fix-up and one shift, with four
// words per channel read from a table instead of seven values kept in registers.
//
// Why it gives the same integers. A channel with multiplier m > 0 and shift -r
// (1 <= r, no left shift), for the int32 sum x, computes in TFLM
//   high = floor((x * m + 2^30) / 2^31)                     doubling high multiply
//   q    = high / 2^r, halves rounded away from zero
//        = floor((high + 2^(r-1) - n) / 2^r),  n = 1 when high < 0, else 0
// and floor((floor(a / b) + c) / d) = floor((a + c * b) / (b * d)) for integer c and
// positive b, d, so with z the output zero point
//   q + z = floor((x * m + T - n * 2^31) / 2^(31+r)),  T = 2^30 + 2^(30+r) + z * 2^(31+r).
// n may be read from x instead of high (m > 0): high < 0 needs x < 0, and where
// x < 0 but high = 0 both choices give q = 0. The division by 2^(31+r) is the high
// word of the 64-bit sum shifted right by r - 1. Everything fits: |x * m| < 2^62 and,
// with r <= 23, |T| < 2^62 - 2^61 too, so the sum stays inside int64.
//
// Channels outside these bounds (shift >= 0, i.e. real multipliers of 0.5 and more,
// or below 2^-23) get no table: such a layer keeps plain multiplier and shift arrays,
// and the M4 paths hand it to the generic ones; a multiplier of 0 (a flushed, tiny
// scale) becomes r = 1 (any r gives q = 0).
//
// A folded layer keeps this table alone (16 B per channel, no separate arrays): the
// other paths read the multiplier and shift back from it (`ChannelConstants`).

/// One output channel's requantization folded for the M4 paths: the same bytes as
/// `requantize(acc, multiplier:shift:outputOffset:min:max:)`.
///
///     // quantizeMultiplier(0.25) = (2^30, -1); 10 * 0.25 = 2.5 rounds to 3, + zero point 1
///     ChannelRounding(multiplier: 1 << 30, shift: -1, outputOffset: 1)!
///       .requantize(10, min: -128, max: 127)   // 4
struct ChannelRounding {
  /// The channel's Q31 multiplier (m).
  let multiplier: Int32
  /// T = 2^30 + 2^(30+r) + z * 2^(31+r), as its low and high words.
  let termLow: UInt32
  let termHigh: Int32
  /// r - 1: the final arithmetic shift of the 64-bit sum's high word.
  let shift: Int32

  /// Byte offsets of `multiplier` and `shift` in an entry, for `ChannelConstants`,
  /// which reads the table's multipliers and shifts for the non-M4 paths (the fields
  /// above in declaration order; a test checks them with `MemoryLayout.offset(of:)`).
  static let multiplierOffset = 0
  static let shiftOffset = 12

  /// The largest right shift folded (keeps the term and the sum inside int64).
  static let maximumRightShift: Int32 = 23

  /// nil when the channel cannot be folded (see the file comment).
  init?(multiplier: Int32, shift: Int32, outputOffset: Int32) {
    guard multiplier >= 0, (-128...127).contains(outputOffset) else { return nil }
    // A zero multiplier gives 0 for any r: take r = 1.
    let right = multiplier == 0 ? 1 : -shift
    guard right >= 1, right <= ChannelRounding.maximumRightShift else { return nil }
    let term =
      (Int64(1) << 30) + (Int64(1) << (30 + Int64(right)))
      + Int64(outputOffset) * (Int64(1) << (31 + Int64(right)))
    self.multiplier = multiplier
    termLow = UInt32(truncatingIfNeeded: term)
    termHigh = Int32(truncatingIfNeeded: term >> 32)
    self.shift = right - 1
  }

  /// Requantized `acc` plus the output zero point, before the activation clamp.
  @inline(__always)
  func scaled(_ acc: Int32) -> Int32 {
    // The term minus n * 2^31: (acc >> 31) is -1 for negative sums, else 0, and
    // -2^31 is the word pair (-1, 2^31). Word pairs throughout: Int64 conversions
    // are calls at -Osize in Embedded Swift; these become ADDS, ADC and one SMLAL.
    let sign = acc &>> 31
    let (termLow, lowCarry) = self.termLow.addingReportingOverflow(UInt32(bitPattern: sign) &<< 31)
    let termHigh = self.termHigh &+ sign &+ (lowCarry ? 1 : 0)
    let (productHigh, productLow) = acc.multipliedFullWidth(by: multiplier)
    let carry = productLow.addingReportingOverflow(termLow).overflow
    return arithmeticShiftRight(productHigh &+ termHigh &+ (carry ? 1 : 0), by: shift)
  }

  /// `acc` requantized to int8, clamped to the activation range [min, max].
  @inline(__always)
  func requantize(_ acc: Int32, min: Int32, max: Int32) -> Int8 {
    Int8(truncatingIfNeeded: Swift.min(Swift.max(scaled(acc), min), max))
  }
}
