// SPLIT: cut a tensor into `num_splits` equal pieces along an axis (TFLM
// `split.cc`). Operands are (axis, data), the axis first, and must be constant.
// The pieces are SPLIT_V's with equal sizes, so the same kernel copies them.

/// Checks a SPLIT and gives SPLIT_V's parameters for it.
///
///     // input [1, 10, 8], axis -1, num_splits 2 -> two outputs [1, 10, 4]
public func prepareSplit(
  input: Shape, axis rawAxis: Int, splitCount: Int, outputCount: Int, outputShape: (Int) -> Shape,
  elementSize: Int
) throws(OperatorError) -> SplitVParams {
  guard splitCount == outputCount, splitCount >= 1 else {
    throw OperatorError("num_splits differs from the number of outputs", value: splitCount)
  }
  let axis = try resolveAxis(rawAxis, rank: input.rank)
  guard input[axis] % splitCount == 0 else {
    throw OperatorError("axis size is not a multiple of num_splits", value: input[axis])
  }
  let sizes = [Int32](repeating: Int32(input[axis] / splitCount), count: splitCount)
  return try prepareSplitV(
    input: input, sizes: sizes, axis: axis, outputCount: outputCount, outputShape: outputShape,
    elementSize: elementSize)
}
