// AVERAGE_POOL_2D and MAX_POOL_2D on int8: TFLM `reference_integer_ops::AveragePool`
// and `MaxPool`. Input and output share scale and zero point (the converter
// guarantees it), so there is no requantization: the average is the integer sum
// divided by the number of taps inside the image, rounded half away from zero.
//
// Layouts: input [N, H, W, C], output [N, OH, OW, C].

/// Everything the integer eval needs, computed once by `preparePool2D`.
public struct Pool2DParams: Sendable {
  public var filterHeight: Int
  public var filterWidth: Int
  public var strideHeight: Int
  public var strideWidth: Int
  public var padding: PaddingValues
  public var activation: ActivationRange
}

/// Checks the shapes of a pool and computes its padding and clamp range.
public func preparePool2D(
  input: Shape, output: Shape, outputQuantization: TensorQuantization,
  padding: PaddingMode, filterHeight: Int, filterWidth: Int,
  strideHeight: Int, strideWidth: Int, activation: FusedActivation
) throws(KernelError) -> Pool2DParams {
  let op: StaticString = "POOL_2D"
  try checkRank4(input, op: op, what: "input must be [N, H, W, C] with positive dimensions")
  try checkRank4(output, op: op, what: "output must be [N, H, W, C] with positive dimensions")
  guard output[0] == input[0] else {
    throw KernelError(op, "output batch differs from input batch", value: output[0])
  }
  guard output[3] == input[3] else {
    throw KernelError(op, "output depth differs from input depth", value: output[3])
  }
  try checkZeroPoint(outputQuantization.zeroPoint, op: op)
  let pad = try checkedWindowGeometry(
    op: op, padding, input: input, output: output, filterHeight: filterHeight,
    filterWidth: filterWidth, strideHeight: strideHeight, strideWidth: strideWidth,
    dilationHeight: 1, dilationWidth: 1)
  // A window entirely in the padding would have no taps (TFLM fails at eval then).
  // It cannot happen when the padding is smaller than the filter, which TFLM's
  // padding rule guarantees; checked here once instead of per output.
  guard pad.height < filterHeight, pad.width < filterWidth else {
    throw KernelError(op, "padding as large as the filter", value: max(pad.height, pad.width))
  }
  return Pool2DParams(
    filterHeight: filterHeight, filterWidth: filterWidth, strideHeight: strideHeight,
    strideWidth: strideWidth, padding: pad,
    activation: activationRange(activation, output: outputQuantization))
}

/// The window of output (oy, ox) clipped to the image: [yStart, yEnd) x [xStart, xEnd)
/// in filter coordinates, and the input origin.
@inline(__always)
func poolWindow(_ p: Pool2DParams, oy: Int, ox: Int, inputHeight: Int, inputWidth: Int)
  -> (inY: Int, inX: Int, yStart: Int, yEnd: Int, xStart: Int, xEnd: Int)
{
  let inY = oy * p.strideHeight - p.padding.height
  let inX = ox * p.strideWidth - p.padding.width
  return (
    inY, inX,
    max(0, -inY), min(p.filterHeight, inputHeight - inY),
    max(0, -inX), min(p.filterWidth, inputWidth - inX)
  )
}

/// Integer-only AVERAGE_POOL_2D over shapes checked by `preparePool2D`.
public func averagePool2D(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let (batches, inputHeight, inputWidth, depth) = (
    inputShape[0], inputShape[1], inputShape[2], inputShape[3]
  )
  let (outputHeight, outputWidth) = (outputShape[1], outputShape[2])
  for b in 0..<batches {
    for oy in 0..<outputHeight {
      for ox in 0..<outputWidth {
        let w = poolWindow(p, oy: oy, ox: ox, inputHeight: inputHeight, inputWidth: inputWidth)
        let count = Int32((w.yEnd - w.yStart) * (w.xEnd - w.xStart))
        for c in 0..<depth {
          var acc: Int32 = 0
          for fy in w.yStart..<w.yEnd {
            for fx in w.xStart..<w.xEnd {
              acc &+= Int32(
                input[((b * inputHeight + w.inY + fy) * inputWidth + w.inX + fx) * depth + c])
            }
          }
          // Round half away from zero with truncating division, as TFLM.
          acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
          acc = min(max(acc, p.activation.min), p.activation.max)
          output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = Int8(
            truncatingIfNeeded: acc)
        }
      }
    }
  }
}

/// Integer-only MAX_POOL_2D over shapes checked by `preparePool2D`.
public func maxPool2D(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let (batches, inputHeight, inputWidth, depth) = (
    inputShape[0], inputShape[1], inputShape[2], inputShape[3]
  )
  let (outputHeight, outputWidth) = (outputShape[1], outputShape[2])
  for b in 0..<batches {
    for oy in 0..<outputHeight {
      for ox in 0..<outputWidth {
        let w = poolWindow(p, oy: oy, ox: ox, inputHeight: inputHeight, inputWidth: inputWidth)
        for c in 0..<depth {
          var best = Int32(Int8.min)
          for fy in w.yStart..<w.yEnd {
            for fx in w.xStart..<w.xEnd {
              best = max(
                best,
                Int32(input[((b * inputHeight + w.inY + fy) * inputWidth + w.inX + fx) * depth + c])
              )
            }
          }
          best = min(max(best, p.activation.min), p.activation.max)
          output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = Int8(
            truncatingIfNeeded: best)
        }
      }
    }
  }
}
