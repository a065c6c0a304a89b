// CONV_2D fast path: per output pixel, gather the input patch once as int16 (offset
// added, zeros where the window hangs over the padding), then compute four output
// channels per pass as dot products of the patch with four filter rows.
//
// Same integers as `conv2DReference`: a padded tap contributes 0 there (skipped) and
// 0 here (zero in the patch); the rest is the same wrapping int32 sum in another order.
//
// Constraints (checked by `prepareConv2D`, which otherwise picks the reference):
// groups == 1, KH * KW * C_in <= `stackPatchCapacity` (the patch lives on the stack).
// Layouts: input [N, H, W, C_in], filter [C_out, KH, KW, C_in] (one patch-sized row
// per output channel, in patch order), bias [C_out], output [N, OH, OW, C_out].
//
// Costs: the gather is KH * KW * C_in moves per pixel against KH * KW * C_in * C_out
// multiply-adds; a 1x1 convolution (DS-CNN's pointwise layers) is a plain int8 GEMM
// whose input rows get widened once per pixel.

/// CONV_2D through the patch GEMM; shapes checked by `prepareConv2D` with
/// `p.path == .patchGEMM`.
public func conv2DPatchGEMM(
  _ p: Conv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let batches = inputShape[0]
  let inputHeight = inputShape[1]
  let inputWidth = inputShape[2]
  let inputDepth = inputShape[3]
  let filterHeight = filterShape[1]
  let filterWidth = filterShape[2]
  let outputHeight = outputShape[1]
  let outputWidth = outputShape[2]
  let outputDepth = outputShape[3]
  let patchSize = filterHeight * filterWidth * inputDepth
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let (outputOffset, low, high) = (p.outputOffset, p.activation.min, p.activation.max)
  let vectorChannels = outputDepth & ~3
  p.channels.multipliers.withUnsafeBufferPointer { multipliers in
    p.channels.shifts.withUnsafeBufferPointer { shifts in
      let multiplier = multipliers.baseAddress!
      let shift = shifts.baseAddress!
      withStackPatch { patch in
        var out = output
        for b in 0..<batches {
          for oy in 0..<outputHeight {
            let inYOrigin = oy * p.strideHeight - p.padding.height
            for ox in 0..<outputWidth {
              let inXOrigin = ox * p.strideWidth - p.padding.width
              // Gather: one bounds check per tap, then C_in contiguous values, stored in
              // the order `dotProducts4` reads (`pairedIndex`).
              var at = 0
              for fy in 0..<filterHeight {
                let inY = inYOrigin + p.dilationHeight * fy
                let rowInside = inY >= 0 && inY < inputHeight
                for fx in 0..<filterWidth {
                  let inX = inXOrigin + p.dilationWidth * fx
                  if rowInside && inX >= 0 && inX < inputWidth {
                    let src = input + ((b * inputHeight + inY) * inputWidth + inX) * inputDepth
                    for ic in 0..<inputDepth {
                      patch[pairedIndex(at + ic, count: patchSize)] =
                        Int16(truncatingIfNeeded: src[ic]) &+ offset
                    }
                  } else {
                    for ic in 0..<inputDepth { patch[pairedIndex(at + ic, count: patchSize)] = 0 }
                  }
                  at += inputDepth
                }
              }
              var oc = 0
              while oc < vectorChannels {
                var acc = dotProducts4(
                  patch, filter + oc * patchSize, stride: patchSize, count: patchSize)
                if let bias { acc &+= load4(bias + oc) }
                requantizeAndStore4(
                  acc, multiplier: load4(multiplier + oc), shift: load4(shift + oc),
                  outputOffset: outputOffset, min: low, max: high, to: out + oc)
                oc &+= 4
              }
              while oc < outputDepth {
                var acc = dotProduct(patch, filter + oc * patchSize, count: patchSize)
                if let bias { acc &+= bias[oc] }
                out[oc] = requantize(
                  acc, multiplier: multiplier[oc], shift: shift[oc], outputOffset: outputOffset,
                  min: low, max: high)
                oc &+= 1
              }
              out += outputDepth
            }
          }
        }
      }
    }
  }
}
