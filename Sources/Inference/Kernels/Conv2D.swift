import FixedPoint

// CONV_2D, int8 activations with per-channel int8 weights and int32 bias: TFLM
// `reference_integer_ops::ConvPerChannel`.
//
// Layouts: input [N, H, W, C_in], filter [C_out, KH, KW, C_in / groups],
// bias [C_out] (optional), output [N, OH, OW, C_out].
// acc = sum filter * (input - input_zero_point) over taps inside the image (taps in
// the padding contribute nothing), + bias; then requantized per output channel,
// + output zero point, clamped to the activation range.

/// Everything the integer eval needs, computed once by `prepareConv2D`.
public struct Conv2DParams: Sendable {
  public var strideHeight: Int
  public var strideWidth: Int
  public var dilationHeight: Int
  public var dilationWidth: Int
  public var padding: PaddingValues
  /// -input zero point, added to every input value.
  public var inputOffset: Int32
  /// The output zero point.
  public var outputOffset: Int32
  public var activation: ActivationRange
  public var channels: ChannelMultipliers
  /// The loops eval runs, chosen by `prepareConv2D` (set `.reference` to force the
  /// plain loops, as the fast-path tests do).
  public var path: Conv2DPath
}

/// How `conv2D` computes: both paths give the same bytes.
public enum Conv2DPath: Equatable, Sendable {
  /// The reference loops: any shape, grouped convolutions too.
  case reference
  /// Per output pixel, its input patch (KH x KW x C_in values, offset added, zeros in
  /// the padding) is gathered as int16 on the stack, then multiplied with four filter
  /// rows at a time (`conv2DPatchGEMM`). Needs groups == 1 and a patch of at most
  /// `stackPatchCapacity` values. A 1x1 convolution's patch is its input pixel.
  case patchGEMM
  /// The patch GEMM shaped for the Cortex-M4's SMLAD: two pixels x two channels per
  /// pass, int8 weights widened in pairs (`conv2DPatchSMLAD`). Same constraints as
  /// `patchGEMM`, and every channel's requantization folded (`ChannelRounding`,
  /// else it runs `patchGEMM`); prepare picks it on ARM.
  case patchSMLAD
}

/// Turns the float quantization of a CONV_2D into integer parameters, checking shapes.
/// `filterScales` holds one scale per output channel, or one for all.
public func prepareConv2D(
  input: Shape, filter: Shape, output: Shape, biasCount: Int?,
  inputQuantization: TensorQuantization, filterScales: [Float],
  outputQuantization: TensorQuantization,
  padding: PaddingMode, strideHeight: Int, strideWidth: Int,
  dilationHeight: Int = 1, dilationWidth: Int = 1, activation: FusedActivation
) throws(KernelError) -> Conv2DParams {
  let op: StaticString = "CONV_2D"
  try checkRank4(input, op: op, what: "input must be [N, H, W, C] with positive dimensions")
  try checkRank4(filter, op: op, what: "filter must be [O, KH, KW, I] with positive dimensions")
  try checkRank4(output, op: op, what: "output must be [N, H, W, C] with positive dimensions")
  guard output[0] == input[0] else {
    throw KernelError(op, "output batch differs from input batch", value: output[0])
  }
  guard output[3] == filter[0] else {
    throw KernelError(op, "output depth differs from filter count", value: output[3])
  }
  // Grouped convolution: the filter sees input_depth / groups channels.
  guard input[3] % filter[3] == 0 else {
    throw KernelError(op, "input depth is not a multiple of the filter depth", value: input[3])
  }
  let groups = input[3] / filter[3]
  guard filter[0] % groups == 0 else {
    throw KernelError(op, "filter count is not a multiple of the group count", value: filter[0])
  }
  if let biasCount, biasCount != filter[0] {
    throw KernelError(op, "bias length differs from the output depth", value: biasCount)
  }
  try checkZeroPoint(inputQuantization.zeroPoint, op: op)
  try checkZeroPoint(outputQuantization.zeroPoint, op: op)
  let pad = try checkedWindowGeometry(
    op: op, padding, input: input, output: output, filterHeight: filter[1], filterWidth: filter[2],
    strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: dilationHeight,
    dilationWidth: dilationWidth)
  let channels = try ChannelMultipliers.checked(
    op: op, input: inputQuantization.scale, filterScales: filterScales,
    output: outputQuantization.scale, channels: filter[0],
    outputOffset: outputQuantization.zeroPoint)
  let patchSize = filter[1] * filter[2] * filter[3]
  // The SMLAD path needs every channel's requantization folded (`ChannelRounding`).
  let path: Conv2DPath =
    groups == 1 && patchSize <= stackPatchCapacity
    ? (dspPathsPreferred && !channels.roundings.isEmpty ? .patchSMLAD : .patchGEMM) : .reference
  return Conv2DParams(
    strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: dilationHeight,
    dilationWidth: dilationWidth, padding: pad, inputOffset: -inputQuantization.zeroPoint,
    outputOffset: outputQuantization.zeroPoint,
    activation: activationRange(activation, output: outputQuantization), channels: channels,
    path: path)
}

/// Integer-only CONV_2D over shapes checked by `prepareConv2D`, by the path prepare chose.
public func conv2D(
  _ p: Conv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  switch p.path {
  case .reference:
    conv2DReference(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
  case .patchGEMM:
    conv2DPatchGEMM(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
  case .patchSMLAD:
    conv2DPatchSMLAD(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
  }
}

/// The reference loops of CONV_2D (TFLM `ConvPerChannel`), for any shape `prepareConv2D`
/// accepts.
public func conv2DReference(
  _ p: Conv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let (batches, inputHeight, inputWidth, inputDepth) = inputShape.nhwc
  let (_, filterHeight, filterWidth, filterDepth) = filterShape.nhwc
  let (_, outputHeight, outputWidth, outputDepth) = outputShape.nhwc
  let groups = inputDepth / filterDepth
  let filtersPerGroup = outputDepth / groups
  p.channels.withOutput(offset: p.outputOffset, activation: p.activation) { q in
    for b in 0..<batches {
      for oy in 0..<outputHeight {
        let inYOrigin = oy * p.strideHeight - p.padding.height
        for ox in 0..<outputWidth {
          let inXOrigin = ox * p.strideWidth - p.padding.width
          for oc in 0..<outputDepth {
            let inChannelBase = (oc / filtersPerGroup) * filterDepth
            var acc: Int32 = 0
            for fy in 0..<filterHeight {
              let inY = inYOrigin + p.dilationHeight * fy
              if inY < 0 || inY >= inputHeight { continue }
              for fx in 0..<filterWidth {
                let inX = inXOrigin + p.dilationWidth * fx
                if inX < 0 || inX >= inputWidth { continue }
                let inRow =
                  input + ((b * inputHeight + inY) * inputWidth + inX) * inputDepth
                  + inChannelBase
                let filterRow =
                  filter + ((oc * filterHeight + fy) * filterWidth + fx) * filterDepth
                for ic in 0..<filterDepth {
                  acc &+= Int32(filterRow[ic]) &* (Int32(inRow[ic]) &+ p.inputOffset)
                }
              }
            }
            if let bias { acc &+= bias[oc] }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] =
              q.requantize(acc, oc)
          }
        }
      }
    }
  }
}
