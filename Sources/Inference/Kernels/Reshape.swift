// RESHAPE: same bytes, new shape. TFLM copies the input to the output unless both
// share a buffer; our memory planner makes the output an alias of the input
// whenever it can, so the copy below runs only for the rare unaliased case.
//
// The output shape is the one stored in the model (static shapes only); Prepare
// checks that it holds as many elements as the input, like TFLM's ReshapeOutput.

/// Checks a RESHAPE: same element count and type on both sides.
public func prepareReshape(input: Shape, inputType: TensorType, output: Shape, outputType: TensorType) throws(OperatorError) {
  guard inputType == outputType else { throw OperatorError("input and output types differ") }
  guard input.elementCount == output.elementCount else {
    throw OperatorError("output element count differs from the input's", value: output.elementCount)
  }
}

/// Copies `byteCount` bytes unless input and output already share them.
@inlinable
public func copyIfDistinct(from input: UnsafeRawPointer, to output: UnsafeMutableRawPointer, byteCount: Int) {
  if UnsafeRawPointer(output) != input { output.copyMemory(from: input, byteCount: byteCount) }
}
