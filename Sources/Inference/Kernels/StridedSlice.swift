// STRIDED_SLICE, TFLM semantics (kernels/strided_slice.cc,
// internal/strided_slice_logic.h, reference/strided_slice.h):
// - rank <= 4, padded at the front to 5 axes (begin 0, end 1, stride 1, masked);
// - per axis: a negative index counts from the end; begin is clamped to [0, n] for
//   positive strides and [-1, n-1] for negative ones, likewise end; a set
//   begin_mask / end_mask bit means "from the first / to the last" element in the
//   stride's direction; a set shrink_axis_mask bit takes the single element at
//   begin and drops the axis from the output shape;
// - output size per axis: max(0, ceil((end - begin) / stride)).
// TFLM zeroes ellipsis_mask and new_axis_mask and ignores `offset`; rather than
// silently computing something else than TensorFlow, we refuse models that set them.
//
//     input [1,5,1,40], begin [0,3,0,0], end [0,5,0,0], strides [1,1,1,1],
//     begin_mask 0b1101, end_mask 0b1111 -> axis 1 runs 3..<5: output [1,2,1,40].

public struct StridedSliceParams: Sendable {
  @usableFromInline static let axes = 5
  /// Input dims, start, stop and stride per axis, padded to 5 axes.
  @usableFromInline var dims: InlineArray<5, Int> = InlineArray(repeating: 1)
  @usableFromInline var start: InlineArray<5, Int> = InlineArray(repeating: 0)
  @usableFromInline var stop: InlineArray<5, Int> = InlineArray(repeating: 1)
  @usableFromInline var stride: InlineArray<5, Int> = InlineArray(repeating: 1)
  @usableFromInline var elementSize: Int = 1
}

/// Resolves begin/end/strides (constant int32 vectors) against the input shape and
/// checks the output shape.
public func prepareStridedSlice(
  input: Shape, begin: [Int32], end: [Int32], strides: [Int32], options o: StridedSliceOptions, output: Shape,
  elementSize: Int
) throws(OperatorError) -> StridedSliceParams {
  let rank = input.rank
  guard rank <= 4 else { throw OperatorError("input rank above 4", value: rank, unsupported: true) }
  guard o.ellipsisMask == 0 else { throw OperatorError("ellipsis_mask", value: Int(o.ellipsisMask), unsupported: true) }
  guard o.newAxisMask == 0 else { throw OperatorError("new_axis_mask", value: Int(o.newAxisMask), unsupported: true) }
  guard !o.offset else { throw OperatorError("offset = true", unsupported: true) }
  guard begin.count == rank, end.count == rank, strides.count == rank else {
    throw OperatorError("begin/end/strides length differs from the input rank", value: begin.count)
  }
  var p = StridedSliceParams()
  p.elementSize = elementSize
  let pad = StridedSliceParams.axes - rank
  var outRank = 0
  var outDims: InlineArray<5, Int> = InlineArray(repeating: 0)
  for a in 0..<rank {
    let n = input[a]
    let s = Int(strides[a])
    guard s != 0 else { throw OperatorError("stride 0", value: a) }
    let shrink = o.shrinkAxisMask & (1 << a) != 0
    // Start: mask first, then wrap negatives, then clamp to the stride's range.
    var b = Int(begin[a])
    if o.beginMask & (1 << a) != 0 { b = s > 0 ? Int(Int32.min) : Int(Int32.max) }
    if b < 0 { b += n }
    b = s > 0 ? min(max(b, 0), n) : min(max(b, -1), n - 1)
    var e: Int
    if shrink {
      e = b + 1
    } else {
      e = Int(end[a])
      if o.endMask & (1 << a) != 0 { e = s > 0 ? Int(Int32.max) : Int(Int32.min) }
      if e < 0 { e += n }
      e = s > 0 ? min(max(e, 0), n) : min(max(e, -1), n - 1)
    }
    if n == 0 {
      b = 0
      e = 0
    }
    // ceil((e - b) / s), at least 0.
    let span = e - b
    var size = s > 0 ? (span + s - 1) / s : (span + s + 1) / s
    if (s > 0 && span <= 0) || (s < 0 && span >= 0) { size = 0 }
    if !shrink {
      outDims[outRank] = size
      outRank += 1
    }
    p.dims[pad + a] = n
    p.start[pad + a] = b
    p.stop[pad + a] = e
    p.stride[pad + a] = s
  }
  guard output.rank == outRank else { throw OperatorError("output rank differs from the slice", value: output.rank) }
  for i in 0..<outRank where output[i] != outDims[i] {
    throw OperatorError("output dimension differs from the slice", value: i)
  }
  return p
}

/// Copies the slice; the innermost axis is one block copy when its stride is 1.
public func stridedSlice(_ p: StridedSliceParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer) {
  let es = p.elementSize
  // Row-major strides of the padded input, in elements.
  var pitch: InlineArray<5, Int> = InlineArray(repeating: 1)
  for a in stride(from: 3, through: 0, by: -1) { pitch[a] = pitch[a + 1] * p.dims[a + 1] }
  func count(_ a: Int) -> Int {
    let span = p.stop[a] - p.start[a]
    let s = p.stride[a]
    if (s > 0 && span <= 0) || (s < 0 && span >= 0) { return 0 }
    return s > 0 ? (span + s - 1) / s : (span + s + 1) / s
  }
  let n0 = count(0), n1 = count(1), n2 = count(2), n3 = count(3), n4 = count(4)
  var out = output
  for i0 in 0..<n0 {
    let o0 = (p.start[0] + i0 * p.stride[0]) * pitch[0]
    for i1 in 0..<n1 {
      let o1 = o0 + (p.start[1] + i1 * p.stride[1]) * pitch[1]
      for i2 in 0..<n2 {
        let o2 = o1 + (p.start[2] + i2 * p.stride[2]) * pitch[2]
        for i3 in 0..<n3 {
          let o3 = o2 + (p.start[3] + i3 * p.stride[3]) * pitch[3]
          if p.stride[4] == 1 {
            out.copyMemory(from: input + (o3 + p.start[4]) * es, byteCount: n4 * es)
            out += n4 * es
          } else {
            for i4 in 0..<n4 {
              out.copyMemory(from: input + (o3 + p.start[4] + i4 * p.stride[4]) * es, byteCount: es)
              out += es
            }
          }
        }
      }
    }
  }
}
