import FixedPoint

// MUL on int8 with broadcasting: TFLM `reference_integer_ops::Mul` /
// `BroadcastMul6DSlow`. The product of the two zero-point-corrected inputs is
// requantized with input1 scale * input2 scale / output scale.

/// Everything the integer eval needs, computed once by `prepareMul`.
public struct MulParams: Sendable {
  public var input1Offset: Int32
  public var input2Offset: Int32
  public var outputOffset: Int32
  public var output: QuantizedMultiplier
  public var activation: ActivationRange
  public var plan: BroadcastPlan
}

/// Prepares an int8 MUL (TFLM `CalculateOpDataMul`).
public func prepareMul(
  input1: Shape, input2: Shape, output: Shape,
  input1Quantization: TensorQuantization, input2Quantization: TensorQuantization,
  outputQuantization: TensorQuantization, activation: FusedActivation
) throws(KernelError) -> MulParams {
  let op: StaticString = "MUL"
  guard let plan = BroadcastPlan(input1, input2, output: output) else {
    throw KernelError(op, "input shapes do not broadcast to the output shape", value: output.rank)
  }
  try checkScale(
    input1Quantization.scale, op: op, what: "input 1 scale must be positive and finite")
  try checkScale(
    input2Quantization.scale, op: op, what: "input 2 scale must be positive and finite")
  try checkScale(outputQuantization.scale, op: op, what: "output scale must be positive and finite")
  try checkZeroPoint(input1Quantization.zeroPoint, op: op)
  try checkZeroPoint(input2Quantization.zeroPoint, op: op)
  try checkZeroPoint(outputQuantization.zeroPoint, op: op)
  let real =
    Double(input1Quantization.scale) * Double(input2Quantization.scale)
    / Double(outputQuantization.scale)
  return MulParams(
    input1Offset: -input1Quantization.zeroPoint, input2Offset: -input2Quantization.zeroPoint,
    outputOffset: outputQuantization.zeroPoint, output: QuantizedMultiplier(real),
    activation: activationRange(activation, output: outputQuantization), plan: plan)
}

/// Integer-only MUL (with broadcasting) over shapes checked by `prepareMul`.
public func mul(
  _ p: MulParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  p.plan.forEachIndex { o, i, j in
    let product = (Int32(input1[i]) &+ p.input1Offset) &* (Int32(input2[j]) &+ p.input2Offset)
    let raw =
      multiplyByQuantizedMultiplier(product, p.output.multiplier, p.output.shift) &+ p.outputOffset
    output[o] = Int8(truncatingIfNeeded: min(max(raw, p.activation.min), p.activation.max))
  }
}
