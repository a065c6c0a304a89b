import FixedPoint

// RELU, RELU6 and LEAKY_RELU as standalone int8 ops (Keras exports them when the
// activation is its own layer): TFLM `activations.cc` and `leaky_relu.cc`.
//
// The three differ in how they treat the output quantization, and TFLM's choices
// are kept as they are:
// - RELU requantizes: input scale / output scale (Double) as a multiplier, then
//   clamps at the output's zero point.
// - RELU6 does not requantize at all: it clamps the raw input bytes between the
//   input's zero point and the input's quantized 6.0, whatever the output's scale.
// - LEAKY_RELU requantizes each side with its own multiplier, computed in Float
//   (input scale * alpha / output scale, and input scale / output scale).

/// RELU: requantize, then clamp below at the output's zero point.
public struct ReluParams: Sendable {
  public var inputZeroPoint: Int32
  public var outputZeroPoint: Int32
  /// input scale / output scale.
  public var rescale: QuantizedMultiplier
  /// max(-128, output zero point): real 0.0 on the output.
  public var outputMin: Int32
  public var count: Int
}

/// Prepares an int8 RELU (TFLM `CalculateReluOpData`).
///
///     // input scale 0.1 zp -3, output scale 0.05 zp -128: q = -3 (0.0) -> -128,
///     // q = 7 (1.0) -> 20 steps of 0.05 -> -108.
public func prepareRelu(
  input: Shape, output: Shape, inputQuantization: TensorQuantization,
  outputQuantization: TensorQuantization
) throws(KernelError) -> ReluParams {
  let op: StaticString = "RELU"
  try checkUnaryOperands(
    op: op, input: input, output: output, inputQuantization: inputQuantization,
    outputQuantization: outputQuantization)
  return ReluParams(
    inputZeroPoint: inputQuantization.zeroPoint, outputZeroPoint: outputQuantization.zeroPoint,
    rescale: QuantizedMultiplier(
      Double(inputQuantization.scale) / Double(outputQuantization.scale)),
    outputMin: max(-128, outputQuantization.zeroPoint), count: output.elementCount)
}

/// Integer-only RELU, int8 in and out.
public func relu(_ p: ReluParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
  for i in 0..<p.count {
    let x = Int32(input[i]) &- p.inputZeroPoint
    let y =
      p.outputZeroPoint &+ multiplyByQuantizedMultiplier(x, p.rescale.multiplier, p.rescale.shift)
    output[i] = Int8(truncatingIfNeeded: min(max(y, p.outputMin), 127))
  }
}

/// RELU6: a clamp of the raw input bytes (no requantization, as TFLM).
public struct Relu6Params: Sendable {
  /// The input's zero point (real 0.0).
  public var lower: Int8
  /// The input's quantized 6.0, limited to the int8 range.
  public var upper: Int8
  public var count: Int
}

/// Prepares an int8 RELU6 (TFLM `Relu6Prepare`): upper = round(6 / input scale) +
/// input zero point (Float division, ties away from zero), clamped to int8.
///
///     // input scale 0.0235, zero point -128: 6 / 0.0235 = 255.3 -> 255 - 128 = 127.
public func prepareRelu6(
  input: Shape, output: Shape, inputQuantization: TensorQuantization
) throws(KernelError) -> Relu6Params {
  let op: StaticString = "RELU6"
  try checkUnaryOperands(
    op: op, input: input, output: output, inputQuantization: inputQuantization)
  let steps = (Float(6) / inputQuantization.scale).rounded(.toNearestOrAwayFromZero)
  // TFLM converts round(6 / scale) + zero point to int32_t; beyond the int32 range
  // (scales below 3e-9) x86 gives INT32_MIN, which the clamp then takes to -128.
  let six = Double(steps) + Double(inputQuantization.zeroPoint)
  let raw = six >= -2_147_483_648.0 && six < 2_147_483_648.0 ? Int32(six) : Int32.min
  return Relu6Params(
    lower: Int8(inputQuantization.zeroPoint), upper: Int8(min(max(raw, -128), 127)),
    count: output.elementCount)
}

/// RELU6 on int8: each byte clamped to [lower, upper].
public func relu6(_ p: Relu6Params, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
{
  for i in 0..<p.count {
    let v = input[i]
    output[i] = v > p.upper ? p.upper : (v < p.lower ? p.lower : v)
  }
}

/// LEAKY_RELU: one multiplier for inputs at or above the zero point, one (alpha's,
/// possibly negative) below it.
public struct LeakyReluParams: Sendable {
  public var inputZeroPoint: Int32
  public var outputZeroPoint: Int32
  /// input scale / output scale.
  public var identity: QuantizedMultiplier
  /// |input scale * alpha / output scale|; the sign is in `alphaIsNegative`.
  public var alpha: QuantizedMultiplier
  public var alphaIsNegative: Bool
  public var count: Int
}

/// Prepares an int8 LEAKY_RELU (TFLM `CalculateOpDataLeakyRelu`). Both real
/// multipliers are Float expressions widened to Double, as in TFLM.
public func prepareLeakyRelu(
  input: Shape, output: Shape, alpha: Float, inputQuantization: TensorQuantization,
  outputQuantization: TensorQuantization
) throws(KernelError) -> LeakyReluParams {
  let op: StaticString = "LEAKY_RELU"
  try checkUnaryOperands(
    op: op, input: input, output: output, inputQuantization: inputQuantization,
    outputQuantization: outputQuantization)
  guard alpha.isFinite else {
    throw KernelError(op, "alpha must be finite", value: Int(alpha.bitPattern))
  }
  let alphaReal = Double(inputQuantization.scale * alpha / outputQuantization.scale)
  let alphaMultiplier = QuantizedMultiplier(alphaReal)
  // TFLM quantizes the signed alpha, then applies its magnitude and negates the
  // product: the rounding is that of the positive multiplier.
  let negative = alphaMultiplier.multiplier < 0
  return LeakyReluParams(
    inputZeroPoint: inputQuantization.zeroPoint, outputZeroPoint: outputQuantization.zeroPoint,
    identity: QuantizedMultiplier(Double(inputQuantization.scale / outputQuantization.scale)),
    alpha: QuantizedMultiplier(
      multiplier: negative ? 0 &- alphaMultiplier.multiplier : alphaMultiplier.multiplier,
      shift: alphaMultiplier.shift),
    alphaIsNegative: negative, count: output.elementCount)
}

/// Integer-only LEAKY_RELU, int8 in and out.
public func leakyRelu(
  _ p: LeakyReluParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  for i in 0..<p.count {
    let x = Int32(input[i]) &- p.inputZeroPoint
    var y = p.outputZeroPoint
    if x >= 0 {
      y &+= multiplyByQuantizedMultiplier(x, p.identity.multiplier, p.identity.shift)
    } else {
      let scaled = multiplyByQuantizedMultiplier(x, p.alpha.multiplier, p.alpha.shift)
      y &+= p.alphaIsNegative ? 0 &- scaled : scaled
    }
    output[i] = Int8(truncatingIfNeeded: min(max(y, -128), 127))
  }
}

/// Unary elementwise ops: the output holds as many elements as the input (TFLM's
/// `MatchingFlatSize`).
@inlinable
func checkElementwise(_ input: Shape, _ output: Shape, op: StaticString) throws(KernelError) {
  guard input.elementCount == output.elementCount else {
    throw KernelError(op, "input and output element counts differ", value: output.elementCount)
  }
}

/// The operand checks the unary int8 ops share, in this order: element counts match
/// (`checkElementwise`), the input's scale and (when the op reads it) the output's are
/// positive and finite, then both zero points fit int8.
func checkUnaryOperands(
  op: StaticString, input: Shape, output: Shape, inputQuantization: TensorQuantization,
  outputQuantization: TensorQuantization? = nil
) throws(KernelError) {
  try checkElementwise(input, output, op: op)
  try checkScale(inputQuantization.scale, op: op, what: "input scale must be positive and finite")
  if let outputQuantization {
    try checkScale(
      outputQuantization.scale, op: op, what: "output scale must be positive and finite")
  }
  try checkZeroPoint(inputQuantization.zeroPoint, op: op)
  if let outputQuantization { try checkZeroPoint(outputQuantization.zeroPoint, op: op) }
}
