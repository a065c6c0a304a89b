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

/// The operand checks ADD, SUB and MUL share: the shapes broadcast onto `output`, every
/// scale is positive and finite, every zero point fits int8. Returns the index plan.
func checkedBinaryOperands(
  op: StaticString, input1: Shape, input2: Shape, output: Shape,
  input1Quantization: TensorQuantization, input2Quantization: TensorQuantization,
  outputQuantization: TensorQuantization
) throws(KernelError) -> BroadcastPlan {
  guard let plan = BroadcastPlan(input1, input2, output: output) else {
    throw KernelError(op, "input shapes do not broadcast to the output shape", value: output.rank)
  }
  try checkScale(
    input1Quantization.scale, op: op, what: "input 1 scale must be positive and finite")
  try checkScale(
    input2Quantization.scale, op: op, what: "input 2 scale must be positive and finite")
  try checkScale(outputQuantization.scale, op: op, what: "output scale must be positive and finite")
  try checkZeroPoint(input1Quantization.zeroPoint, op: op)
  try checkZeroPoint(input2Quantization.zeroPoint, op: op)
  try checkZeroPoint(outputQuantization.zeroPoint, op: op)
  return plan
}

/// The element loop of ADD, SUB and MUL: for every output element (broadcast by
/// `plan`), `element(x1, x2)` maps the two raw int8 inputs (widened to Int32) to the
/// requantized output (zero point added); the result is clamped to `activation` and
/// stored. Inlined with its non-escaping closure, so each op gets its own loop with
/// nothing allocated.
///
///     // MUL without scaling, on [2, 3] and [4]:
///     binaryElementwise(plan, input1: a, input2: b, output: o, activation: .int8) { $0 &* $1 }
///     // o = [8, 12]
@inline(__always)
func binaryElementwise(
  _ plan: BroadcastPlan, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>, activation: ActivationRange,
  _ element: (Int32, Int32) -> Int32
) {
  plan.forEachIndex { o, i, j in
    let raw = element(Int32(input1[i]), Int32(input2[j]))
    output[o] = Int8(truncatingIfNeeded: min(max(raw, activation.min), activation.max))
  }
}
