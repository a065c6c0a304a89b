// Shared vocabulary of the kernels: the error a prepare step reports, and the
// layout helpers the structural ops share.

/// Why an operator cannot run, reported by a kernel's prepare step. The
/// interpreter adds the operator name, node index and subgraph.
public struct OperatorError: Error, Sendable {
  public var reason: StaticString
  /// The offending value (a dimension, an axis, a type code), for the message.
  public var value: Int
  /// true when the model is valid but the feature is not implemented here.
  public var unsupported: Bool

  public init(_ reason: StaticString, value: Int = 0, unsupported: Bool = false) {
    self.reason = reason
    self.value = value
    self.unsupported = unsupported
  }
}

/// Resolves a possibly negative axis (-1 = last) against `rank`.
@inlinable
public func resolveAxis(_ axis: Int, rank: Int) throws(OperatorError) -> Int {
  let a = axis < 0 ? axis + rank : axis
  guard a >= 0, a < rank else { throw OperatorError("axis out of range", value: axis) }
  return a
}

/// Elements before `axis` (the "outer" count of a row-major layout).
@inlinable
public func outerCount(_ shape: Shape, before axis: Int) -> Int {
  var n = 1
  for i in 0..<axis { n *= shape[i] }
  return n
}

/// Elements after `axis` (the "inner" count of a row-major layout).
@inlinable
public func innerCount(_ shape: Shape, after axis: Int) -> Int {
  var n = 1
  for i in (axis + 1)..<max(shape.rank, axis + 1) { n *= shape[i] }
  return n
}
