// Integer square root and fixed-point log2 for the MFCC front end: the two non-linear
// steps of the per-frame path (|X| and log mel), integer-only.
import FixedPoint

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
      let value = TableMath.log(1 + Double(i) / Double(size)) / MFCCMath.ln2
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
    let y =
      y0 &+ (((y1 &- y0) &* position &+ (1 &<< Int64(segmentBits - 1))) &>> Int64(segmentBits))
    let dropBits = Int64(Self.tableFractionBits - Self.outputFractionBits)
    let fraction = (y &+ (1 &<< (dropBits &- 1))) &>> dropBits
    return Int32(truncatingIfNeeded: Int64(msb) &<< Int64(Self.outputFractionBits) &+ fraction)
  }
}

/// Integer square root rounded to nearest: `MFCCSquareRoot.rounded(10) == 3`,
/// `MFCCSquareRoot.rounded(12) == 3`, `MFCCSquareRoot.rounded(13) == 4` (sqrt 13 = 3.61).
///
/// Exact for every UInt64. Below 2^62 (all the MFCC needs: |2X|^2 <= 2^62) a single-
/// precision square root of the top 24 bits gives the root to ~1e-7, one Newton step in
/// float brings it within 1, and integer squares settle the last unit exactly: about 50
/// instructions on a Cortex-M4F (VSQRT), against ~400 for the digit-by-digit method, which
/// remains for the top of the range.
enum MFCCSquareRoot {
  static func rounded(_ x: UInt64) -> UInt64 {
    guard x < (1 << 62) else { return digitByDigit(x) }
    let floor = floorRoot(x)
    // x = floor^2 + remainder; sqrt(x) >= floor + 1/2 iff remainder > floor (x is an
    // integer and (floor + 1/2)^2 = floor^2 + floor + 1/4).
    return x &- floor &* floor > floor ? floor &+ 1 : floor
  }

  /// floor(sqrt(x)) for x < 2^62. Integers become floats by writing their bits into a
  /// float's significand (`floatFromBits`): the compiler otherwise widens these
  /// conversions to 64-bit ones, which are library calls on the M4. (`.magnitude` before
  /// the root tells it the argument is not negative, so no libm `sqrtf` fallback is kept.)
  @inline(__always)
  static func floorRoot(_ x: UInt64) -> UInt64 {
    var r: UInt64
    if x < (1 << 22) {
      // Exact in Float; sqrtf is correctly rounded, so only the truncation can be off.
      r = UInt64(UInt32(floatFromBits(UInt32(truncatingIfNeeded: x)).magnitude.squareRoot()))
    } else {
      // Even shift so the top 22-23 bits fit the significand exactly; their root, scaled
      // back by 2^(shift/2) <= 2^20, is within ~2^-22 of sqrt(x).
      let length = 64 - x.leadingZeroBitCount
      let shift = (length - 22) & ~1
      let top = UInt32(truncatingIfNeeded: x &>> UInt64(shift))
      let root = floatFromBits(top).magnitude.squareRoot() * powerOfTwo(shift / 2)
      r = UInt64(UInt32(root))
      // One Newton step, r + (x - r^2) / 2r, in float; the error (< 2^42) is cut to 21
      // bits first, which moves the step by a fraction of a unit at most.
      let error = Int64(bitPattern: x &- r &* r)
      let drop = max(0, (64 - error.magnitude.leadingZeroBitCount) - 21)
      let errorF =
        floatFromBits(signed: Int32(truncatingIfNeeded: error &>> Int64(drop))) * powerOfTwo(drop)
      let step = errorF / (2 * root)
      // Rounded half away from zero by hand (Float.rounded() is a libm call on the M4).
      r = UInt64(
        bitPattern: Int64(bitPattern: r) &+ Int64(Int32(step >= 0 ? step + 0.5 : step - 0.5)))
    }
    while r &* r > x { r &-= 1 }
    while (r &+ 1) &* (r &+ 1) <= x { r &+= 1 }
    return r
  }

  /// v as a Float, for v < 2^23: 2^23 + v has v as its significand bits.
  @inline(__always)
  static func floatFromBits(_ v: UInt32) -> Float {
    Float(bitPattern: 0x4B00_0000 | v) - 8_388_608
  }

  /// v as a Float, for |v| < 2^22: 1.5 * 2^23 + v, then minus 1.5 * 2^23.
  @inline(__always)
  static func floatFromBits(signed v: Int32) -> Float {
    Float(bitPattern: UInt32(bitPattern: 0x4B40_0000 &+ v)) - 12_582_912
  }

  /// 2^e for 0 <= e < 128, from the exponent bits.
  @inline(__always)
  static func powerOfTwo(_ e: Int) -> Float {
    Float(bitPattern: UInt32(truncatingIfNeeded: 127 + e) << 23)
  }

  /// Rounded root by the digit-by-digit method (two bits of x per result bit), any x.
  static func digitByDigit(_ x: UInt64) -> UInt64 {
    var remainder = x
    var root: UInt64 = 0
    // Start at the highest power of four <= x (x >= 2^62 here, or any non-zero x).
    var bit: UInt64 = 1 << UInt64((63 - max(x, 1).leadingZeroBitCount) & ~1)
    while bit != 0 {
      let trial = root &+ bit
      if remainder >= trial {
        remainder &-= trial
        root = (root &>> 1) &+ bit
      } else {
        root &>>= 1
      }
      bit &>>= 2
    }
    return remainder > root ? root &+ 1 : root
  }
}
