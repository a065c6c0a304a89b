import FixedPoint

// SUB on int8 with broadcasting: TFLM `reference_ops::Sub` / `BroadcastQuantSubSlow`.
// The arithmetic of ADD with the second input subtracted: both inputs (minus their
// zero points) are shifted left 20 bits, scaled to twice the larger input scale,
// subtracted, and scaled to the output. The three real multipliers are formed in
// Double, as ADD's: some TFLM sources form them in Float, but the live reference
// (the pinned tflite_micro wheel) rounds as Double does; a Float version differs
// from it by one step on a few values per thousand (ExtendedOpTests' SUB cases).

/// Everything the integer eval needs, computed once by `prepareSub`.
public struct SubParams: Sendable {
  public var input1Offset: Int32
  public var input2Offset: Int32
  public var outputOffset: Int32
  /// Headroom bits given to the int8 inputs (20, as ADD).
  public var leftShift: Int32
  public var input1: QuantizedMultiplier
  public var input2: QuantizedMultiplier
  public var output: QuantizedMultiplier
  public var activation: ActivationRange
  public var plan: BroadcastPlan
}

/// Prepares an int8 SUB (TFLM `CalculateOpDataSub`).
public func prepareSub(
  input1: Shape, input2: Shape, output: Shape,
  input1Quantization: TensorQuantization, input2Quantization: TensorQuantization,
  outputQuantization: TensorQuantization, activation: FusedActivation
) throws(KernelError) -> SubParams {
  let op: StaticString = "SUB"
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
  let leftShift = addLeftShift
  let twiceMaxInputScale = 2 * Double(max(input1Quantization.scale, input2Quantization.scale))
  let m1 = quantizeMultiplier(Double(input1Quantization.scale) / twiceMaxInputScale)
  let m2 = quantizeMultiplier(Double(input2Quantization.scale) / twiceMaxInputScale)
  let realOutput =
    twiceMaxInputScale / (Double(Int32(1) << leftShift) * Double(outputQuantization.scale))
  // TFLM's QuantizeMultiplierSmallerThanOneExp aborts on multipliers of 1 or more.
  guard realOutput < 1 else {
    throw KernelError(
      op, "output scale too small for the input scales",
      value: Int(outputQuantization.scale.bitPattern))
  }
  let mo = quantizeMultiplier(realOutput)
  return SubParams(
    input1Offset: -input1Quantization.zeroPoint, input2Offset: -input2Quantization.zeroPoint,
    outputOffset: outputQuantization.zeroPoint, leftShift: leftShift,
    input1: QuantizedMultiplier(multiplier: m1.multiplier, shift: m1.shift),
    input2: QuantizedMultiplier(multiplier: m2.multiplier, shift: m2.shift),
    output: QuantizedMultiplier(multiplier: mo.multiplier, shift: mo.shift),
    activation: activationRange(activation, output: outputQuantization), plan: plan)
}

/// Integer-only SUB (input 1 - input 2, with broadcasting) over shapes checked by
/// `prepareSub`.
public func sub(
  _ p: SubParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  p.plan.forEachIndex { o, i, j in
    let a = (Int32(input1[i]) &+ p.input1Offset) &<< p.leftShift
    let b = (Int32(input2[j]) &+ p.input2Offset) &<< p.leftShift
    let scaledA = multiplyByQuantizedMultiplierSmallerThanOne(
      a, p.input1.multiplier, p.input1.shift)
    let scaledB = multiplyByQuantizedMultiplierSmallerThanOne(
      b, p.input2.multiplier, p.input2.shift)
    let raw =
      multiplyByQuantizedMultiplierSmallerThanOne(
        scaledA &- scaledB, p.output.multiplier, p.output.shift)
      &+ p.outputOffset
    output[o] = Int8(truncatingIfNeeded: min(max(raw, p.activation.min), p.activation.max))
  }
}
