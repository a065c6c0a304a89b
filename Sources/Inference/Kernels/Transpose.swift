// TRANSPOSE: output dimension i is input dimension perm[i], TFLM `transpose.cc`
// (`reference_ops::Transpose`, up to six dimensions). Pure data movement, any
// element size; the permutation must be a constant int32 tensor.

/// The permutation as input strides in output order, right-aligned to six dimensions.
public struct TransposeParams: Sendable {
  /// Output dimensions, leading 1s first.
  var dims: InlineArray<6, Int>
  /// For each output dimension, the input element stride it walks.
  var inputStrides: InlineArray<6, Int>
  public var elementSize: Int
}

/// Checks `perm` (a permutation of 0..<rank, no negative entries, as TFLM) and the
/// output shape (output[i] = input[perm[i]]).
///
///     // input [2, 3, 4], perm [2, 0, 1] -> output [4, 2, 3]
public func prepareTranspose(
  input: Shape, permutation: [Int32], output: Shape, elementSize: Int
) throws(OperatorError) -> TransposeParams {
  let rank = input.rank
  guard permutation.count == rank else {
    throw OperatorError("permutation length differs from the input rank", value: permutation.count)
  }
  guard output.rank == rank else {
    throw OperatorError("output rank differs from the input rank", value: output.rank)
  }
  var seen = InlineArray<6, Bool>(repeating: false)
  for p in permutation {
    guard p >= 0, Int(p) < rank else {
      throw OperatorError("permutation entry out of range", value: Int(p))
    }
    guard !seen[Int(p)] else {
      throw OperatorError("permutation repeats a dimension", value: Int(p))
    }
    seen[Int(p)] = true
  }
  var inputStride = InlineArray<6, Int>(repeating: 0)
  var next = 1
  for d in stride(from: rank - 1, through: 0, by: -1) {
    inputStride[d] = next
    next *= input[d]
  }
  var p = TransposeParams(
    dims: InlineArray(repeating: 1), inputStrides: InlineArray(repeating: 0),
    elementSize: elementSize)
  let lead = 6 - rank
  for i in 0..<rank {
    let from = Int(permutation[i])
    guard output[i] == input[from] else {
      throw OperatorError("output shape does not match the permutation", value: i)
    }
    p.dims[lead + i] = output[i]
    p.inputStrides[lead + i] = inputStride[from]
  }
  return p
}

/// Moves every element to its transposed place.
public func transpose(
  _ p: TransposeParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer
) {
  func run<T>(_: T.Type) {
    let src = input.assumingMemoryBound(to: T.self)
    let dst = output.assumingMemoryBound(to: T.self)
    var o = 0
    for i0 in 0..<p.dims[0] {
      for i1 in 0..<p.dims[1] {
        for i2 in 0..<p.dims[2] {
          for i3 in 0..<p.dims[3] {
            for i4 in 0..<p.dims[4] {
              var at =
                i0 * p.inputStrides[0] + i1 * p.inputStrides[1] + i2 * p.inputStrides[2] + i3
                * p.inputStrides[3]
                + i4 * p.inputStrides[4]
              for _ in 0..<p.dims[5] {
                dst[o] = src[at]
                o += 1
                at += p.inputStrides[5]
              }
            }
          }
        }
      }
    }
  }
  switch p.elementSize {
  case 1: run(UInt8.self)
  case 2: run(UInt16.self)
  case 4: run(UInt32.self)
  default: run(UInt64.self)
  }
}
