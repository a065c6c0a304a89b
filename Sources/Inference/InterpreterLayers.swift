// Running a model one node at a time, for per-layer cost reports (the firmware's
// `layers` command brackets each node with its instruction counter). The results
// are the same as `invoke()`'s: `invoke(node:)` for every node of `nodes`, in
// order, is exactly what `invoke()` runs.

extension Interpreter {
  /// The nodes `invoke()` runs, in order: subgraph 0's nodes (an init subgraph a
  /// CALL_ONCE runs is inside its CALL_ONCE node).
  public var nodes: Range<Int> { plan.subgraphNodes[0] }

  /// Runs node `n` of `nodes` alone on the current tensors.
  public func invoke(node n: Int) {
    run(nodes: n..<n + 1)
  }

  /// The operator node `n` runs.
  public func operatorKind(node n: Int) -> OperatorKind { plan.nodes[n].kind }

  /// Multiply-accumulates node `n` does per invocation: output elements times the
  /// taps (filter height x width x input depth) each one sums, for CONV_2D,
  /// DEPTHWISE_CONV_2D and FULLY_CONNECTED; 0 for other operators.
  ///
  ///     // DS-CNN first layer: output [1, 25, 5, 64], filter [64, 10, 4, 1]
  ///     // 25 * 5 * 64 * (10 * 4 * 1) = 320,000
  public func multiplyAccumulates(node n: Int) -> Int {
    let node = plan.nodes[n]
    switch node.step {
    case .conv2D:
      let filter = shape(node, input: 1)
      return shape(node, output: 0).elementCount * filter[1] * filter[2] * filter[3]
    case .depthwiseConv2D:
      let filter = shape(node, input: 1)
      return shape(node, output: 0).elementCount * filter[1] * filter[2]
    case .fullyConnected:
      let weights = shape(node, input: 1)
      return shape(node, output: 0).elementCount * weights[weights.rank - 1]
    default:
      return 0
    }
  }

  /// Node `n`'s first output shape (for reports: "25x5x64").
  public func outputShape(node n: Int) -> Shape {
    let node = plan.nodes[n]
    return node.outputCount > 0 ? shape(node, output: 0) : Shape()
  }
}
