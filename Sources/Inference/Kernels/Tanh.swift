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

/// Everything the integer eval needs, computed once by `prepareTanh`.
public struct TanhParams: Sendable {
  public var inputZeroPoint: Int32
  /// Inputs with |q - zero point| at or beyond this saturate to -128 / 127.
  public var inputRangeRadius: Int32
  public var inputMultiplier: Int32
  public var inputLeftShift: Int32
  public var count: Int
}

/// Prepares an int8 TANH (TFLM `CalculateArithmeticOpData`): the real multiplier
/// input scale * 2^27 goes through frexp and rounding directly (no 2^31 fix-up).
public func prepareTanh(
  input: Shape, output: Shape, inputQuantization: TensorQuantization
) throws(KernelError) -> TanhParams {
  let op: StaticString = "TANH"
  try checkElementwise(input, output, op: op)
  try checkScale(inputQuantization.scale, op: op, what: "input scale must be positive and finite")
  try checkZeroPoint(inputQuantization.zeroPoint, op: op)
  let real = Double(inputQuantization.scale) * Double(Int64(1) << Int64(31 - tanhInputIntegerBits))
  // frexp: real = fraction * 2^exponent, 0.5 <= fraction < 1.
  let exponent = Int32(real.exponent) + 1
  let fraction = Double(sign: .plus, exponent: -1, significand: real.significand)
  let rounded = (fraction * 2_147_483_648.0).rounded(.toNearestOrAwayFromZero)
  // A fraction that rounds to 2^31 wraps to Int32.min in TFLM's cast (x86).
  let multiplier = rounded >= 2_147_483_648.0 ? Int32.min : Int32(rounded)
  return TanhParams(
    inputZeroPoint: inputQuantization.zeroPoint,
    inputRangeRadius: inputRadius(integerBits: tanhInputIntegerBits, leftShift: exponent),
    inputMultiplier: multiplier, inputLeftShift: exponent, count: output.elementCount)
}

/// Integer-only TANH, int8 in and out.
public func tanh(_ p: TanhParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
  for i in 0..<p.count {
    let x = Int32(input[i]) &- p.inputZeroPoint
    if x <= -p.inputRangeRadius {
      output[i] = Int8.min
    } else if x >= p.inputRangeRadius {
      output[i] = Int8.max
    } else {
      let q4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift)
      let q0 = FixedPoint.tanh(q4, integerBits: tanhInputIntegerBits)
      let steps = roundingDivideByPowerOfTwo(q0, 31 - tanhOutputFractionalBits)
      output[i] = Int8(truncatingIfNeeded: min(max(steps, -128), 127))
    }
  }
}
