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
      let q0 = fixedPointTanh(q4, integerBits: tanhInputIntegerBits)
      let steps = roundingDivideByPowerOfTwo(q0, 31 - tanhOutputFractionalBits)
      output[i] = Int8(truncatingIfNeeded: min(max(steps, -128), 127))
    }
  }
}

/// tanh(a) for a in Q(integerBits).(31 - integerBits), result in Q0.31 (gemmlowp
/// `tanh`): with n = -|a|, exp(2n) in Q0.31 (2n is the same raw value read with one
/// more integer bit), then (1 - e) / (1 + e), negated for negative a; tanh(0) = 0.
///
///     fixedPointTanh(1 << 27, integerBits: 4)   // tanh(1.0) = 0.76159 in Q0.31
@inlinable
func fixedPointTanh(_ a: Int32, integerBits: Int32) -> Int32 {
  if a == 0 { return 0 }
  let negative = a < 0
  let n = negative ? a : 0 &- a
  let e = expOnNegativeValues(n, integerBits: integerBits + 1)
  let t = oneMinusXOverOnePlusX(e)
  return negative ? 0 &- t : t
}

/// (1 - a) / (1 + a) for a Q0.31 value a in (0, 1); result in Q0.31. gemmlowp
/// `one_minus_x_over_one_plus_x_for_x_in_0_1`: the same three Newton-Raphson steps in
/// Q2.29 on the half denominator as `oneOverOnePlusX`, then 2 / (1 + a) - 1.
@inlinable
func oneMinusXOverOnePlusX(_ a: Int32) -> Int32 {
  let halfDenominator = roundingHalfSum(a, .max)
  let oneQ2: Int32 = 1 << 29
  // 48/17 and -32/17 in Q2.29: Newton-Raphson's start for 1 / d on [1/2, 1).
  let fortyEightOverSeventeen: Int32 = 1_515_870_810
  let minusThirtyTwoOverSeventeen: Int32 = -1_010_580_540
  var x =
    fortyEightOverSeventeen
    &+ saturatingRoundingDoublingHighMul(halfDenominator, minusThirtyTwoOverSeventeen)
  for _ in 0..<3 {
    let oneMinus = oneQ2 &- saturatingRoundingDoublingHighMul(halfDenominator, x)
    // Q2.29 * Q2.29 = Q4.27, rescaled back to Q2.29.
    x =
      x &+ saturatingRoundingMultiplyByPowerOfTwo(saturatingRoundingDoublingHighMul(x, oneMinus), 2)
  }
  // x - 1 in Q2.29, rescaled to Q0.31.
  return saturatingRoundingMultiplyByPowerOfTwo(x &- oneQ2, 2)
}
