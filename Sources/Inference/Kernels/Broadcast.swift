// NumPy-style broadcasting of two tensors onto an output of up to six dimensions, as
// TFLM's BroadcastAdd6DSlow / BroadcastMul6DSlow index them: shapes are right-aligned,
// and each dimension of an input equals the output's or is 1 (then repeated).

/// Index plan for a binary elementwise op: for every output element (row-major), the
/// flat offsets into both inputs.
public struct BroadcastPlan: Sendable {
  public static let maxRank = 6
  /// Output dimensions, right-aligned into six (leading 1s).
  var dims: InlineArray<6, Int>
  /// Element strides of each input in output coordinates (0 where it is repeated).
  var strideA: InlineArray<6, Int>
  var strideB: InlineArray<6, Int>
  /// true when both inputs have the output's element count (no index mapping needed).
  public var isElementwise: Bool
  public var outputCount: Int

  /// Builds the plan, or nil when the shapes do not broadcast to `output`.
  public init?(_ a: Shape, _ b: Shape, output: Shape) {
    guard a.rank <= 6, b.rank <= 6, output.rank <= 6 else { return nil }
    dims = InlineArray(repeating: 1)
    strideA = InlineArray(repeating: 0)
    strideB = InlineArray(repeating: 0)
    func dim(_ s: Shape, _ d: Int) -> Int {
      let i = d - (6 - s.rank)
      return i < 0 ? 1 : s[i]
    }
    var nextA = 1
    var nextB = 1
    for d in stride(from: 5, through: 0, by: -1) {
      let o = dim(output, d)
      let x = dim(a, d)
      let y = dim(b, d)
      guard o >= 0, x == o || x == 1, y == o || y == 1, max(x, y) == o || o == 0 else { return nil }
      dims[d] = o
      strideA[d] = x == 1 ? 0 : nextA
      strideB[d] = y == 1 ? 0 : nextB
      nextA *= x
      nextB *= y
    }
    outputCount = output.elementCount
    isElementwise = a.elementCount == outputCount && b.elementCount == outputCount
  }

  /// Calls `body(outputIndex, indexA, indexB)` for every output element in order.
  @inline(__always)
  public func forEachIndex(_ body: (Int, Int, Int) -> Void) {
    if isElementwise {
      for i in 0..<outputCount { body(i, i, i) }
      return
    }
    var out = 0
    for i0 in 0..<dims[0] {
      for i1 in 0..<dims[1] {
        for i2 in 0..<dims[2] {
          for i3 in 0..<dims[3] {
            for i4 in 0..<dims[4] {
              let baseA =
                i0 * strideA[0] + i1 * strideA[1] + i2 * strideA[2] + i3 * strideA[3] + i4
                * strideA[4]
              let baseB =
                i0 * strideB[0] + i1 * strideB[1] + i2 * strideB[2] + i3 * strideB[3] + i4
                * strideB[4]
              for i5 in 0..<dims[5] {
                body(out, baseA + i5 * strideA[5], baseB + i5 * strideB[5])
                out += 1
              }
            }
          }
        }
      }
    }
  }
}
