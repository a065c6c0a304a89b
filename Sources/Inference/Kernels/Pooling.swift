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
  /// The loops `averagePool2D` runs (set `.reference` to force the plain loops, as
  /// the fast-path tests do); MAX_POOL_2D always runs the reference.
  public var path: Pool2DPath = .channelVectors
}

/// How `averagePool2D` computes: both paths give the same bytes.
public enum Pool2DPath: Equatable, Sendable {
  /// The reference loops, one channel at a time.
  case reference
  /// Window sums for eight channels at a time (`averagePool2DChannelVectors`).
  case channelVectors
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

/// Integer-only AVERAGE_POOL_2D over shapes checked by `preparePool2D`, by `p.path`.
public func averagePool2D(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  switch p.path {
  case .reference:
    averagePool2DReference(
      p, input: input, inputShape: inputShape, output: output, outputShape: outputShape)
  case .channelVectors:
    averagePool2DChannelVectors(
      p, input: input, inputShape: inputShape, output: output, outputShape: outputShape)
  }
}

/// The reference loops of AVERAGE_POOL_2D (TFLM `AveragePool`).
public func averagePool2DReference(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  pool2DReference(
    p, input: input, inputShape: inputShape, output: output, outputShape: outputShape,
    initial: 0, fold: { $0 &+ $1 }, finish: roundedAverage)
}

/// `sum / count` rounded half away from zero with truncating division, as TFLM's
/// average pool divides.
///
///     roundedAverage(5, 2)    // 3
///     roundedAverage(-5, 2)   // -3
@inline(__always)
func roundedAverage(_ sum: Int32, _ count: Int32) -> Int32 {
  sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count
}

/// Integer-only MAX_POOL_2D over shapes checked by `preparePool2D`.
public func maxPool2D(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  pool2DReference(
    p, input: input, inputShape: inputShape, output: output, outputShape: outputShape,
    initial: Int32(Int8.min), fold: { max($0, $1) }
  ) { best, _ in best }
}

/// The reference loops both pools share (TFLM `AveragePool` / `MaxPool`): per output
/// element, the values of its window clipped to the image are folded with `fold`
/// from `initial`; `finish(folded, taps)` gives the output before the activation
/// clamp. Inlined with its non-escaping closures: one plain loop per pool.
@inline(__always)
func pool2DReference(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape,
  initial: Int32, fold: (Int32, Int32) -> Int32, finish: (Int32, Int32) -> Int32
) {
  let (batches, inputHeight, inputWidth, depth) = inputShape.nhwc
  let (_, outputHeight, outputWidth, _) = outputShape.nhwc
  for b in 0..<batches {
    for oy in 0..<outputHeight {
      for ox in 0..<outputWidth {
        let w = poolWindow(p, oy: oy, ox: ox, inputHeight: inputHeight, inputWidth: inputWidth)
        let count = Int32((w.yEnd - w.yStart) * (w.xEnd - w.xStart))
        for c in 0..<depth {
          var acc = initial
          for fy in w.yStart..<w.yEnd {
            for fx in w.xStart..<w.xEnd {
              acc = fold(
                acc,
                Int32(input[((b * inputHeight + w.inY + fy) * inputWidth + w.inX + fx) * depth + c])
              )
            }
          }
          let v = min(max(finish(acc, count), p.activation.min), p.activation.max)
          output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = Int8(
            truncatingIfNeeded: v)
        }
      }
    }
  }
}

/// AVERAGE_POOL_2D with window sums over eight channels at a time (channels are
/// contiguous in a pixel), then the reference's rounding division per channel. Same
/// integers as `averagePool2DReference`: the same int32 sums, the same division.
public func averagePool2DChannelVectors(
  _ p: Pool2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let (batches, inputHeight, inputWidth, depth) = inputShape.nhwc
  let (_, outputHeight, outputWidth, _) = outputShape.nhwc
  let vectorChannels = depth & ~7
  @inline(__always) func average(_ sum: Int32, _ count: Int32) -> Int8 {
    let q = roundedAverage(sum, count)
    return Int8(truncatingIfNeeded: min(max(q, p.activation.min), p.activation.max))
  }
  var out = output
  for b in 0..<batches {
    for oy in 0..<outputHeight {
      for ox in 0..<outputWidth {
        let w = poolWindow(p, oy: oy, ox: ox, inputHeight: inputHeight, inputWidth: inputWidth)
        let count = Int32((w.yEnd - w.yStart) * (w.xEnd - w.xStart))
        let origin = input + ((b * inputHeight + w.inY) * inputWidth + w.inX) * depth
        var c = 0
        while c < vectorChannels {
          var sum = SIMD8<Int32>()
          for fy in w.yStart..<w.yEnd {
            let row = origin + fy * inputWidth * depth + c
            for fx in w.xStart..<w.xEnd {
              sum &+= SIMD8<Int32>(truncatingIfNeeded: loadWidened8(row + fx * depth))
            }
          }
          for lane in 0..<8 { out[c + lane] = average(sum[lane], count) }
          c &+= 8
        }
        while c < depth {
          var sum: Int32 = 0
          for fy in w.yStart..<w.yEnd {
            for fx in w.xStart..<w.xEnd {
              sum &+= Int32(origin[(fy * inputWidth + fx) * depth + c])
            }
          }
          out[c] = average(sum, count)
          c &+= 1
        }
        out += depth
      }
    }
  }
}
