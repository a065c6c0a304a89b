// Integer logarithms: log2 by a 128-segment correction table, then
// ln by one fixed-point multiply. The arithmetic is that of the TFLM microfrontend's
// log_scale.c (after "Log10-spl07", INTI), so the front end's features match it bit
// for bit; it has no other dependency and fits any integer-only stage.

/// Fixed-point logarithms of `UInt32` values, results in Q16 (16 fraction bits).
public enum FixedPointLog {
  /// Fraction bits of every result (and of the correction table): Q16.
  public static let fractionBits = 16
  /// log2 of the segment count: the mantissa's top 7 fraction bits pick a segment.
  public static let segmentBits = 7
  /// ln(2) in Q16, rounded: 0.693147 * 65536 = 45426.09.
  public static let ln2Q16: UInt32 = 45426

  /// `correction[k] = round(65536 * (log2(1 + k/128) - k/128))` for k = 0...128:
  /// how far log2 bends above the straight line through its segment ends, in Q16.
  /// (Regenerate with that formula; a test checks every entry against it and
  /// against the reference library.)
  @usableFromInline
  static let correction: [UInt16] = [
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163,
    2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
    3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
    5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
    5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
    5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
    4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
    3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
    2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963, 830, 695, 559, 421, 282, 142, 0,
  ]

  /// log2(x) in Q16 for x >= 1: the integer part is the top bit's position, the
  /// fraction is the mantissa plus its segment's correction.
  ///
  /// The reference scales the in-segment interpolation term by 2^-16 where 2^-9 would
  /// interpolate, so that term is only 0 or +-1 and the correction is in effect
  /// piecewise constant: the result is up to 0.0035 below log2(x) (exact at powers of
  /// two). Kept as is, because the features are defined by it.
  ///
  ///     FixedPointLog.log2(1)     // 0
  ///     FixedPointLog.log2(2)     // 65536   (1.0)
  ///     FixedPointLog.log2(3)     // 103872  (1.584963 * 65536 = 103872.1)
  ///     FixedPointLog.log2(1000)  // 653118  (9.965784 * 65536 = 653117.6)
  ///
  /// - Precondition: x >= 1 (the front end only asks for x > 1).
  @inlinable
  public static func log2(_ x: UInt32) -> UInt32 {
    let integerPart = UInt32(x.significantBitCount &- 1)
    return (integerPart << UInt32(fractionBits)) &+ log2Fraction(x, integerPart: Int(integerPart))
  }

  /// ln(x) in Q16, rounded to nearest: `(ln2 * log2(x) + 1/2) >> 16`.
  ///
  ///     FixedPointLog.naturalLog(2)     // 45426  (0.693147 * 65536 = 45426.09)
  ///     FixedPointLog.naturalLog(1000)  // 452706 (6.907755 * 65536 = 452706.6)
  @inlinable
  public static func naturalLog(_ x: UInt32) -> UInt32 {
    let half: UInt64 = 1 << (fractionBits - 1)
    return UInt32(
      truncatingIfNeeded: (UInt64(ln2Q16) &* UInt64(log2(x)) &+ half) >> UInt64(fractionBits))
  }

  /// The Q16 fraction of log2(x), given the integer part (x's top bit position).
  @inlinable
  static func log2Fraction(_ x: UInt32, integerPart: Int) -> UInt32 {
    // The mantissa below the top bit, aligned to Q16 (shift up or down).
    var mantissa = Int32(truncatingIfNeeded: Int64(x) &- (Int64(1) << Int64(integerPart)))
    if integerPart < fractionBits {
      mantissa <<= Int32(fractionBits &- integerPart)
    } else {
      mantissa >>= Int32(integerPart &- fractionBits)
    }
    let segment = Int(mantissa >> Int32(fractionBits &- segmentBits))
    let segmentWidth = Int32((1 << fractionBits) >> segmentBits)  // 512 in Q16
    let (c0, c1) = correction.withUnsafeBufferPointer { table in
      (Int32(table[segment]), Int32(table[segment &+ 1]))
    }
    let intoSegment = mantissa &- segmentWidth &* Int32(segment)
    let interpolated = ((c1 &- c0) &* intoSegment) >> Int32(fractionBits)
    return UInt32(bitPattern: mantissa &+ c0 &+ interpolated)
  }
}
