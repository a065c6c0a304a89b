import FixedPoint

// TANH on int8: TFLM `reference_integer_ops::Tanh`. Like LOGISTIC, the input (minus
// its zero point) is rescaled to Q4.27 and inputs beyond the radius saturate; the
// middle goes through gemmlowp's fixed-point tanh (via exp(-2|x|)) to Q0.31, which is
// rounded to Q0.7. The output is read with scale 1/128 and zero point 0 whatever
// the output tensor says (TFLM does not look at it; converters write exactly that).

/// Integer bits of the rescaled input (Q4.27).
let tanhInputIntegerBits: Int32 = 4
/// Fractional bits of the int8 output (Q0.7: real = q / 128).
let tanhOutputFractionalBits: Int32 = 7

/// Everything the integer eval needs, computed once by `prepareTanh`: LOGISTIC's.
public typealias TanhParams = LogisticParams

/// Prepares an int8 TANH (TFLM `CalculateArithmeticOpData`): the input side of
/// LOGISTIC (`q4Rescaled`).
public func prepareTanh(
  input: Shape, output: Shape, inputQuantization: TensorQuantization
) throws(KernelError) -> TanhParams {
  let op: StaticString = "TANH"
  try checkUnaryOperands(
    op: op, input: input, output: output, inputQuantization: inputQuantization)
  return q4Rescaled(
    inputQuantization, integerBits: tanhInputIntegerBits, count: output.elementCount)
}

/// Integer-only TANH, int8 in and out.
public func tanh(_ p: TanhParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
  saturatingQ4(p, input: input, output: output) { q4 in
    let q0 = FixedPoint.tanh(q4, integerBits: tanhInputIntegerBits)
    let steps = roundingDivideByPowerOfTwo(q0, 31 - tanhOutputFractionalBits)
    return Int8(truncatingIfNeeded: min(max(steps, -128), 127))
  }
}
