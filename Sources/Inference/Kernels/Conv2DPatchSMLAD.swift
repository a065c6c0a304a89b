// CONV_2D path shaped for the Cortex-M4's SMLAD (two int16 multiply-accumulates per
// instruction): the path `prepareConv2D` picks on ARM. Per output pixel, the input
// patch is gathered once as int16 (offset added, zeros in the padding) in "quad
// order"; weights stay int8 in the model (flash) and are widened four at a time
// with two SXTB16s. Four pixels per pass over the weights when their patches fit
// (then two, then one): each widened weight pair serves four SMLADs, and each
// channel's requantization constants and bias serve four outputs.
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
// Measured on the M4 (QEMU instruction counts, -Osize): the four-pixel loop takes
// about 28 instructions per 16 MACs (1 word load + 2 SXTB16 + 4 x (2 loads + 2 SMLAD)
// + pointer steps and two reloads); a DS-CNN pointwise layer costs 2.08 instructions
// per MAC in all, requantization (`ChannelRounding`, SSAT for the full int8 range)
// and gather included (CMSIS-NN: 2.09; 2.43 with the per-output shift and mask
// requantization). Tried and dropped: a 2 x 2 block (spilled, 33 per 16 MACs) and,
// twice, four patches interleaved behind one pointer (loop strength reduction
// rebuilt the patch address from the weight index and the scheduler hoisted all
// eight loads, then spilled them: 37, then 47 per 16).

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
  guard !p.channels.roundings.isEmpty else {
    // A channel whose requantization does not fold (`ChannelRounding`): the generic
    // path, same bytes.
    conv2DPatchGEMM(
      p, input: input, inputShape: inputShape, filter: filter, filterShape: filterShape,
      bias: bias, output: output, outputShape: outputShape)
    return
  }
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
  let quartets = 3 * secondStart + patchSize <= stackPatchCapacity
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let offsetPair = lanePair(offset, offset)
  // Whole quads per tap (C_in % 4 == 0, DS-CNN's pointwise layers): a tap's values
  // widen four at a time straight into quad order, two SXTAB16s per input word.
  let quadTaps = inputDepth & 3 == 0
  let (low, high) = (p.activation.min, p.activation.max)

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
          if quadTaps {
            let dst = UnsafeMutableRawPointer(patch + at)
            var ic = 0
            while ic < inputDepth {
              let v = loadWord(src + ic)
              dst.storeBytes(of: sxtab16(offsetPair, v), toByteOffset: 2 &* ic, as: UInt32.self)
              dst.storeBytes(
                of: sxtab16(offsetPair, rotatedRight8(v)), toByteOffset: 2 &* ic &+ 4,
                as: UInt32.self)
              ic &+= 4
            }
            at += inputDepth
            continue
          }
          for ic in 0..<inputDepth {
            patch[quadIndex(at + ic, count: patchSize)] =
              Int16(truncatingIfNeeded: src[ic]) &+ offset
          }
        } else {
          for ic in 0..<inputDepth { patch[quadIndex(at + ic, count: patchSize)] = 0 }
        }
        at += inputDepth
      }
    }
  }

  p.channels.roundings.withUnsafeBufferPointer { roundings in
    let rounding = roundings.baseAddress!
    @inline(__always) func store(_ acc: Int32, _ oc: Int, to out: UnsafeMutablePointer<Int8>) {
      out[oc] = rounding[oc].requantize(acc &+ (bias?[oc] ?? 0), min: low, max: high)
    }
    withStackPatch { patch in
      let second = patch + secondStart
      let third = second + secondStart
      let fourth = third + secondStart
      var n = 0
      while n < pixels {
        let out0 = output + n * outputDepth
        if quartets && n + 3 < pixels {
          // Four pixels per pass over the weights: each channel's requantization
          // constants and bias serve four outputs.
          gather(n, into: patch)
          gather(n + 1, into: second)
          gather(n + 2, into: third)
          gather(n + 3, into: fourth)
          // Instantiated twice: the full int8 range (ReLU after a zero point of
          // -128, no activation) clamps with one SSAT per output.
          @inline(__always) func channels(low: Int32, high: Int32) {
            for oc in 0..<outputDepth {
              let w = filter + oc * patchSize
              let (s0, s1, s2, s3) = dotProducts4x1(
                patch, second, third, fourth, w, count: patchSize)
              let b = bias?[oc] ?? 0
              let r = rounding[oc]
              out0[oc] = r.requantize(s0 &+ b, min: low, max: high)
              out0[outputDepth &+ oc] = r.requantize(s1 &+ b, min: low, max: high)
              out0[2 &* outputDepth &+ oc] = r.requantize(s2 &+ b, min: low, max: high)
              out0[3 &* outputDepth &+ oc] = r.requantize(s3 &+ b, min: low, max: high)
            }
          }
          if low == -128 && high == 127 {
            channels(low: -128, high: 127)
          } else {
            channels(low: low, high: high)
          }
          n += 4
          continue
        }
        gather(n, into: patch)
        if pairs && n + 1 < pixels {
          gather(n + 1, into: second)
          let out1 = out0 + outputDepth
          for oc in 0..<outputDepth {
            let s = dotProducts2x1(patch, second, filter + oc * patchSize, count: patchSize)
            store(s.0, oc, to: out0)
            store(s.1, oc, to: out1)
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

/// The dot products of two int16 patches `x0`, `x1` (quad order, word aligned) with
/// one int8 weight row `w` (natural order), `count` values, wrapping sums. Each
/// widened weight pair serves both patches; two accumulators and three pointers
/// keep the loop in registers (a 2 x 2 block spilled on the M4: 33 instructions per
/// 16 MACs against 13 per 8 here).
@inline(__always)
func dotProducts2x1(
  _ x0: UnsafePointer<Int16>, _ x1: UnsafePointer<Int16>, _ w: UnsafePointer<Int8>, count: Int
) -> (Int32, Int32) {
  var a0: Int32 = 0
  var a1: Int32 = 0
  var p0 = UnsafeRawPointer(x0)
  var p1 = UnsafeRawPointer(x1)
  var pw = UnsafeRawPointer(w)
  let quadsEnd = pw + (count & ~3)
  while pw < quadsEnd {
    let v = loadWord(pw)
    let even = sxtb16(v)
    let odd = sxtb16(rotatedRight8(v))
    // Patch words (x_k, x_k+2) and (x_k+1, x_k+3).
    a0 = smlad(
      p0.load(fromByteOffset: 4, as: UInt32.self), odd, smlad(p0.load(as: UInt32.self), even, a0))
    a1 = smlad(
      p1.load(fromByteOffset: 4, as: UInt32.self), odd, smlad(p1.load(as: UInt32.self), even, a1))
    p0 += 8
    p1 += 8
    pw += 4
  }
  var k = count & ~3
  while k < count {
    let wk = Int32(w[k])
    a0 &+= Int32(x0[k]) &* wk
    a1 &+= Int32(x1[k]) &* wk
    k &+= 1
  }
  return (a0, a1)
}

/// `dotProducts2x1` for four patches: each widened weight pair serves four SMLADs
/// (26 instructions per 16 MACs on the M4 at -Osize, against 27 for two
/// `dotProducts2x1`, and one loop's overhead instead of two).
@inline(__always)
func dotProducts4x1(
  _ x0: UnsafePointer<Int16>, _ x1: UnsafePointer<Int16>, _ x2: UnsafePointer<Int16>,
  _ x3: UnsafePointer<Int16>, _ w: UnsafePointer<Int8>, count: Int
) -> (Int32, Int32, Int32, Int32) {
  var a0: Int32 = 0
  var a1: Int32 = 0
  var a2: Int32 = 0
  var a3: Int32 = 0
  var p0 = UnsafeRawPointer(x0)
  var p1 = UnsafeRawPointer(x1)
  var p2 = UnsafeRawPointer(x2)
  var p3 = UnsafeRawPointer(x3)
  var pw = UnsafeRawPointer(w)
  let quadsEnd = pw + (count & ~3)
  while pw < quadsEnd {
    let v = loadWord(pw)
    let even = sxtb16(v)
    let odd = sxtb16(rotatedRight8(v))
    a0 = smlad(
      p0.load(fromByteOffset: 4, as: UInt32.self), odd, smlad(p0.load(as: UInt32.self), even, a0))
    a1 = smlad(
      p1.load(fromByteOffset: 4, as: UInt32.self), odd, smlad(p1.load(as: UInt32.self), even, a1))
    a2 = smlad(
      p2.load(fromByteOffset: 4, as: UInt32.self), odd, smlad(p2.load(as: UInt32.self), even, a2))
    a3 = smlad(
      p3.load(fromByteOffset: 4, as: UInt32.self), odd, smlad(p3.load(as: UInt32.self), even, a3))
    p0 += 8
    p1 += 8
    p2 += 8
    p3 += 8
    pw += 4
  }
  var k = count & ~3
  while k < count {
    let wk = Int32(w[k])
    a0 &+= Int32(x0[k]) &* wk
    a1 &+= Int32(x1[k]) &* wk
    a2 &+= Int32(x2[k]) &* wk
    a3 &+= Int32(x3[k]) &* wk
    k &+= 1
  }
  return (a0, a1, a2, a3)
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
    acc = smlad(
      px.load(fromByteOffset: 2 &* k &+ 4, as: UInt32.self), sxtb16(rotatedRight8(v)), acc)
    k &+= 4
  }
  while k < count {
    acc &+= Int32(x[k]) &* Int32(w[k])
    k &+= 1
  }
  return acc
}
