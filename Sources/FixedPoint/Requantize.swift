// Requantization: the float scale of an op turned into an integer multiplier and shift
// once (prepare, in Double, as TFLite Micro does), then applied per value in integers
// only (eval) with gemmlowp's double rounding, TFLM's default (not TFLITE_SINGLE_ROUNDING).

/// A real multiplier `m` stored as `multiplier * 2^(shift - 31)`, where `multiplier`
/// is a Q0.31 value in [2^30, 2^31) (or 0) and `shift` is a power-of-two exponent
/// (positive: shift left, negative: shift right).
public struct QuantizedMultiplier: Equatable, Sendable {
  public var multiplier: Int32
  public var shift: Int32

  @inlinable public init(multiplier: Int32, shift: Int32) {
    self.multiplier = multiplier
    self.shift = shift
  }

  /// TFLM `QuantizeMultiplier`; see `quantizeMultiplier(_:)`.
  @inlinable public init(_ real: Double) {
    let q = quantizeMultiplier(real)
    self.init(multiplier: q.multiplier, shift: q.shift)
  }
}

/// Splits a real multiplier into a Q0.31 significand and a power-of-two exponent the
/// way TFLM's `QuantizeMultiplier` does: `frexp`, the significand times 2^31 rounded
/// half away from zero; a significand that rounds up to 2^31 is halved (and the
/// exponent bumped); multipliers below about 2^-32 (exponent < -31) flush to (0, 0).
/// Non-finite input gives (0, 0); prepare code rejects such scales before calling.
///
///     quantizeMultiplier(0.5)       // (multiplier: 1073741824, shift: 0)
///     quantizeMultiplier(0.0039)    // (multiplier: 2144047674, shift: -8)
///     quantizeMultiplier(3.0)       // (multiplier: 1610612736, shift: 2)
public func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
  if real == 0 || !real.isFinite { return (0, 0) }
  // frexp: real = fraction * 2^exponent with 0.5 <= |fraction| < 1.
  var exponent = Int64(real.exponent) + 1
  let fraction = Double(sign: real.sign, exponent: -1, significand: real.significand)
  var fixed = Int64((fraction * 2_147_483_648.0).rounded(.toNearestOrAwayFromZero))
  if fixed == (Int64(1) << 31) {
    fixed /= 2
    exponent += 1
  }
  if exponent < -31 { return (0, 0) }
  // Exponents above 31 cannot be applied by the kernels; TFLM does not guard them
  // either (real multipliers of 2^31 and more do not occur in int8 models).
  return (Int32(truncatingIfNeeded: fixed), Int32(truncatingIfNeeded: exponent))
}

/// `x * multiplier * 2^(shift - 31)` rounded as TFLM's reference kernels do
/// (`MultiplyByQuantizedMultiplier`, double rounding): shift left first if `shift > 0`
/// (wrapping, as the C code does), then `saturatingRoundingDoublingHighMul`, then a
/// rounding right shift by `-shift` if `shift < 0`.
///
///     let m = quantizeMultiplier(0.25)          // (1073741824, -1)
///     multiplyByQuantizedMultiplier(10, m.multiplier, m.shift)   // 3  (2.5 -> 3)
@inlinable
public func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32
{
  let leftShift = shift > 0 ? shift : 0
  let rightShift = shift > 0 ? 0 : -shift
  return roundingDivideByPowerOfTwo(
    saturatingRoundingDoublingHighMul(x &<< leftShift, multiplier), rightShift)
}

/// `multiplyByQuantizedMultiplier` for multipliers known to be >= 1 (`leftShift >= 0`):
/// TFLM `MultiplyByQuantizedMultiplierGreaterThanOne`, used by SOFTMAX.
@inlinable
public func multiplyByQuantizedMultiplierGreaterThanOne(
  _ x: Int32, _ multiplier: Int32, _ leftShift: Int32
) -> Int32 {
  saturatingRoundingDoublingHighMul(x &<< leftShift, multiplier)
}

/// `multiplyByQuantizedMultiplier` for multipliers known to be < 1 (`leftShift <= 0`):
/// TFLM `MultiplyByQuantizedMultiplierSmallerThanOneExp`, used by ADD.
@inlinable
public func multiplyByQuantizedMultiplierSmallerThanOne(
  _ x: Int32, _ multiplier: Int32, _ leftShift: Int32
) -> Int32 {
  roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMul(x, multiplier), -leftShift)
}

/// TFLM `PreprocessSoftmaxScaling`: the multiplier that turns an int8 input difference
/// into a Q(integerBits).(31 - integerBits) value of `beta * inputScale * diff`, capped
/// at 2^31 - 1 (larger values only make non-maximal inputs vanish, as they would anyway).
/// `nil` when the real multiplier is not above 1 (TFLM aborts there).
public func softmaxInputMultiplier(beta: Double, inputScale: Double, integerBits: Int32)
  -> (multiplier: Int32, leftShift: Int32)?
{
  let maxReal = Double((Int64(1) << 31) - 1)
  let real = min(beta * inputScale * Double(Int64(1) << Int64(31 - integerBits)), maxReal)
  guard real > 1 else { return nil }
  let q = quantizeMultiplier(real)
  guard q.shift >= 0 else { return nil }
  return (q.multiplier, q.shift)
}

/// TFLM `CalculateInputRadius`: the largest input magnitude (in input steps) whose
/// rescaled value still fits a Q(integerBits).(totalSignedBits - integerBits) number,
/// i.e. floor((2^integerBits - 1) * 2^(totalSignedBits - integerBits) / 2^leftShift).
///
///     inputRadius(integerBits: 4, leftShift: 20)   // 1920 = 15 * 2^27 / 2^20
@inlinable
public func inputRadius(integerBits: Int32, leftShift: Int32, totalSignedBits: Int32 = 31) -> Int32
{
  let top = Double((Int64(1) << Int64(integerBits)) - 1)
  let scaled = top * Double(Int64(1) << Int64(totalSignedBits - integerBits))
  let radius = (scaled / Double(sign: .plus, exponent: Int(leftShift), significand: 1)).rounded(
    .down)
  return radius >= Double(Int32.max) ? .max : Int32(radius)
}
