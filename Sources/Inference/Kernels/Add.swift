import FixedPoint

// ADD on int8 with broadcasting: TFLM `reference_integer_ops::Add` /
// `BroadcastAdd6DSlow`. Both inputs (minus their zero points) are shifted left by 20
// bits, scaled to a common scale (twice the larger input scale), added, and scaled to
// the output.

/// Headroom bits given to int8 inputs before rescaling (TFLM uses 20 for int8).
let addLeftShift: Int32 = 20

/// Everything the integer eval needs, computed once by `prepareAdd`.
public struct AddParams: Sendable {
  public var input1Offset: Int32
  public var input2Offset: Int32
  public var outputOffset: Int32
  public var leftShift: Int32
  public var input1: QuantizedMultiplier
  public var input2: QuantizedMultiplier
  public var output: QuantizedMultiplier
  public var activation: ActivationRange
  public var plan: BroadcastPlan
}

/// Prepares an int8 ADD (TFLM `CalculateOpDataAdd`).
public func prepareAdd(
  input1: Shape, input2: Shape, output: Shape,
  input1Quantization: TensorQuantization, input2Quantization: TensorQuantization,
  outputQuantization: TensorQuantization, activation: FusedActivation
) throws(KernelError) -> AddParams {
  try prepareAddOrSub(
    .add, input1: input1, input2: input2, output: output,
    input1Quantization: input1Quantization, input2Quantization: input2Quantization,
    outputQuantization: outputQuantization, activation: activation)
}

/// Integer-only ADD (with broadcasting) over shapes checked by `prepareAdd`.
public func add(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  addOrSub(p, input1: input1, input2: input2, output: output) { $0 &+ $1 }
}

/// Which of the two ops sharing ADD's arithmetic a prepare is for.
enum AddOrSub {
  case add
  case sub
}

/// ADD's and SUB's prepare: the same multipliers; only the check that the output
/// multiplier stays below 1 is made as each TFLM kernel makes it (ADD on the
/// quantized shift, SUB on the real value before quantizing), so each refuses
/// exactly what its reference refuses.
func prepareAddOrSub(
  _ kind: AddOrSub, input1: Shape, input2: Shape, output: Shape,
  input1Quantization: TensorQuantization, input2Quantization: TensorQuantization,
  outputQuantization: TensorQuantization, activation: FusedActivation
) throws(KernelError) -> AddParams {
  let op: StaticString = kind == .add ? "ADD" : "SUB"
  let plan = try checkedBinaryOperands(
    op: op, input1: input1, input2: input2, output: output,
    input1Quantization: input1Quantization, input2Quantization: input2Quantization,
    outputQuantization: outputQuantization)
  let twiceMaxInputScale = 2 * Double(max(input1Quantization.scale, input2Quantization.scale))
  let m1 = quantizeMultiplier(Double(input1Quantization.scale) / twiceMaxInputScale)
  let m2 = quantizeMultiplier(Double(input2Quantization.scale) / twiceMaxInputScale)
  let realOutput =
    twiceMaxInputScale
    / (Double(Int64(1) << Int64(addLeftShift)) * Double(outputQuantization.scale))
  // TFLM's QuantizeMultiplierSmallerThanOneExp aborts on multipliers of 1 or more.
  if kind == .sub, !(realOutput < 1) {
    throw KernelError(
      op, "output scale too small for the input scales",
      value: Int(outputQuantization.scale.bitPattern))
  }
  let mo = quantizeMultiplier(realOutput)
  if kind == .add, mo.shift > 0 {
    throw KernelError(op, "output scale too small for the input scales", value: Int(mo.shift))
  }
  return AddParams(
    input1Offset: -input1Quantization.zeroPoint, input2Offset: -input2Quantization.zeroPoint,
    outputOffset: outputQuantization.zeroPoint, leftShift: addLeftShift,
    input1: QuantizedMultiplier(multiplier: m1.multiplier, shift: m1.shift),
    input2: QuantizedMultiplier(multiplier: m2.multiplier, shift: m2.shift),
    output: QuantizedMultiplier(multiplier: mo.multiplier, shift: mo.shift),
    activation: activationRange(activation, output: outputQuantization), plan: plan)
}

/// ADD's and SUB's element: both inputs offset, shifted left `leftShift` bits and
/// scaled to the common scale, then `combine`d (+ or -) and scaled to the output.
@inline(__always)
func addOrSub(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>, _ combine: (Int32, Int32) -> Int32
) {
  binaryElementwise(
    p.plan, input1: input1, input2: input2, output: output, activation: p.activation
  ) { x1, x2 in
    let a = (x1 &+ p.input1Offset) &<< p.leftShift
    let b = (x2 &+ p.input2Offset) &<< p.leftShift
    let scaledA = multiplyByQuantizedMultiplierSmallerThanOne(
      a, p.input1.multiplier, p.input1.shift)
    let scaledB = multiplyByQuantizedMultiplierSmallerThanOne(
      b, p.input2.multiplier, p.input2.shift)
    return multiplyByQuantizedMultiplierSmallerThanOne(
      combine(scaledA, scaledB), p.output.multiplier, p.output.shift)
      &+ p.outputOffset
  }
}
