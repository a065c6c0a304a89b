// How many bits an unsigned value needs: the auto-scaling and log stages of the
// front end branch on it.

extension FixedWidthInteger where Self: UnsignedInteger {
  /// The 1-based position of the highest set bit, 0 for zero (TFLM's
  /// `MostSignificantBit32/64`).
  ///
  ///     UInt32(0).significantBitCount       // 0
  ///     UInt32(1).significantBitCount       // 1
  ///     UInt32(0x7FFF).significantBitCount  // 15
  ///     UInt32(512).significantBitCount     // 10
  @inlinable
  public var significantBitCount: Int { bitWidth &- leadingZeroBitCount }
}
