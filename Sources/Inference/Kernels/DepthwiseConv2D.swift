import FixedPoint

// DEPTHWISE_CONV_2D, int8 activations with per-channel int8 weights and int32 bias:
// TFLM `reference_integer_ops::DepthwiseConvPerChannel`.
//
// Layouts: input [N, H, W, C], filter [1, KH, KW, C * M] (M = depth multiplier),
// bias [C * M] (optional), output [N, OH, OW, C * M]. Output channel c * M + m reads
// input channel c only.

/// Everything the integer eval needs, computed once by `prepareDepthwiseConv2D`.
public struct DepthwiseConv2DParams: Sendable {
  public var strideHeight: Int
  public var strideWidth: Int
  public var dilationHeight: Int
  public var dilationWidth: Int
  public var depthMultiplier: Int
  public var padding: PaddingValues
  /// -input zero point.
  public var inputOffset: Int32
  /// The output zero point.
  public var outputOffset: Int32
  public var activation: ActivationRange
  public var channels: ChannelMultipliers
  /// The loops eval runs, chosen by `prepareDepthwiseConv2D` (set `.reference` to
  /// force the plain loops, as the fast-path tests do).
  public var path: DepthwiseConv2DPath
}

/// How `depthwiseConv2D` computes: both paths give the same bytes.
public enum DepthwiseConv2DPath: Equatable, Sendable {
  /// The reference loops: any shape.
  case reference
  /// Eight channels at a time, taps clipped to the image once per output pixel
  /// (`depthwiseConv2DChannelVectors`). Needs depth multiplier 1 and no dilation.
  case channelVectors
  /// Four channels at a time with the Cortex-M4's DSP instructions
  /// (`depthwiseConv2DChannelQuads`). Same constraints, and every channel's
  /// requantization folded (`ChannelRounding`, else it runs `channelVectors`);
  /// prepare picks it on ARM.
  case channelQuads
}

/// Turns the float quantization of a DEPTHWISE_CONV_2D into integer parameters.
/// `filterScales`: one per output channel (C * M), or one for all.
public func prepareDepthwiseConv2D(
  input: Shape, filter: Shape, output: Shape, biasCount: Int?,
  inputQuantization: TensorQuantization, filterScales: [Float],
  outputQuantization: TensorQuantization,
  padding: PaddingMode, strideHeight: Int, strideWidth: Int,
  dilationHeight: Int = 1, dilationWidth: Int = 1, depthMultiplier: Int,
  activation: FusedActivation
) throws(KernelError) -> DepthwiseConv2DParams {
  let op: StaticString = "DEPTHWISE_CONV_2D"
  try checkRank4(input, op: op, what: "input must be [N, H, W, C] with positive dimensions")
  try checkRank4(filter, op: op, what: "filter must be [1, KH, KW, C*M] with positive dimensions")
  try checkRank4(output, op: op, what: "output must be [N, H, W, C*M] with positive dimensions")
  guard filter[0] == 1 else {
    throw KernelError(op, "filter must have a leading 1", value: filter[0])
  }
  guard depthMultiplier > 0 else {
    throw KernelError(op, "depth multiplier must be positive", value: depthMultiplier)
  }
  guard filter[3] == input[3] * depthMultiplier else {
    throw KernelError(op, "filter depth differs from input depth * multiplier", value: filter[3])
  }
  guard output[3] == filter[3] else {
    throw KernelError(op, "output depth differs from filter depth", value: output[3])
  }
  guard output[0] == input[0] else {
    throw KernelError(op, "output batch differs from input batch", value: output[0])
  }
  if let biasCount, biasCount != filter[3] {
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
    output: outputQuantization.scale, channels: filter[3],
    outputOffset: outputQuantization.zeroPoint)
  let vectorizable = depthMultiplier == 1 && dilationHeight == 1 && dilationWidth == 1
  // The DSP path needs every channel's requantization folded (`ChannelRounding`).
  let quads = dspPathsPreferred && !channels.roundings.isEmpty
  return DepthwiseConv2DParams(
    strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: dilationHeight,
    dilationWidth: dilationWidth, depthMultiplier: depthMultiplier, padding: pad,
    inputOffset: -inputQuantization.zeroPoint, outputOffset: outputQuantization.zeroPoint,
    activation: activationRange(activation, output: outputQuantization), channels: channels,
    path: vectorizable ? (quads ? .channelQuads : .channelVectors) : .reference)
}

/// Integer-only DEPTHWISE_CONV_2D over shapes checked by `prepareDepthwiseConv2D`, by
/// the path prepare chose.
public func depthwiseConv2D(
  _ p: DepthwiseConv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  switch p.path {
  case .reference:
    depthwiseConv2DReference(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
  case .channelVectors:
    depthwiseConv2DChannelVectors(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
  case .channelQuads:
    depthwiseConv2DChannelQuads(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
  }
}

/// The reference loops of DEPTHWISE_CONV_2D (TFLM `DepthwiseConvPerChannel`), for any
/// shape `prepareDepthwiseConv2D` accepts.
public func depthwiseConv2DReference(
  _ p: DepthwiseConv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let (batches, inputHeight, inputWidth, inputDepth) = inputShape.nhwc
  let (_, filterHeight, filterWidth, _) = filterShape.nhwc
  let (_, outputHeight, outputWidth, outputDepth) = outputShape.nhwc
  let m = p.depthMultiplier
  p.channels.withOutput(offset: p.outputOffset, activation: p.activation) { q in
    for b in 0..<batches {
      for oy in 0..<outputHeight {
        let inYOrigin = oy * p.strideHeight - p.padding.height
        for ox in 0..<outputWidth {
          let inXOrigin = ox * p.strideWidth - p.padding.width
          for ic in 0..<inputDepth {
            for k in 0..<m {
              let oc = ic * m + k
              var acc: Int32 = 0
              for fy in 0..<filterHeight {
                let inY = inYOrigin + p.dilationHeight * fy
                if inY < 0 || inY >= inputHeight { continue }
                for fx in 0..<filterWidth {
                  let inX = inXOrigin + p.dilationWidth * fx
                  if inX < 0 || inX >= inputWidth { continue }
                  let x = Int32(
                    input[((b * inputHeight + inY) * inputWidth + inX) * inputDepth + ic])
                  let w = Int32(filter[(fy * filterWidth + fx) * outputDepth + oc])
                  acc &+= w &* (x &+ p.inputOffset)
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
}
