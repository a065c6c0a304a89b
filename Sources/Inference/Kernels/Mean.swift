import FixedPoint

// MEAN on int8 over up to two axes of an input of rank 1...5: TFLM
// `QuantizedMeanOrSum`. The raw int8 values are summed into int32 per output element,
// the zero point is removed (sum - zp * n) and the result requantized by
// input scale / output scale with 1/n folded into the multiplier, + output zero
// point, clamped. The pinned TFLM takes this path even when input and output share
// their quantization (older TFLM then divided the sum, truncating): the vectors
// edge_mean_*_same_quant tell the two apart.
//
// The output layout is the input's with the reduced axes removed (or kept as 1 when
// keep_dims is set): the same element order either way.

/// Everything the integer eval needs, computed once by `prepareMean`.
public struct MeanParams: Sendable {
  /// Input dimensions, right-aligned into five.
  var dims: InlineArray<5, Int>
  /// For each input dimension, its stride in the output (0 for reduced axes).
  var outputStrides: InlineArray<5, Int>
  public var outputCount: Int
  public var inputCount: Int
  /// Elements summed into each output (the product of the reduced dimensions).
  public var reducedCount: Int
  public var inputZeroPoint: Int32
  public var outputZeroPoint: Int32
  /// input scale / output scale with 1 / reducedCount folded in.
  public var multiplier: QuantizedMultiplier

  /// Int32 scratch elements `mean` needs (one per output element).
  public var scratchCount: Int { outputCount }
}

/// Prepares an int8 MEAN. `axes` may be negative (counted from the end) and repeat;
/// at most two distinct axes (TFLM's limit), input rank at most 5.
public func prepareMean(
  input: Shape, output: Shape, axes: [Int32], keepDims: Bool,
  inputQuantization: TensorQuantization, outputQuantization: TensorQuantization
) throws(KernelError) -> MeanParams {
  let op: StaticString = "MEAN"
  guard input.rank >= 1, input.rank <= 5 else {
    throw KernelError(op, "input rank must be 1...5", value: input.rank)
  }
  for i in 0..<input.rank where input[i] <= 0 {
    throw KernelError(op, "input dimensions must be positive", value: input[i])
  }
  try checkScale(inputQuantization.scale, op: op, what: "input scale must be positive and finite")
  try checkScale(outputQuantization.scale, op: op, what: "output scale must be positive and finite")
  try checkZeroPoint(inputQuantization.zeroPoint, op: op)
  try checkZeroPoint(outputQuantization.zeroPoint, op: op)

  // Resolve axes: negative from the end, duplicates dropped (TFLM ResolveAxis).
  var reduced = InlineArray<5, Bool>(repeating: false)
  var distinct = 0
  for a in axes {
    let axis = a < 0 ? Int(a) + input.rank : Int(a)
    guard axis >= 0, axis < input.rank else {
      throw KernelError(op, "axis out of range", value: Int(a))
    }
    if !reduced[axis] {
      reduced[axis] = true
      distinct += 1
    }
  }
  guard distinct <= 2 else { throw KernelError(op, "more than two reduced axes", value: distinct) }

  var dims = InlineArray<5, Int>(repeating: 1)
  var strides = InlineArray<5, Int>(repeating: 0)
  var reducedCount = 1
  var outputCount = 1
  let pad = 5 - input.rank
  for d in stride(from: input.rank - 1, through: 0, by: -1) {
    dims[pad + d] = input[d]
    if reduced[d] {
      reducedCount *= input[d]
    } else {
      strides[pad + d] = outputCount
      outputCount *= input[d]
    }
  }
  guard output.elementCount == outputCount else {
    throw KernelError(
      op, "output element count differs from the reduced input", value: output.elementCount)
  }
  let expectedRank = keepDims ? input.rank : input.rank - distinct
  guard output.rank == expectedRank || (expectedRank == 0 && output.rank <= 1) else {
    throw KernelError(op, "output rank does not match keep_dims", value: output.rank)
  }

  // input scale / output scale, then 1/n folded in as TFLM QuantizedMeanOrSum does:
  // shift = floor(log2 n) limited to 32 and to 31 + shift, multiplier * 2^shift / n.
  let base = quantizeMultiplier(Double(inputQuantization.scale) / Double(outputQuantization.scale))
  let n = Int64(reducedCount)
  var shift = Int32(63 - UInt64(n).leadingZeroBitCount)
  shift = min(shift, 32)
  shift = min(shift, 31 + base.shift)
  let folded = QuantizedMultiplier(
    multiplier: Int32(truncatingIfNeeded: (Int64(base.multiplier) << Int64(shift)) / n),
    shift: base.shift - shift)

  return MeanParams(
    dims: dims, outputStrides: strides, outputCount: outputCount, inputCount: input.elementCount,
    reducedCount: reducedCount,
    inputZeroPoint: inputQuantization.zeroPoint, outputZeroPoint: outputQuantization.zeroPoint,
    multiplier: folded)
}

/// Integer-only MEAN. `scratch` holds `p.scratchCount` Int32 (from the arena).
public func mean(
  _ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
  scratch: UnsafeMutablePointer<Int32>
) {
  for i in 0..<p.outputCount { scratch[i] = 0 }
  var index = 0
  for i0 in 0..<p.dims[0] {
    for i1 in 0..<p.dims[1] {
      for i2 in 0..<p.dims[2] {
        for i3 in 0..<p.dims[3] {
          let base =
            i0 * p.outputStrides[0] + i1 * p.outputStrides[1] + i2 * p.outputStrides[2]
            + i3 * p.outputStrides[3]
          for i4 in 0..<p.dims[4] {
            scratch[base + i4 * p.outputStrides[4]] &+= Int32(input[index])
            index += 1
          }
        }
      }
    }
  }
  let zeroPointSum = Int64(p.inputZeroPoint) * Int64(p.reducedCount)
  for i in 0..<p.outputCount {
    let sum = Int32(truncatingIfNeeded: Int64(scratch[i]) - zeroPointSum)
    let v =
      multiplyByQuantizedMultiplier(sum, p.multiplier.multiplier, p.multiplier.shift)
      &+ p.outputZeroPoint
    output[i] = Int8(truncatingIfNeeded: min(max(v, -128), 127))
  }
}
