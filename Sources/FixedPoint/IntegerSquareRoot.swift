// Integer square roots rounded to nearest, with the exact quirks of the TFLM
// microfrontend's filterbank (`Sqrt32` / `Sqrt64` in filterbank.c), which its outputs
// depend on bit for bit.

extension UInt32 {
  /// `sqrt(self)` rounded to the nearest integer, saturating at `0xFFFF`.
  ///
  /// The result saturates instead of wrapping: values from 65535.5² up to
  /// `UInt32.max` give 65535, not 65536.
  ///
  ///     UInt32(0).roundedSquareRoot           // 0
  ///     UInt32(2).roundedSquareRoot           // 1  (1.414)
  ///     UInt32(3).roundedSquareRoot           // 2  (1.732)
  ///     UInt32(56).roundedSquareRoot          // 7  (7.483)
  ///     UInt32(57).roundedSquareRoot          // 8  (7.550)
  ///     UInt32.max.roundedSquareRoot          // 65535
  @inlinable
  public var roundedSquareRoot: UInt16 {
    let (root, remainder) = floorSquareRoot(self)
    // (root + 1/2)² = root² + root + 1/4, so the true root is above root + 1/2 exactly
    // when the remainder exceeds root (ties cannot happen for integers).
    if remainder > root && root != 0xFFFF { return UInt16(truncatingIfNeeded: root &+ 1) }
    return UInt16(truncatingIfNeeded: root)
  }
}

extension UInt64 {
  /// `sqrt(self)` rounded to the nearest integer.
  ///
  /// Values below 2³² take the 32-bit path, so they saturate at 65535 exactly like
  /// `UInt32.roundedSquareRoot` (TFLM takes that shortcut for speed and the features
  /// depend on it): `UInt64(0xFFFF_FFFF).roundedSquareRoot == 65535`, while
  /// `UInt64(1 << 32).roundedSquareRoot == 65536`.
  @inlinable
  public var roundedSquareRoot: UInt32 {
    if self >> 32 == 0 { return UInt32(UInt32(truncatingIfNeeded: self).roundedSquareRoot) }
    let (root, remainder) = floorSquareRoot(self)
    if remainder > root && root != 0xFFFF_FFFF { return UInt32(truncatingIfNeeded: root &+ 1) }
    return UInt32(truncatingIfNeeded: root)
  }
}

/// `(floor(sqrt(n)), n - floor(sqrt(n))²)` by the binary digit-by-digit method: one
/// result bit per pair of input bits, starting at the highest power of four <= n.
@inlinable
func floorSquareRoot<T: FixedWidthInteger & UnsignedInteger>(_ n: T) -> (root: T, remainder: T) {
  if n == 0 { return (0, 0) }
  // Highest even bit position at or below the top set bit.
  let topEvenBit = (n.significantBitCount &- 1) & ~1
  var bit: T = 1 << topEvenBit
  var remainder = n
  var root: T = 0
  while bit != 0 {
    if remainder >= root &+ bit {
      remainder &-= root &+ bit
      root = (root >> 1) &+ bit
    } else {
      root >>= 1
    }
    bit >>= 2
  }
  return (root, remainder)
}
