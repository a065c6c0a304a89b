// Rounding primitives of gemmlowp's fixed-point arithmetic, exactly as TFLite Micro's
// reference kernels use them. Every function is total: inputs outside the documented
// range give a defined (wrapped or clamped) result, never a trap.

/// `x / 2^exponent`, rounded to nearest with ties away from zero (gemmlowp
/// `RoundingDivideByPOT`). `exponent` is 0...31; larger values act as 31.
///
///     roundingDivideByPowerOfTwo(5, 1)    // 3   (2.5 -> 3)
///     roundingDivideByPowerOfTwo(-5, 1)   // -3  (-2.5 -> -3)
///     roundingDivideByPowerOfTwo(-7, 2)   // -2  (-1.75 -> -2)
@inlinable
public func roundingDivideByPowerOfTwo(_ x: Int32, _ exponent: Int32) -> Int32 {
  let e = exponent < 0 ? 0 : (exponent > 31 ? 31 : exponent)
  // The mask is 2^e - 1 computed without overflow (e = 31 gives Int32.max).
  let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(e)) &- 1)
  let remainder = x & mask
  let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
  return (x >> e) &+ (remainder > threshold ? 1 : 0)
}

/// The high 32 bits of `2 * a * b`, i.e. `floor((a * b + 2^30) / 2^31)`: rounded to
/// nearest with ties toward +infinity (the nudge is asymmetric: -0.5 rounds to 0);
/// `Int32.min * Int32.min` saturates to `Int32.max` (gemmlowp
/// `SaturatingRoundingDoublingHighMul`). Read as a product of two Q0.31 numbers it is
/// their Q0.31 product.
///
///     saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)   // 1 << 29  (0.5 * 0.5 = 0.25)
///     saturatingRoundingDoublingHighMul(.min, .min)         // .max
@inlinable
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
  if a == b && a == Int32.min { return Int32.max }
  let product = Int64(a) * Int64(b)
  // With the nudge, the truncating division rounds to nearest (ties toward +infinity).
  let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
  return Int32(truncatingIfNeeded: (product + nudge) / (Int64(1) << 31))
}

/// `x * 2^exponent` with saturation for `exponent > 0`, and
/// `roundingDivideByPowerOfTwo(x, -exponent)` for `exponent <= 0` (gemmlowp
/// `SaturatingRoundingMultiplyByPOT`, and `Rescale` between Q formats).
///
///     saturatingRoundingMultiplyByPowerOfTwo(3, 2)           // 12
///     saturatingRoundingMultiplyByPowerOfTwo(1 << 30, 1)     // Int32.max (saturated)
///     saturatingRoundingMultiplyByPowerOfTwo(6, -2)          // 2  (1.5 -> 2)
@inlinable
public func saturatingRoundingMultiplyByPowerOfTwo(_ x: Int32, _ exponent: Int32) -> Int32 {
  if exponent <= 0 { return roundingDivideByPowerOfTwo(x, -exponent) }
  if exponent >= 31 { return x > 0 ? .max : (x < 0 ? .min : 0) }
  // gemmlowp saturates when |x| exceeds 2^(31 - exponent) - 1.
  let threshold = (Int32(1) << (31 - exponent)) - 1
  if x > threshold { return .max }
  if x < -threshold { return .min }
  return x << exponent
}

/// `(a + b) / 2` rounded to nearest with ties away from zero, without overflow
/// (gemmlowp `RoundingHalfSum`).
///
///     roundingHalfSum(3, 4)      // 4   (3.5 -> 4)
///     roundingHalfSum(-3, -4)    // -4
@inlinable
public func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
  let sum = Int64(a) + Int64(b)
  let sign: Int64 = sum >= 0 ? 1 : -1
  return Int32(truncatingIfNeeded: (sum + sign) / 2)
}
