import FixedPoint

// LOGISTIC on int8: TFLM `reference_integer_ops::Logistic`. The input (minus its zero
// point) is rescaled to Q4.27, gemmlowp's fixed-point logistic gives Q0.31, which is
// rounded to Q0.8 and offset by -128. Inputs beyond the radius saturate. The output
// quantization is fixed at scale 1/256, zero point -128.

/// Integer bits of the rescaled input (Q4.27).
let logisticInputIntegerBits: Int32 = 4
/// Integer bits of the int8 output's raw value after rescaling (Q0.31 -> 2^-8 steps).
let logisticOutputIntegerBits: Int32 = 8

/// Everything the integer eval needs, computed once by `prepareLogistic`.
public struct LogisticParams: Sendable {
  public var inputZeroPoint: Int32
  /// Inputs with |q - zero point| at or beyond this saturate to -128 / 127.
  public var inputRangeRadius: Int32
  public var inputMultiplier: Int32
  public var inputLeftShift: Int32
  public var count: Int
}

/// Prepares an int8 LOGISTIC (TFLM `CalculateArithmeticOpDataLogistic`): the real
/// multiplier input scale * 2^27 goes through frexp and rounding directly (no 2^31
/// fix-up, unlike `quantizeMultiplier`).
public func prepareLogistic(
  input: Shape, output: Shape, inputQuantization: TensorQuantization,
  outputQuantization: TensorQuantization
) throws(KernelError) -> LogisticParams {
  let op: StaticString = "LOGISTIC"
  guard input.elementCount == output.elementCount else {
    throw KernelError(op, "input and output element counts differ", value: output.elementCount)
  }
  try checkScale(inputQuantization.scale, op: op, what: "input scale must be positive and finite")
  try checkZeroPoint(inputQuantization.zeroPoint, op: op)
  guard outputQuantization.zeroPoint == -128 else {
    throw KernelError(
      op, "output zero point must be -128", value: Int(outputQuantization.zeroPoint))
  }
  let real =
    Double(inputQuantization.scale) * Double(Int64(1) << Int64(31 - logisticInputIntegerBits))
  // frexp: real = fraction * 2^exponent, 0.5 <= fraction < 1.
  let exponent = Int32(real.exponent) + 1
  let fraction = Double(sign: .plus, exponent: -1, significand: real.significand)
  let rounded = (fraction * 2_147_483_648.0).rounded(.toNearestOrAwayFromZero)
  // A fraction that rounds to 2^31 wraps to Int32.min in TFLM's cast (x86 behaviour).
  let multiplier = rounded >= 2_147_483_648.0 ? Int32.min : Int32(rounded)
  return LogisticParams(
    inputZeroPoint: inputQuantization.zeroPoint,
    inputRangeRadius: inputRadius(integerBits: logisticInputIntegerBits, leftShift: exponent),
    inputMultiplier: multiplier, inputLeftShift: exponent, count: input.elementCount)
}

/// Integer-only LOGISTIC, int8 in and out.
public func logistic(
  _ p: LogisticParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  for i in 0..<p.count {
    let x = Int32(input[i]) - p.inputZeroPoint
    if x <= -p.inputRangeRadius {
      output[i] = Int8.min
    } else if x >= p.inputRangeRadius {
      output[i] = Int8.max
    } else {
      let q4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift)
      let q0 = logistic(q4, integerBits: logisticInputIntegerBits)
      let steps = roundingDivideByPowerOfTwo(q0, 31 - logisticOutputIntegerBits)
      output[i] = Int8(truncatingIfNeeded: min(max(steps &- 128, -128), 127))
    }
  }
}
