// Integer square root and fixed-point log2 for the MFCC front end: the two non-linear
// steps of the per-frame path (|X| and log mel), integer-only.

/// Fixed-point log2 by a 257-entry table over the mantissa plus linear interpolation.
///
///     let log2 = MFCCLog2()
///     log2.log2(8)            // 3 << 24 = 50_331_648 (Q24)
///     log2.log2(3)            // 1.5849625 * 2^24 ~ 26_591_258
///
/// Accuracy: the interpolation sags below the concave curve by at most
/// (1/256)^2 / (8 ln 2) = 2.8e-6 (log2 units) between table points; the Q30 table and Q24
/// output add at most 2^-25. Always within 3e-6 of the true log2.
struct MFCCLog2 {
  /// Q-format of the result: log2 in Int32 Q24 (range +-128).
  static let outputFractionBits = 24
  /// The table holds log2(1 + i / 2^tableBits) for i in 0...2^tableBits.
  static let tableBits = 8
  /// Q-format of the table entries: 1.0 = 2^30 (log2(2) = 1 still fits an Int32).
  static let tableFractionBits = 30
  /// Mantissa precision used for the lookup: the fraction below the leading one, Q32.
  private static let mantissaBits = 32

  private let table: [Int32]

  init() {
    let size = 1 << Self.tableBits
    var t = [Int32](repeating: 0, count: size + 1)
    for i in 0...size {
      let value = MFCCMath.ln(1 + Double(i) / Double(size)) / MFCCMath.ln2
      t[i] = Int32(MFCCMath.roundToInt(value * Double(1 << Self.tableFractionBits)))
    }
    table = t
  }

  /// log2(x) in Q24 for x >= 1; x = 0 has no logarithm and returns Int32.min.
  func log2(_ x: UInt64) -> Int32 {
    guard x != 0 else { return Int32.min }
    let msb = 63 - x.leadingZeroBitCount
    // The fraction f in x = 2^msb (1 + f), as Q32 (bits below 2^-32 are dropped: < 2^-32
    // relative, 3e-10 in log2).
    let f: UInt64 =
      msb >= Self.mantissaBits
      ? (x >> UInt64(msb - Self.mantissaBits)) & 0xFFFF_FFFF
      : (x << UInt64(Self.mantissaBits - msb)) & 0xFFFF_FFFF
    let segmentBits = Self.mantissaBits - Self.tableBits
    let index = Int(f >> UInt64(segmentBits))
    let position = Int64(f & ((1 << UInt64(segmentBits)) - 1))  // Q24 within the segment
    let y0 = Int64(table[index])
    let y1 = Int64(table[index + 1])
    // Q30 + ((Q30 delta) * Q24 position) >> 24 -> Q30.
    let y = y0 + (((y1 - y0) * position + (1 << Int64(segmentBits - 1))) >> Int64(segmentBits))
    let dropBits = Int64(Self.tableFractionBits - Self.outputFractionBits)
    let fraction = (y + (1 << (dropBits - 1))) >> dropBits
    return Int32(Int64(msb) << Int64(Self.outputFractionBits) + fraction)
  }
}

/// Integer square root rounded to nearest: `MFCCSquareRoot.rounded(10) == 3`,
/// `MFCCSquareRoot.rounded(12) == 3`, `MFCCSquareRoot.rounded(13) == 4` (sqrt 13 = 3.61).
enum MFCCSquareRoot {
  static func rounded(_ x: UInt64) -> UInt64 {
    // Digit-by-digit (two bits of x per result bit): 32 steps, shifts and adds only.
    var remainder = x
    var root: UInt64 = 0
    guard x != 0 else { return 0 }
    // Start at the highest power of four <= x.
    var bit: UInt64 = 1 << UInt64((63 - x.leadingZeroBitCount) & ~1)
    while bit != 0 {
      if remainder >= root + bit {
        remainder -= root + bit
        root = (root >> 1) + bit
      } else {
        root >>= 1
      }
      bit >>= 2
    }
    // Here x = root^2 + remainder; sqrt(x) >= root + 1/2 iff x > root^2 + root (x is an
    // integer and (root + 1/2)^2 = root^2 + root + 1/4).
    return remainder > root ? root + 1 : root
  }
}
