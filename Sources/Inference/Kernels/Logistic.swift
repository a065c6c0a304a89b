import FixedPoint

// LOGISTIC on int8: TFLM `reference_integer_ops::Logistic`. The input (minus its zero
// point) is rescaled to Q4.27, gemmlowp's fixed-point logistic gives Q0.31, which is
// rounded to Q0.8 and offset by -128. Inputs beyond the radius saturate. The output
// quantization is fixed at scale 1/256, zero point -128.

/// Integer bits of the rescaled input (Q4.27).
let logisticInputIntegerBits: Int32 = 4
/// Integer bits of the int8 output's raw value after rescaling (Q0.31 -> 2^-8 steps).
let logisticOutputIntegerBits: Int32 = 8

/// Everything the integer eval needs, computed once by `prepareLogistic` (TANH's
/// `prepareTanh` makes the same, as `TanhParams`).
public struct LogisticParams: Sendable {
  public var inputZeroPoint: Int32
  /// Inputs with |q - zero point| at or beyond this saturate to -128 / 127.
  public var inputRangeRadius: Int32
  public var inputMultiplier: Int32
  public var inputLeftShift: Int32
  public var count: Int
}

/// Prepares an int8 LOGISTIC (TFLM `CalculateArithmeticOpDataLogistic`).
public func prepareLogistic(
  input: Shape, output: Shape, inputQuantization: TensorQuantization,
  outputQuantization: TensorQuantization
) throws(KernelError) -> LogisticParams {
  let op: StaticString = "LOGISTIC"
  try checkUnaryOperands(
    op: op, input: input, output: output, inputQuantization: inputQuantization)
  guard outputQuantization.zeroPoint == -128 else {
    throw KernelError(
      op, "output zero point must be -128", value: Int(outputQuantization.zeroPoint))
  }
  return q4Rescaled(
    inputQuantization, integerBits: logisticInputIntegerBits, count: input.elementCount)
}

/// The input side LOGISTIC and TANH share: the input (minus its zero point) is
/// rescaled to Q(integerBits).(31 - integerBits) by the real multiplier input scale *
/// 2^(31 - integerBits), which goes through frexp and rounding directly (no 2^31
/// fix-up, unlike `quantizeMultiplier`); inputs beyond the radius saturate.
func q4Rescaled(
  _ inputQuantization: TensorQuantization, integerBits: Int32, count: Int
) -> LogisticParams {
  let real = Double(inputQuantization.scale) * Double(Int64(1) << Int64(31 - integerBits))
  // frexp: real = fraction * 2^exponent, 0.5 <= fraction < 1.
  let exponent = Int32(real.exponent) + 1
  let fraction = Double(sign: .plus, exponent: -1, significand: real.significand)
  let rounded = (fraction * 2_147_483_648.0).rounded(.toNearestOrAwayFromZero)
  // A fraction that rounds to 2^31 wraps to Int32.min in TFLM's cast (x86 behaviour).
  let multiplier = rounded >= 2_147_483_648.0 ? Int32.min : Int32(rounded)
  return LogisticParams(
    inputZeroPoint: inputQuantization.zeroPoint,
    inputRangeRadius: inputRadius(integerBits: integerBits, leftShift: exponent),
    inputMultiplier: multiplier, inputLeftShift: exponent, count: count)
}

/// Integer-only LOGISTIC, int8 in and out.
public func logistic(
  _ p: LogisticParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  saturatingQ4(p, input: input, output: output) { q4 in
    let q0 = logistic(q4, integerBits: logisticInputIntegerBits)
    let steps = roundingDivideByPowerOfTwo(q0, 31 - logisticOutputIntegerBits)
    return Int8(truncatingIfNeeded: min(max(steps &- 128, -128), 127))
  }
}

/// The element loop LOGISTIC and TANH share: inputs (minus the zero point) at or
/// beyond the radius saturate to -128 / 127; the rest are rescaled (`q4Rescaled`)
/// and mapped to the output by `middle`. Inlined with its non-escaping closure.
@inline(__always)
func saturatingQ4(
  _ p: LogisticParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
  _ middle: (Int32) -> Int8
) {
  for i in 0..<p.count {
    let x = Int32(input[i]) &- p.inputZeroPoint
    if x <= -p.inputRangeRadius {
      output[i] = Int8.min
    } else if x >= p.inputRangeRadius {
      output[i] = Int8.max
    } else {
      output[i] = middle(multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift))
    }
  }
}
