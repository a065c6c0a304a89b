// PAD and PADV2, TFLM semantics (kernels/pad.cc, reference/pad.h): paddings is a
// constant int32 [rank, 2] tensor of (before, after) counts per axis, rank <= 5;
// the fill value is PADV2's constant_values scalar when given, else 0 for float32
// and int32 and the OUTPUT zero point for quantized types (real 0).
//
//     pad([1,2,2,1] int8 zp -128, [[0,0],[1,1],[1,1],[0,0]]) -> [1,4,4,1], border -128

public struct PadParams: Sendable {
  /// Padded input dims and "before" counts, 5 axes (front-padded with 1 / 0).
  @usableFromInline var dims: InlineArray<5, Int> = InlineArray(repeating: 1)
  @usableFromInline var before: InlineArray<5, Int> = InlineArray(repeating: 0)
  @usableFromInline var outDims: InlineArray<5, Int> = InlineArray(repeating: 1)
  @usableFromInline var elementSize: Int = 1
  /// The fill value's bytes (little-endian, elementSize of them).
  @usableFromInline var fill: UInt64 = 0
}

public func preparePad(
  input: Shape, paddings: [Int32], output: Shape, elementSize: Int, fill: UInt64
) throws(OperatorError) -> PadParams {
  let rank = input.rank
  guard rank <= 5 else { throw OperatorError("rank above 5", value: rank, unsupported: true) }
  guard paddings.count == 2 * rank else { throw OperatorError("paddings is not [rank, 2]", value: paddings.count) }
  guard output.rank == rank else { throw OperatorError("output rank differs from input", value: output.rank) }
  var p = PadParams()
  p.elementSize = elementSize
  p.fill = fill
  let shift = 5 - rank
  for a in 0..<rank {
    let b = Int(paddings[2 * a]), e = Int(paddings[2 * a + 1])
    guard b >= 0, e >= 0 else { throw OperatorError("negative padding", value: a) }
    guard output[a] == input[a] + b + e else { throw OperatorError("output dimension differs from padded input", value: a) }
    p.dims[shift + a] = input[a]
    p.before[shift + a] = b
    p.outDims[shift + a] = output[a]
  }
  return p
}

/// Fills the output with the pad value, then copies input rows (innermost axis) in.
public func pad(_ p: PadParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer) {
  let es = p.elementSize
  var total = 1
  for a in 0..<5 { total *= p.outDims[a] }
  for i in 0..<total {
    withUnsafeBytes(of: p.fill.littleEndian) { (output + i * es).copyMemory(from: $0.baseAddress!, byteCount: es) }
  }
  var outPitch: InlineArray<5, Int> = InlineArray(repeating: 1)
  for a in stride(from: 3, through: 0, by: -1) { outPitch[a] = outPitch[a + 1] * p.outDims[a + 1] }
  let row = p.dims[4] * es
  var src = input
  for i0 in 0..<p.dims[0] {
    for i1 in 0..<p.dims[1] {
      for i2 in 0..<p.dims[2] {
        for i3 in 0..<p.dims[3] {
          let o =
            (i0 + p.before[0]) * outPitch[0] + (i1 + p.before[1]) * outPitch[1] + (i2 + p.before[2]) * outPitch[2]
            + (i3 + p.before[3]) * outPitch[3] + p.before[4]
          (output + o * es).copyMemory(from: src, byteCount: row)
          src += row
        }
      }
    }
  }
}
