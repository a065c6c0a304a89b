import FixedPoint

// HARD_SWISH on int8: x * relu6(x + 3) / 6, TFLM `reference_ops::HardSwish` with the
// parameters of `HardSwishPrepare`. The whole computation runs in int16 fixed point:
// the input (minus its zero point) is shifted up 7 bits ("hires" input scale, input
// scale / 128), one int16 multiplier takes it to the output scale, another to the
// "reluish" scale where real 3.0 is 32768, so the reluish value in [-1, 1] maps to
// [0, 1] and multiplies the former. Int16 wrap-around and truncations follow C's
// integer promotions exactly.

/// Bits the input difference is shifted up by (int8 difference * 2^7 fits int16).
let hardSwishHiresShift: Int16 = 7
/// The reluish scale: real 3.0 is 32768 (Q0.15 of x / 3).
let hardSwishReluishScale: Float = 3.0 / 32768.0

/// Everything the integer eval needs, computed once by `prepareHardSwish`.
public struct HardSwishParams: Sendable {
  public var inputZeroPoint: Int32
  public var outputZeroPoint: Int32
  /// hires input scale / output scale as Q0.15 and a right shift (exponent <= 0).
  public var outputMultiplier: Int16
  public var outputExponent: Int32
  /// hires input scale / reluish scale as Q0.15 and an exponent (either sign).
  public var reluishMultiplier: Int16
  public var reluishExponent: Int32
  public var count: Int
}

/// Prepares an int8 HARD_SWISH (TFLM `HardSwishPrepare`): Float scale arithmetic
/// widened to Double for `QuantizeMultiplier`, then the Q0.31 multipliers rounded to
/// Q0.15 (`DownScaleInt32ToInt16Multiplier`).
public func prepareHardSwish(
  input: Shape, output: Shape, inputQuantization: TensorQuantization,
  outputQuantization: TensorQuantization
) throws(KernelError) -> HardSwishParams {
  let op: StaticString = "HARD_SWISH"
  try checkUnaryOperands(
    op: op, input: input, output: output, inputQuantization: inputQuantization,
    outputQuantization: outputQuantization)
  let hiresInputScale = (Float(1) / 128) * inputQuantization.scale
  let out = quantizeMultiplier(Double(hiresInputScale / outputQuantization.scale))
  guard out.shift <= 0 else {
    throw KernelError(op, "output scale must be at least input scale / 128", value: Int(out.shift))
  }
  let reluish = quantizeMultiplier(Double(hiresInputScale / hardSwishReluishScale))
  // The reluish left shift is applied to int16 values as a product with 2^shift;
  // beyond 30 bits (input scales near 2^24) C's `1 << shift` overflows.
  guard reluish.shift <= 30 else {
    throw KernelError(op, "input scale too large", value: Int(reluish.shift))
  }
  return HardSwishParams(
    inputZeroPoint: inputQuantization.zeroPoint, outputZeroPoint: outputQuantization.zeroPoint,
    outputMultiplier: downScaleToInt16(out.multiplier), outputExponent: out.shift,
    reluishMultiplier: downScaleToInt16(reluish.multiplier), reluishExponent: reluish.shift,
    count: output.elementCount)
}

/// Integer-only HARD_SWISH, int8 in and out.
public func hardSwish(
  _ p: HardSwishParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  for i in 0..<p.count {
    let difference = Int16(truncatingIfNeeded: Int32(input[i]) &- p.inputZeroPoint)
    let hires = difference &* (1 << hardSwishHiresShift)
    let preshiftOutput = saturatingRoundingDoublingHighMul16(hires, p.outputMultiplier)
    // x / 3 on Q0.15, saturating: shift left one bit short, multiply, then the last
    // bit, so a saturation before the multiply never reaches the result.
    var reluish = hires
    if p.reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, p.reluishExponent - 1) }
    reluish = saturatingRoundingDoublingHighMul16(reluish, p.reluishMultiplier)
    if p.reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, 1) }
    if p.reluishExponent < 0 { reluish = roundingDivideByPowerOfTwo16(reluish, -p.reluishExponent) }
    // [-1, 1] -> [0, 1] in Q0.15.
    reluish = Int16(truncatingIfNeeded: (Int32(reluish) + 32768) >> 1)
    let preshift = saturatingDoublingHighMul16(reluish, preshiftOutput)
    var value = roundingDivideByPowerOfTwo16(preshift, -p.outputExponent)
    value = Int16(truncatingIfNeeded: Int32(value) &+ p.outputZeroPoint)
    output[i] = Int8(min(max(value, -128), 127))
  }
}

/// TFLM `DownScaleInt32ToInt16Multiplier`: a Q0.31 multiplier rounded to Q0.15,
/// saturating at 32767.
///
///     downScaleToInt16(1 << 30)   // 16384 (0.5)
@inlinable
func downScaleToInt16(_ multiplier: Int32) -> Int16 {
  let roundingOffset: Int32 = 1 << 15
  if multiplier >= Int32.max - roundingOffset { return .max }
  return Int16(truncatingIfNeeded: (multiplier + roundingOffset) >> 16)
}

/// gemmlowp's int16 `SaturatingRoundingDoublingHighMul`: the high 16 bits of 2ab,
/// rounded to nearest (ties away from zero); -32768 * -32768 saturates.
@inlinable
func saturatingRoundingDoublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
  if a == b && a == Int16.min { return .max }
  let product = Int32(a) * Int32(b)
  let nudge: Int32 = product >= 0 ? (1 << 14) : (1 - (1 << 14))
  return Int16(truncatingIfNeeded: (product + nudge) / (1 << 15))
}

/// TFLM's `SaturatingDoublingHighMul` (int16, no rounding: truncates toward zero).
@inlinable
func saturatingDoublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
  if a == b && a == Int16.min { return .max }
  return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
}

/// TFLM's int16 `SaturatingLeftShift`: value * 2^amount clamped to the int16 range.
@inlinable
func saturatingLeftShift16(_ value: Int16, _ amount: Int32) -> Int16 {
  let shifted = Int64(value) * (Int64(1) << Int64(amount))
  return Int16(min(max(shifted, Int64(Int16.min)), Int64(Int16.max)))
}

/// gemmlowp `RoundingDivideByPOT` instantiated for int16, with C's conversions: the
/// mask 2^exponent - 1 is truncated to int16 (all ones from exponent 16 on), and
/// every sum is truncated back to int16.
@inlinable
func roundingDivideByPowerOfTwo16(_ x: Int16, _ exponent: Int32) -> Int16 {
  let mask = Int16(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
  let remainder = x & mask
  let threshold = Int16(truncatingIfNeeded: Int32(mask >> 1) + (x < 0 ? 1 : 0))
  return Int16(truncatingIfNeeded: (Int32(x) >> exponent) + (remainder > threshold ? 1 : 0))
}
