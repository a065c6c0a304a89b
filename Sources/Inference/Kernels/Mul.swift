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
  let plan = try checkedBinaryOperands(
    op: "MUL", input1: input1, input2: input2, output: output,
    input1Quantization: input1Quantization, input2Quantization: input2Quantization,
    outputQuantization: outputQuantization)
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
  binaryElementwise(
    p.plan, input1: input1, input2: input2, output: output, activation: p.activation
  ) { x1, x2 in
    let product = (x1 &+ p.input1Offset) &* (x2 &+ p.input2Offset)
    return multiplyByQuantizedMultiplier(product, p.output.multiplier, p.output.shift)
      &+ p.outputOffset
  }
}
