// SQUEEZE and EXPAND_DIMS: same bytes, a shape with size-1 dimensions removed or
// inserted (TFLM `squeeze.cc`, `expand_dims.cc`). Like RESHAPE, the memory planner
// lets the output share the input's bytes; prepare only checks the shapes.

/// Checks a SQUEEZE: `squeezeDims` (possibly negative; empty = every size-1
/// dimension) name dimensions of size 1, and the output is the input without them.
///
///     // input [1, 49, 1, 64], squeeze_dims [2] -> output [1, 49, 64]
///     // input [1, 49, 1, 64], squeeze_dims []  -> output [49, 64]
public func prepareSqueeze(input: Shape, squeezeDims: [Int32], output: Shape) throws(OperatorError)
{
  var removed = InlineArray<6, Bool>(repeating: false)
  if squeezeDims.isEmpty {
    for d in 0..<input.rank where input[d] == 1 { removed[d] = true }
  } else {
    for raw in squeezeDims {
      let d = try resolveAxis(Int(raw), rank: input.rank)
      guard input[d] == 1 else {
        throw OperatorError("squeezed dimension is not of size 1", value: Int(raw))
      }
      removed[d] = true
    }
  }
  var o = 0
  for d in 0..<input.rank where !removed[d] {
    guard o < output.rank, output[o] == input[d] else {
      throw OperatorError(
        "output shape is not the input's without the squeezed dimensions", value: o)
    }
    o += 1
  }
  guard o == output.rank else {
    throw OperatorError("output rank does not match the squeeze", value: output.rank)
  }
}

/// Checks an EXPAND_DIMS: `axis` in [-rank - 1, rank] (negative counts from the
/// end of the output), and the output is the input with a 1 inserted there.
///
///     // input [1, 49, 64], axis 2 (or -2) -> output [1, 49, 1, 64]
public func prepareExpandDims(input: Shape, axis rawAxis: Int, output: Shape) throws(OperatorError)
{
  let axis = try resolveAxis(rawAxis, rank: input.rank + 1)
  guard output.rank == input.rank + 1 else {
    throw OperatorError("output rank must be the input rank + 1", value: output.rank)
  }
  for d in 0..<output.rank {
    let expected = d == axis ? 1 : input[d < axis ? d : d - 1]
    guard output[d] == expected else {
      throw OperatorError("output shape is not the input's with a 1 inserted", value: d)
    }
  }
}
