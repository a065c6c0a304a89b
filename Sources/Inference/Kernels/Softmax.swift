import FixedPoint

// SOFTMAX with int8 input and int8 (or int16) output: TFLM `reference_ops::Softmax`
// for quantized types, over the last dimension. Per row: the difference to the row
// maximum is rescaled to Q5.26 (`beta * input scale`), exp'd in fixed point
// (gemmlowp), summed in Q12.19, and each exp is multiplied by the reciprocal of the
// sum. Differences below `diffMin` (so negative that exp underflows) give the
// output minimum. Output quantization is fixed: int8 scale 1/256 zero point -128;
// int16 scale 1/65536 zero point -32768.

/// Integer bits of the rescaled input difference (Q5.26).
let softmaxScaledDiffIntegerBits: Int32 = 5
/// Integer bits of the sum of exps (Q12.19).
let softmaxAccumulationIntegerBits: Int32 = 12

/// Everything the integer eval needs, computed once by `prepareSoftmax`.
public struct SoftmaxParams: Sendable {
  /// Multiplier and left shift turning an input difference into Q5.26.
  public var inputMultiplier: Int32
  public var inputLeftShift: Int32
  /// Input differences below this (a negative number of input steps) give exp = 0.
  public var diffMin: Int32
  /// Rows (all dimensions but the last) and row length.
  public var rows: Int
  public var depth: Int
}

/// The output element type of SOFTMAX.
public enum SoftmaxOutputType: Sendable {
  case int8
  case int16
}

/// Prepares an int8-input SOFTMAX (TFLM `CalculateSoftmaxParams`): checks the fixed
/// output quantization and computes the Q5.26 input multiplier and `diffMin`.
public func prepareSoftmax(
  input: Shape, output: Shape, inputScale: Float, outputQuantization: TensorQuantization,
  outputType: SoftmaxOutputType = .int8, beta: Float
) throws(KernelError) -> SoftmaxParams {
  let op: StaticString = "SOFTMAX"
  guard input.rank >= 1, input == output else {
    throw KernelError(
      op, "input and output shapes must be equal and of rank 1 or more", value: input.rank)
  }
  let depth = input[input.rank - 1]
  guard depth > 0 else { throw KernelError(op, "last dimension must be positive", value: depth) }
  try checkScale(inputScale, op: op, what: "input scale must be positive and finite")
  switch outputType {
  case .int8:
    guard outputQuantization.zeroPoint == -128 else {
      throw KernelError(
        op, "int8 output zero point must be -128", value: Int(outputQuantization.zeroPoint))
    }
    guard outputQuantization.scale == 1.0 / 256 else {
      throw KernelError(
        op, "int8 output scale must be 1/256", value: Int(outputQuantization.scale.bitPattern))
    }
  case .int16:
    guard outputQuantization.zeroPoint == -32768 else {
      throw KernelError(
        op, "int16 output zero point must be -32768", value: Int(outputQuantization.zeroPoint))
    }
    guard abs(outputQuantization.scale - 1.0 / 65536) <= 0.001 / 65536 else {
      throw KernelError(
        op, "int16 output scale must be 1/65536", value: Int(outputQuantization.scale.bitPattern))
    }
  }
  guard
    let m = softmaxInputMultiplier(
      beta: Double(beta), inputScale: Double(inputScale), integerBits: softmaxScaledDiffIntegerBits)
  else {
    throw KernelError(
      op, "beta * input scale too small (needs > 2^-26)", value: Int(inputScale.bitPattern))
  }
  let radius = inputRadius(integerBits: softmaxScaledDiffIntegerBits, leftShift: m.leftShift)
  return SoftmaxParams(
    inputMultiplier: m.multiplier, inputLeftShift: m.leftShift, diffMin: -radius,
    rows: input.elementCount / depth, depth: depth)
}

/// Integer-only SOFTMAX, int8 in and int8 out.
public func softmax(
  _ p: SoftmaxParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  softmaxRows(p, input: input, output: output)
}

/// Integer-only SOFTMAX, int8 in and int16 out.
public func softmax(
  _ p: SoftmaxParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int16>
) {
  softmaxRows(p, input: input, output: output)
}

@inline(__always)
func softmaxRows<Output: FixedWidthInteger & SignedInteger>(
  _ p: SoftmaxParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Output>
) {
  let outMin = Int32(Output.min)
  let outMax = Int32(Output.max)
  for r in 0..<p.rows {
    let row = input + r * p.depth
    let out = output + r * p.depth
    var maxInRow = Int32(Int8.min)
    for c in 0..<p.depth { maxInRow = max(maxInRow, Int32(row[c])) }

    // Sum of exps in Q12.19.
    var sumOfExps: Int32 = 0
    for c in 0..<p.depth {
      let diff = Int32(row[c]) - maxInRow
      if diff >= p.diffMin {
        let scaled = multiplyByQuantizedMultiplierGreaterThanOne(
          diff, p.inputMultiplier, p.inputLeftShift)
        let e = expOnNegativeValues(scaled, integerBits: softmaxScaledDiffIntegerBits)
        sumOfExps &+= saturatingRoundingMultiplyByPowerOfTwo(e, -softmaxAccumulationIntegerBits)
      }
    }
    let (scale, bitsOverUnit) = reciprocal(sumOfExps, integerBits: softmaxAccumulationIntegerBits)
    let exponent = bitsOverUnit + 31 - Int32(Output.bitWidth)

    for c in 0..<p.depth {
      let diff = Int32(row[c]) - maxInRow
      if diff >= p.diffMin {
        let scaled = multiplyByQuantizedMultiplierGreaterThanOne(
          diff, p.inputMultiplier, p.inputLeftShift)
        let e = expOnNegativeValues(scaled, integerBits: softmaxScaledDiffIntegerBits)
        let unsaturated = roundingDivideByPowerOfTwo(
          saturatingRoundingDoublingHighMul(scale, e), exponent)
        let shifted = unsaturated &+ outMin
        out[c] = Output(truncatingIfNeeded: min(max(shifted, outMin), outMax))
      } else {
        out[c] = Output.min
      }
    }
  }
}
