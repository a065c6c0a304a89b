// SPLIT_V: cut one tensor into pieces of given sizes along an axis, TFLM semantics
// (kernels/split_v.cc): inputs (data, size_splits int32 [n], axis int32 scalar);
// the axis must be constant. One size may be -1 ("the rest"). The inverse of
// CONCATENATION: per outer index, each output takes its block in turn.

public struct SplitVParams: Sendable {
  /// The axis, resolved to 0..<rank.
  public var axis: Int
  public var outer: Int
  /// Bytes per unit of the split axis (inner elements * element size).
  public var unitBytes: Int
}

/// Checks the split sizes against the input and the output shapes.
public func prepareSplitV(
  input: Shape, sizes: [Int32], axis rawAxis: Int, outputCount: Int, outputShape: (Int) -> Shape, elementSize: Int
) throws(OperatorError) -> SplitVParams {
  let axis = try resolveAxis(rawAxis, rank: input.rank)
  guard sizes.count == outputCount else { throw OperatorError("size_splits count differs from output count", value: sizes.count) }
  var known = 0
  var unknown = -1
  for (i, s) in sizes.enumerated() {
    if s == -1 {
      guard unknown < 0 else { throw OperatorError("more than one -1 in size_splits") }
      unknown = i
    } else {
      guard s >= 0 else { throw OperatorError("negative split size", value: Int(s)) }
      known += Int(s)
    }
  }
  guard known <= input[axis] else { throw OperatorError("split sizes exceed the axis", value: known) }
  guard unknown >= 0 || known == input[axis] else { throw OperatorError("split sizes do not add up to the axis", value: known) }
  for i in 0..<outputCount {
    let size = i == unknown ? input[axis] - known : Int(sizes[i])
    let s = outputShape(i)
    guard s.rank == input.rank else { throw OperatorError("output rank differs from input", value: s.rank) }
    for d in 0..<s.rank {
      let expected = d == axis ? size : input[d]
      guard s[d] == expected else { throw OperatorError("output shape does not match the split", value: i) }
    }
  }
  return SplitVParams(axis: axis, outer: outerCount(input, before: axis), unitBytes: innerCount(input, after: axis) * elementSize)
}

/// Copies the pieces out. `output(i)` gives output i's data and its size along the axis.
@inlinable
public func splitV(
  _ p: SplitVParams, input: UnsafeRawPointer, outputCount: Int, output: (Int) -> (UnsafeMutableRawPointer, Int)
) {
  var src = input
  for o in 0..<p.outer {
    for i in 0..<outputCount {
      let (data, axisSize) = output(i)
      let block = axisSize * p.unitBytes
      (data + o * block).copyMemory(from: src, byteCount: block)
      src += block
    }
  }
}
