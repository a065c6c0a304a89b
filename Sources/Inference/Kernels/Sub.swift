import FixedPoint

// SUB on int8 with broadcasting: TFLM `reference_ops::Sub` / `BroadcastQuantSubSlow`.
// The arithmetic of ADD with the second input subtracted: both inputs (minus their
// zero points) are shifted left 20 bits, scaled to twice the larger input scale,
// subtracted, and scaled to the output (ADD's params, prepare and element loop,
// `prepareAddOrSub` / `addOrSub`). The three real multipliers are formed in
// Double, as ADD's: some TFLM sources form them in Float, but the live reference
// (the pinned tflite_micro wheel) rounds as Double does; a Float version differs
// from it by one step on a few values per thousand (ExtendedOpTests' SUB cases).

/// Everything the integer eval needs, computed once by `prepareSub`: ADD's.
public typealias SubParams = AddParams

/// Prepares an int8 SUB (TFLM `CalculateOpDataSub`).
public func prepareSub(
  input1: Shape, input2: Shape, output: Shape,
  input1Quantization: TensorQuantization, input2Quantization: TensorQuantization,
  outputQuantization: TensorQuantization, activation: FusedActivation
) throws(KernelError) -> SubParams {
  try prepareAddOrSub(
    .sub, input1: input1, input2: input2, output: output,
    input1Quantization: input1Quantization, input2Quantization: input2Quantization,
    outputQuantization: outputQuantization, activation: activation)
}

/// Integer-only SUB (input 1 - input 2, with broadcasting) over shapes checked by
/// `prepareSub`.
public func sub(
  _ p: SubParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  addOrSub(p, input1: input1, input2: input2, output: output) { $0 &- $1 }
}
