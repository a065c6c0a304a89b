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
// whose input rows get widened once per pixel. Pixels go in pairs when two patches
// fit the stack buffer (KH * KW * C_in <= 256), so each widened filter row serves two
// pixels: 4 channels x 2 pixels = 8 accumulators per pass.

/// CONV_2D through the patch GEMM; shapes checked by `prepareConv2D` with
/// `p.path == .patchGEMM`.
public func conv2DPatchGEMM(
  _ p: Conv2DParams,
  input: UnsafePointer<Int8>, inputShape: Shape,
  filter: UnsafePointer<Int8>, filterShape: Shape,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>, outputShape: Shape
) {
  let inputHeight = inputShape[1]
  let inputWidth = inputShape[2]
  let inputDepth = inputShape[3]
  let filterHeight = filterShape[1]
  let filterWidth = filterShape[2]
  let outputHeight = outputShape[1]
  let outputWidth = outputShape[2]
  let outputDepth = outputShape[3]
  let pixels = outputShape[0] * outputHeight * outputWidth
  let patchSize = filterHeight * filterWidth * inputDepth
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let (outputOffset, low, high) = (p.outputOffset, p.activation.min, p.activation.max)
  let vectorChannels = outputDepth & ~3
  let pairs = 2 * patchSize <= stackPatchCapacity

  // Gathers output pixel `n`'s patch (n over batch, row, column) into `patch`: one
  // bounds check per tap, then C_in contiguous values, stored in the order the dot
  // products read (`pairedIndex`); taps in the padding are zeros.
  func gather(_ n: Int, into patch: UnsafeMutablePointer<Int16>) {
    let ox = n % outputWidth
    let oy = (n / outputWidth) % outputHeight
    let b = n / (outputWidth * outputHeight)
    let inYOrigin = oy * p.strideHeight - p.padding.height
    let inXOrigin = ox * p.strideWidth - p.padding.width
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
  }

  p.channels.withConstants { k in
    withStackPatch { patch in
      let second = patch + patchSize
      var n = 0
      while n < pixels {
        let out = output + n * outputDepth
        gather(n, into: patch)
        if pairs && n + 1 < pixels {
          gather(n + 1, into: second)
          let out1 = out + outputDepth
          var oc = 0
          while oc < vectorChannels {
            var (acc0, acc1) = dotProducts4x2(
              patch, second, filter + oc * patchSize, stride: patchSize, count: patchSize)
            let m = k.multipliers4(oc)
            let s = k.shifts4(oc)
            if let bias {
              let b4 = load4(bias + oc)
              acc0 &+= b4
              acc1 &+= b4
            }
            requantizeAndStore4(
              acc0, multiplier: m, shift: s, outputOffset: outputOffset, min: low, max: high,
              to: out + oc)
            requantizeAndStore4(
              acc1, multiplier: m, shift: s, outputOffset: outputOffset, min: low, max: high,
              to: out1 + oc)
            oc &+= 4
          }
          while oc < outputDepth {
            let row = filter + oc * patchSize
            var acc0 = dotProduct(patch, row, count: patchSize)
            var acc1 = dotProduct(second, row, count: patchSize)
            if let bias {
              acc0 &+= bias[oc]
              acc1 &+= bias[oc]
            }
            out[oc] = requantize(
              acc0, multiplier: k.multiplier(oc), shift: k.shift(oc), outputOffset: outputOffset,
              min: low, max: high)
            out1[oc] = requantize(
              acc1, multiplier: k.multiplier(oc), shift: k.shift(oc), outputOffset: outputOffset,
              min: low, max: high)
            oc &+= 1
          }
          n += 2
          continue
        }
        var oc = 0
        while oc < vectorChannels {
          var acc = dotProducts4(
            patch, filter + oc * patchSize, stride: patchSize, count: patchSize)
          if let bias { acc &+= load4(bias + oc) }
          requantizeAndStore4(
            acc, multiplier: k.multipliers4(oc), shift: k.shifts4(oc),
            outputOffset: outputOffset, min: low, max: high, to: out + oc)
          oc &+= 4
        }
        while oc < outputDepth {
          var acc = dotProduct(patch, filter + oc * patchSize, count: patchSize)
          if let bias { acc &+= bias[oc] }
          out[oc] = requantize(
            acc, multiplier: k.multiplier(oc), shift: k.shift(oc), outputOffset: outputOffset,
            min: low, max: high)
          oc &+= 1
        }
        n += 1
      }
    }
  }
}
