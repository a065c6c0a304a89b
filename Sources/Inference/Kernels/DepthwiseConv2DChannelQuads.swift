// DEPTHWISE_CONV_2D path shaped for the Cortex-M4 (the one `prepareDepthwiseConv2D`
// picks on ARM): depth multiplier 1, no dilation. Four channels per pass: per tap,
// one word load brings four input bytes and one brings four weights; SXTAB16 adds
// the input offset while widening (bytes 0 and 2, then 1 and 3 after a rotate),
// SXTB16 widens the weights, and SMLABB / SMLATT accumulate each channel's product:
// 10 instructions per tap for 4 multiply-accumulates. The window is clipped to the
// image once per output pixel, so the taps loop has no bounds checks.
//
// Same integers as `depthwiseConv2DReference`: x + offset lies in -255...255 and
// fits an int16 lane, each product is exact, and the sums are the same wrapping
// int32 sums (the bias is added first instead of last: wrapping addition commutes).
//
// Measured on the M4 (QEMU instruction counts, -Osize): 6.9 instructions per MAC
// on DS-CNN's 3x3 layers, requantization included (CMSIS-NN: 7.8). From 9.7: the
// requantization folded into one SMLAL per output (`ChannelRounding`), 8.1; then
// the taps as pointer-stepped loops instead of a written-out row of three (LLVM
// hoisted its six loads and spilled them) and an SSAT clamp for the full int8
// range, 6.9. Tried
// without gain before: the 3x3 window written out for interior pixels, sums to the
// stack then a separate requantization loop, and the taps in a function of their
// own.
//
// Layouts: input [N, H, W, C], filter [1, KH, KW, C], bias [C], output [N, OH, OW, C].

/// DEPTHWISE_CONV_2D four channels at a time with the M4's DSP instructions; shapes
/// checked by `prepareDepthwiseConv2D` (depth multiplier 1, no dilation).
public func depthwiseConv2DChannelQuads(
  _ p: DepthwiseConv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let batches = inputShape[0]
  let inputHeight = inputShape[1]
  let inputWidth = inputShape[2]
  let depth = inputShape[3]
  let filterHeight = filterShape[1]
  let filterWidth = filterShape[2]
  let outputHeight = outputShape[1]
  let outputWidth = outputShape[2]
  guard !p.channels.roundings.isEmpty else {
    // A channel whose requantization does not fold (`ChannelRounding`): the generic
    // path, same bytes.
    depthwiseConv2DChannelVectors(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
    return
  }
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let offsetPair = lanePair(offset, offset)
  let (low, high) = (p.activation.min, p.activation.max)
  let quads = depth & ~3
  let inputRowStride = inputWidth * depth
  let filterRowStride = filterWidth * depth
  p.channels.roundings.withUnsafeBufferPointer { roundings in
    let rounding = roundings.baseAddress!
    // The loops for one clamp range [low, high]: instantiated twice below, so the
    // full int8 range (ReLU after a zero point of -128, no activation) clamps with
    // one SSAT instead of two compares and moves per output.
    @inline(__always) func run(low: Int32, high: Int32) {
      @inline(__always) func store(_ acc: Int32, _ c: Int, to out: UnsafeMutablePointer<Int8>) {
        out[c] = rounding[c].requantize(acc, min: low, max: high)
      }
      var out = output
      for b in 0..<batches {
        for oy in 0..<outputHeight {
          let inY = oy * p.strideHeight - p.padding.height
          let fyStart = max(0, -inY)
          // A window wholly outside the image (possible for odd strides) has no taps.
          let fyEnd = max(fyStart, min(filterHeight, inputHeight - inY))
          for ox in 0..<outputWidth {
            let inX = ox * p.strideWidth - p.padding.width
            let fxStart = max(0, -inX)
            let fxEnd = max(fxStart, min(filterWidth, inputWidth - inX))
            // Input element of tap (fy, fx), channel 0 (may point before the image
            // when the window overhangs; only taps inside are read).
            let origin = input + ((b * inputHeight + inY) * inputWidth + inX) * depth
            // The first tap inside the image, in the input and in the filter.
            let tapStart = fyStart &* inputRowStride &+ fxStart &* depth
            let filterStart = fyStart &* filterRowStride &+ fxStart &* depth
            var c = 0
            while c < quads {
              var a0 = bias?[c] ?? 0
              var a1 = bias?[c &+ 1] ?? 0
              var a2 = bias?[c &+ 2] ?? 0
              var a3 = bias?[c &+ 3] ?? 0
              // Pointers stepped tap by tap (post-indexed loads): a row's taps as a
              // loop; unrolled, LLVM hoisted all six loads and spilled them.
              var inRow = UnsafeRawPointer(origin + (tapStart &+ c))
              var filterRow = UnsafeRawPointer(filter + (filterStart &+ c))
              for _ in fyStart..<fyEnd {
                var x = inRow
                var w = filterRow
                for _ in fxStart..<fxEnd {
                  let xw = loadWord(x)
                  let ww = loadWord(w)
                  // Lanes (c, c+2) and (c+1, c+3).
                  let xEven = sxtab16(offsetPair, xw)
                  let xOdd = sxtab16(offsetPair, rotatedRight8(xw))
                  let wEven = sxtb16(ww)
                  let wOdd = sxtb16(rotatedRight8(ww))
                  a0 = smlabb(xEven, wEven, a0)
                  a2 = smlatt(xEven, wEven, a2)
                  a1 = smlabb(xOdd, wOdd, a1)
                  a3 = smlatt(xOdd, wOdd, a3)
                  x += depth
                  w += depth
                }
                inRow += inputRowStride
                filterRow += filterRowStride
              }
              store(a0, c, to: out)
              store(a1, c &+ 1, to: out)
              store(a2, c &+ 2, to: out)
              store(a3, c &+ 3, to: out)
              c &+= 4
            }
            while c < depth {
              var acc = bias?[c] ?? 0
              for fy in fyStart..<fyEnd {
                for fx in fxStart..<fxEnd {
                  let x = Int32(origin[fy * inputRowStride + fx * depth + c]) &+ p.inputOffset
                  acc &+= x &* Int32(filter[fy * filterRowStride + fx * depth + c])
                }
              }
              store(acc, c, to: out)
              c &+= 1
            }
            out += depth
          }
        }
      }
    }
    if low == -128 && high == 127 {
      run(low: -128, high: 127)
    } else {
      run(low: low, high: high)
    }
  }
}
