// CONCATENATION along one axis, TFLM semantics (kernels/concatenation.cc,
// reference/concatenation.h): inputs of one type and rank <= 6 that agree on every
// dimension but `axis`; bytes are copied as they are, never requantized, so the
// TFLM release we test against refuses int8 inputs whose scale or zero point differ
// from the output's (the interpreter checks that); no fused activation.
//
// Layout: with outer = product of dims before the axis, each input contributes a
// block of dim_i(axis) * inner elements per outer index, laid side by side.
//
//     concat([1,2,1,40], [1,3,1,40], axis 1) -> [1,5,1,40]; outer 1,
//     blocks of 80 and 120 bytes (int8).

public struct ConcatenationParams: Sendable {
  /// The axis, resolved to 0..<rank.
  public var axis: Int
  /// Product of the output dims before the axis.
  public var outer: Int
  /// Bytes per inner element block (inner elements * element size), per unit of axis.
  public var unitBytes: Int
}

/// Checks the inputs against the output; `inputShape(i)` gives input i's shape.
public func prepareConcatenation(
  axis rawAxis: Int, activation: Activation, inputCount: Int, inputShape: (Int) -> Shape, output: Shape,
  elementSize: Int
) throws(OperatorError) -> ConcatenationParams {
  guard case .none = activation else { throw OperatorError("fused activation on CONCATENATION", unsupported: true) }
  guard inputCount >= 1, inputCount <= 10 else { throw OperatorError("input count (TFLM allows 1...10)", value: inputCount) }
  guard output.rank >= 1 else { throw OperatorError("scalar output", value: 0) }
  let axis = try resolveAxis(rawAxis, rank: output.rank)
  var total = 0
  for i in 0..<inputCount {
    let s = inputShape(i)
    guard s.rank == output.rank else { throw OperatorError("input rank differs from output rank", value: s.rank) }
    for d in 0..<s.rank where d != axis && s[d] != output[d] {
      throw OperatorError("input dimension differs from output", value: d)
    }
    total += s[axis]
  }
  guard total == output[axis] else { throw OperatorError("inputs do not add up to the output along the axis", value: total) }
  return ConcatenationParams(axis: axis, outer: outerCount(output, before: axis), unitBytes: innerCount(output, after: axis) * elementSize)
}

/// Copies the inputs into `output`. `input(i)` gives input i's data and its size
/// along the axis.
@inlinable
public func concatenate(
  _ p: ConcatenationParams, inputCount: Int, input: (Int) -> (UnsafeRawPointer, Int), output: UnsafeMutableRawPointer
) {
  var out = output
  for o in 0..<p.outer {
    for i in 0..<inputCount {
      let (data, axisSize) = input(i)
      let block = axisSize * p.unitBytes
      out.copyMemory(from: data + o * block, byteCount: block)
      out += block
    }
  }
}
