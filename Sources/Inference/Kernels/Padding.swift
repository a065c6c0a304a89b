// SAME / VALID padding as TFLM computes it (tensorflow/lite/kernels/padding.h), shared by
// CONV_2D, DEPTHWISE_CONV_2D and the pools.

/// The padding scheme of a windowed op.
public enum PaddingMode: Equatable, Sendable {
  /// Output size ceil(input / stride); the window may hang over the edges.
  case same
  /// Output size (input - effective filter) / stride + 1; the window stays inside.
  case valid
}

/// Rows / columns of implicit padding before the first input element. The `Offset`s are
/// 1 when the total padding is odd (the extra one goes after the last element); the
/// reference kernels only use `height` and `width`.
public struct PaddingValues: Equatable, Sendable {
  public var height: Int
  public var width: Int
  public var heightOffset: Int
  public var widthOffset: Int

  public init(height: Int, width: Int, heightOffset: Int = 0, widthOffset: Int = 0) {
    self.height = height
    self.width = width
    self.heightOffset = heightOffset
    self.widthOffset = widthOffset
  }
}

/// Output size along one axis (TFLM `ComputeOutSize`); 0 for a zero stride, and may be
/// <= 0 for VALID when the filter is larger than the input (callers reject that).
///
///     windowOutputSize(.same, input: 49, filter: 10, stride: 2)    // 25
///     windowOutputSize(.valid, input: 49, filter: 10, stride: 2)   // 20
public func windowOutputSize(
  _ mode: PaddingMode, input: Int, filter: Int, stride: Int, dilation: Int = 1
) -> Int {
  guard stride > 0 else { return 0 }
  let effectiveFilter = (filter - 1) * dilation + 1
  switch mode {
  case .same: return (input + stride - 1) / stride
  case .valid: return (input + stride - effectiveFilter) / stride
  }
}

/// Padding before the first element along one axis, and the odd remainder (TFLM
/// `ComputePaddingWithOffset`): total = max(0, (out - 1) * stride + effective filter - in).
///
///     windowPadding(input: 49, filter: 10, stride: 2, output: 25)   // (4, 0): total 8
public func windowPadding(input: Int, filter: Int, stride: Int, dilation: Int = 1, output: Int)
  -> (padding: Int, offset: Int)
{
  let effectiveFilter = (filter - 1) * dilation + 1
  let total = Swift.max(0, (output - 1) * stride + effectiveFilter - input)
  return (total / 2, total % 2)
}

/// The output height and width and the padding of a 2-D window op (TFLM
/// `ComputePaddingHeightWidth`).
public func windowGeometry(
  _ mode: PaddingMode, inputHeight: Int, inputWidth: Int, filterHeight: Int, filterWidth: Int,
  strideHeight: Int, strideWidth: Int, dilationHeight: Int = 1, dilationWidth: Int = 1
) -> (outputHeight: Int, outputWidth: Int, padding: PaddingValues) {
  let outH = windowOutputSize(
    mode, input: inputHeight, filter: filterHeight, stride: strideHeight, dilation: dilationHeight)
  let outW = windowOutputSize(
    mode, input: inputWidth, filter: filterWidth, stride: strideWidth, dilation: dilationWidth)
  let h = windowPadding(
    input: inputHeight, filter: filterHeight, stride: strideHeight, dilation: dilationHeight,
    output: outH)
  let w = windowPadding(
    input: inputWidth, filter: filterWidth, stride: strideWidth, dilation: dilationWidth,
    output: outW)
  return (
    outH, outW,
    PaddingValues(
      height: h.padding, width: w.padding, heightOffset: h.offset, widthOffset: w.offset)
  )
}

/// Checks strides / dilations, computes the geometry and checks it against the output
/// shape the model declares.
func checkedWindowGeometry(
  op: StaticString, _ mode: PaddingMode, input: Shape, output: Shape, filterHeight: Int,
  filterWidth: Int, strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int
) throws(KernelError) -> PaddingValues {
  guard strideHeight > 0 else {
    throw KernelError(op, "stride height must be positive", value: strideHeight)
  }
  guard strideWidth > 0 else {
    throw KernelError(op, "stride width must be positive", value: strideWidth)
  }
  guard dilationHeight > 0 else {
    throw KernelError(op, "dilation height must be positive", value: dilationHeight)
  }
  guard dilationWidth > 0 else {
    throw KernelError(op, "dilation width must be positive", value: dilationWidth)
  }
  guard filterHeight > 0, filterWidth > 0 else {
    throw KernelError(op, "filter size must be positive", value: min(filterHeight, filterWidth))
  }
  let g = windowGeometry(
    mode, inputHeight: input[1], inputWidth: input[2], filterHeight: filterHeight,
    filterWidth: filterWidth, strideHeight: strideHeight, strideWidth: strideWidth,
    dilationHeight: dilationHeight, dilationWidth: dilationWidth)
  guard g.outputHeight > 0, g.outputWidth > 0 else {
    throw KernelError(op, "filter larger than the input for VALID padding", value: filterHeight)
  }
  guard output[1] == g.outputHeight else {
    throw KernelError(op, "output height does not match the padding", value: output[1])
  }
  guard output[2] == g.outputWidth else {
    throw KernelError(op, "output width does not match the padding", value: output[2])
  }
  return g.padding
}
