// MAXIMUM and MINIMUM with broadcasting: TFLM `maximum_minimum.cc`
// (`MaximumMinimumBroadcastSlow`). The raw values are compared as they are: no
// requantization, whatever the three tensors' scales say (converters give them one
// quantization; TFLM does not check it, and neither do we, so any model computes
// what TFLM computes).

/// Which of the two ops, and the element type it compares.
public struct MaximumMinimumParams: Sendable {
  public enum Element: Sendable { case int8, int16, int32, float32 }
  public var isMaximum: Bool
  public var element: Element
  public var plan: BroadcastPlan
}

/// Prepares MAXIMUM / MINIMUM: shapes that broadcast, one element type.
public func prepareMaximumMinimum(
  isMaximum: Bool, input1: Shape, input2: Shape, output: Shape,
  element: MaximumMinimumParams.Element
) throws(OperatorError) -> MaximumMinimumParams {
  guard let plan = BroadcastPlan(input1, input2, output: output) else {
    throw OperatorError("input shapes do not broadcast to the output shape", value: output.rank)
  }
  return MaximumMinimumParams(isMaximum: isMaximum, element: element, plan: plan)
}

/// The larger (MAXIMUM) or smaller (MINIMUM) of each broadcast pair. TFLM's
/// functors are `a > b ? a : b` and `a < b ? a : b`; the same expressions keep
/// float NaN handling identical.
@inlinable
public func maximumMinimum<T: Comparable>(
  _ p: MaximumMinimumParams, input1: UnsafePointer<T>, input2: UnsafePointer<T>,
  output: UnsafeMutablePointer<T>
) {
  if p.isMaximum {
    p.plan.forEachIndex { o, i, j in output[o] = input1[i] > input2[j] ? input1[i] : input2[j] }
  } else {
    p.plan.forEachIndex { o, i, j in output[o] = input1[i] < input2[j] ? input1[i] : input2[j] }
  }
}

/// Runs `maximumMinimum` for the element type chosen at prepare.
public func maximumMinimum(
  _ p: MaximumMinimumParams, input1: UnsafeRawPointer, input2: UnsafeRawPointer,
  output: UnsafeMutableRawPointer
) {
  func run<T: Comparable>(_: T.Type) {
    maximumMinimum(
      p, input1: input1.assumingMemoryBound(to: T.self),
      input2: input2.assumingMemoryBound(to: T.self),
      output: output.assumingMemoryBound(to: T.self))
  }
  switch p.element {
  case .int8: run(Int8.self)
  case .int16: run(Int16.self)
  case .int32: run(Int32.self)
  case .float32: run(Float.self)
  }
}
