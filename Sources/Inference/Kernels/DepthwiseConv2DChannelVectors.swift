// DEPTHWISE_CONV_2D fast path for depth multiplier 1 and no dilation (DS-CNN's 3x3
// layers, microWakeWord's time-axis filters): channels are contiguous in both the
// input pixel and the filter tap, so sixteen (then eight) channels are one vector. The window is
// clipped to the image once per output pixel; the inner loop has no bounds checks.
//
// Same integers as `depthwiseConv2DReference`: each product (x + offset) * w lies in
// -32640...32640 and is exact in int16; the sums are the same wrapping int32 sums
// (taps outside the image are skipped by both).
//
// Layouts: input [N, H, W, C], filter [1, KH, KW, C], bias [C], output [N, OH, OW, C].

/// DEPTHWISE_CONV_2D with vectors across channels; shapes checked by
/// `prepareDepthwiseConv2D` with `p.path == .channelVectors`.
// Never inlined: the M4 quads path falls back to it, and once its constants came
// through a closure (`withConstants`) -Osize inlined its outer part there; the quads
// loop's registers then cost DS-CNN-S about one more instruction per output (QEMU).
@inline(never)
public func depthwiseConv2DChannelVectors(
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
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let offset32 = p.inputOffset
  let (outputOffset, low, high) = (p.outputOffset, p.activation.min, p.activation.max)
  let vectorChannels = depth & ~7
  let inputRowStride = inputWidth * depth
  let filterRowStride = filterWidth * depth
  p.channels.withConstants { k in
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
          // Input element of tap (fy, fx), channel 0.
          let origin = input + ((b * inputHeight + inY) * inputWidth + inX) * depth
          var c = 0
          // Sixteen channels per pass: one 16-byte load per tap for input and filter.
          while c &+ 16 <= depth {
            var accA = SIMD8<Int32>()
            var accB = SIMD8<Int32>()
            for fy in fyStart..<fyEnd {
              let inRow = origin + fy * inputRowStride + c
              let filterRow = filter + fy * filterRowStride + c
              for fx in fxStart..<fxEnd {
                let x = loadWidened16(inRow + fx * depth)
                let w = loadWidened16(filterRow + fx * depth)
                accA &+= SIMD8<Int32>(truncatingIfNeeded: (x.low &+ offset) &* w.low)
                accB &+= SIMD8<Int32>(truncatingIfNeeded: (x.high &+ offset) &* w.high)
              }
            }
            var quarters = (accA.lowHalf, accA.highHalf, accB.lowHalf, accB.highHalf)
            if let bias {
              quarters.0 &+= load4(bias + c)
              quarters.1 &+= load4(bias + c + 4)
              quarters.2 &+= load4(bias + c + 8)
              quarters.3 &+= load4(bias + c + 12)
            }
            requantizeAndStore4(
              quarters.0, multiplier: k.multipliers4(c), shift: k.shifts4(c),
              outputOffset: outputOffset, min: low, max: high, to: out + c)
            requantizeAndStore4(
              quarters.1, multiplier: k.multipliers4(c + 4), shift: k.shifts4(c + 4),
              outputOffset: outputOffset, min: low, max: high, to: out + c + 4)
            requantizeAndStore4(
              quarters.2, multiplier: k.multipliers4(c + 8), shift: k.shifts4(c + 8),
              outputOffset: outputOffset, min: low, max: high, to: out + c + 8)
            requantizeAndStore4(
              quarters.3, multiplier: k.multipliers4(c + 12), shift: k.shifts4(c + 12),
              outputOffset: outputOffset, min: low, max: high, to: out + c + 12)
            c &+= 16
          }
          while c < vectorChannels {
            var acc = SIMD8<Int32>()
            for fy in fyStart..<fyEnd {
              let inRow = origin + fy * inputRowStride + c
              let filterRow = filter + fy * filterRowStride + c
              for fx in fxStart..<fxEnd {
                let x = loadWidened8(inRow + fx * depth) &+ offset
                let w = loadWidened8(filterRow + fx * depth)
                acc &+= SIMD8<Int32>(truncatingIfNeeded: x &* w)
              }
            }
            var low4 = acc.lowHalf
            var high4 = acc.highHalf
            if let bias {
              low4 &+= load4(bias + c)
              high4 &+= load4(bias + c + 4)
            }
            requantizeAndStore4(
              low4, multiplier: k.multipliers4(c), shift: k.shifts4(c),
              outputOffset: outputOffset, min: low, max: high, to: out + c)
            requantizeAndStore4(
              high4, multiplier: k.multipliers4(c + 4), shift: k.shifts4(c + 4),
              outputOffset: outputOffset, min: low, max: high, to: out + c + 4)
            c &+= 8
          }
          while c < depth {
            var acc: Int32 = 0
            for fy in fyStart..<fyEnd {
              for fx in fxStart..<fxEnd {
                let x = Int32(origin[fy * inputRowStride + fx * depth + c]) &+ offset32
                acc &+= x &* Int32(filter[fy * filterRowStride + fx * depth + c])
              }
            }
            if let bias { acc &+= bias[c] }
            out[c] = requantize(
              acc, multiplier: k.multiplier(c), shift: k.shift(c), outputOffset: outputOffset,
              min: low, max: high)
            c &+= 1
          }
          out += depth
        }
      }
    }
  }
}
