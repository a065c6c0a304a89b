// CONV_2D path shaped for the Cortex-M4's SMLAD (two int16 multiply-accumulates per
// instruction): the path `prepareConv2D` picks on ARM. Per output pixel, the input
// patch is gathered once as int16 (offset added, zeros in the padding) in "quad
// order"; weights stay int8 in the model (flash) and are widened four at a time
// with two SXTB16s; two pixels x two output channels = four accumulators per pass,
// so each widened weight pair and each patch word serves two SMLADs.
//
// Quad order: within each whole group of four values the patch holds x0 x2 x1 x3.
// A weight word w0 w1 w2 w3 gives sxtb16(w) = (w0, w2) and sxtb16(w ror 8) =
// (w1, w3): the patch's two words line up with them, no shuffles (the layout of
// CMSIS-NN's `read_and_pad_reordered`, learnt from its documentation).
//
// Same integers as `conv2DReference`: a padded tap contributes 0 there (skipped)
// and 0 here (zero in the patch); each product is exact in int16 x int16 and the
// sums are the same wrapping int32 sums in another order.
//
// Constraints (checked by `prepareConv2D`): groups == 1 and KH * KW * C_in <=
// `stackPatchCapacity` (the patch lives on the stack). Layouts: input
// [N, H, W, C_in], filter [C_out, KH, KW, C_in], bias [C_out], output
// [N, OH, OW, C_out].
//
// Cost per group of 4 patch values and 2 x 2 (pixel, channel) outputs: 2 weight
// loads + 4 SXTB16 + 2 patch-word loads per pixel... ~1 instruction per MAC.

/// Where value `k` of a patch of `count` values goes in quad order: within each
/// whole group of four, positions 1 and 2 swap; a tail after the last whole group
/// stays in place.
///
///     quadIndex(1, count: 8)   // 2
///     quadIndex(2, count: 8)   // 1
///     quadIndex(5, count: 6)   // 5 (tail)
@inline(__always)
func quadIndex(_ k: Int, count: Int) -> Int {
  k < (count & ~3) ? (k & ~3) | ((k & 1) << 1) | ((k & 2) >> 1) : k
}

/// CONV_2D through the SMLAD patch GEMM; shapes checked by `prepareConv2D`.
public func conv2DPatchSMLAD(
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
  // The second pixel's patch starts on a word boundary (int16 pairs load as words).
  let secondStart = (patchSize + 1) & ~1
  let pairs = secondStart + patchSize <= stackPatchCapacity
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let (outputOffset, low, high) = (p.outputOffset, p.activation.min, p.activation.max)

  // Output pixel `n`'s patch (n over batch, row, column), in quad order; taps in
  // the padding are zeros.
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
            patch[quadIndex(at + ic, count: patchSize)] = Int16(truncatingIfNeeded: src[ic]) &+ offset
          }
        } else {
          for ic in 0..<inputDepth { patch[quadIndex(at + ic, count: patchSize)] = 0 }
        }
        at += inputDepth
      }
    }
  }

  p.channels.multipliers.withUnsafeBufferPointer { multipliers in
    p.channels.shifts.withUnsafeBufferPointer { shifts in
      let multiplier = multipliers.baseAddress!
      let shift = shifts.baseAddress!
      @inline(__always) func store(_ acc: Int32, _ oc: Int, to out: UnsafeMutablePointer<Int8>) {
        out[oc] = requantizeSMULL(
          acc &+ (bias?[oc] ?? 0), multiplier: multiplier[oc], shift: shift[oc],
          outputOffset: outputOffset, min: low, max: high)
      }
      withStackPatch { patch in
        let second = patch + secondStart
        var n = 0
        while n < pixels {
          let out0 = output + n * outputDepth
          gather(n, into: patch)
          if pairs && n + 1 < pixels {
            gather(n + 1, into: second)
            let out1 = out0 + outputDepth
            var oc = 0
            while oc + 1 < outputDepth {
              let w = filter + oc * patchSize
              let s = dotProducts2x2(patch, second, w, w + patchSize, count: patchSize)
              store(s.0, oc, to: out0)
              store(s.1, oc + 1, to: out0)
              store(s.2, oc, to: out1)
              store(s.3, oc + 1, to: out1)
              oc += 2
            }
            if oc < outputDepth {
              let w = filter + oc * patchSize
              store(dotProductQuads(patch, w, count: patchSize), oc, to: out0)
              store(dotProductQuads(second, w, count: patchSize), oc, to: out1)
            }
            n += 2
            continue
          }
          var oc = 0
          while oc < outputDepth {
            store(dotProductQuads(patch, filter + oc * patchSize, count: patchSize), oc, to: out0)
            oc += 1
          }
          n += 1
        }
      }
    }
  }
}

/// The four dot products of two int16 patches `x0`, `x1` (quad order, word
/// aligned) with two int8 weight rows `w0`, `w1` (natural order), `count` values:
/// (x0.w0, x0.w1, x1.w0, x1.w1), wrapping sums.
@inline(__always)
func dotProducts2x2(
  _ x0: UnsafePointer<Int16>, _ x1: UnsafePointer<Int16>,
  _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, count: Int
) -> (Int32, Int32, Int32, Int32) {
  var a00: Int32 = 0
  var a01: Int32 = 0
  var a10: Int32 = 0
  var a11: Int32 = 0
  let quads = count & ~3
  let p0 = UnsafeRawPointer(x0)
  let p1 = UnsafeRawPointer(x1)
  var k = 0
  while k < quads {
    let v0 = loadWord(w0 + k)
    let v1 = loadWord(w1 + k)
    let v0Even = sxtb16(v0)
    let v0Odd = sxtb16(rotatedRight8(v0))
    let v1Even = sxtb16(v1)
    let v1Odd = sxtb16(rotatedRight8(v1))
    // Patch bytes 2k...2k+7: words (x_k, x_k+2) and (x_k+1, x_k+3).
    let x0Even = p0.load(fromByteOffset: 2 &* k, as: UInt32.self)
    let x0Odd = p0.load(fromByteOffset: 2 &* k &+ 4, as: UInt32.self)
    let x1Even = p1.load(fromByteOffset: 2 &* k, as: UInt32.self)
    let x1Odd = p1.load(fromByteOffset: 2 &* k &+ 4, as: UInt32.self)
    a00 = smlad(x0Odd, v0Odd, smlad(x0Even, v0Even, a00))
    a01 = smlad(x0Odd, v1Odd, smlad(x0Even, v1Even, a01))
    a10 = smlad(x1Odd, v0Odd, smlad(x1Even, v0Even, a10))
    a11 = smlad(x1Odd, v1Odd, smlad(x1Even, v1Even, a11))
    k &+= 4
  }
  while k < count {
    let (p, q) = (Int32(x0[k]), Int32(x1[k]))
    let (u, v) = (Int32(w0[k]), Int32(w1[k]))
    a00 &+= p &* u
    a01 &+= p &* v
    a10 &+= q &* u
    a11 &+= q &* v
    k &+= 1
  }
  return (a00, a01, a10, a11)
}

/// The dot product of one int16 patch (quad order, word aligned) with one int8 row.
@inline(__always)
func dotProductQuads(_ x: UnsafePointer<Int16>, _ w: UnsafePointer<Int8>, count: Int) -> Int32 {
  var acc: Int32 = 0
  let quads = count & ~3
  let px = UnsafeRawPointer(x)
  var k = 0
  while k < quads {
    let v = loadWord(w + k)
    acc = smlad(px.load(fromByteOffset: 2 &* k, as: UInt32.self), sxtb16(v), acc)
    acc = smlad(px.load(fromByteOffset: 2 &* k &+ 4, as: UInt32.self), sxtb16(rotatedRight8(v)), acc)
    k &+= 4
  }
  while k < count {
    acc &+= Int32(x[k]) &* Int32(w[k])
    k &+= 1
  }
  return acc
}
