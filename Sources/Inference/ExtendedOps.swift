// The ops added so that models trained elsewhere load (Keras exports, Edge Impulse,
// the TFLM examples): standalone activations (RELU, RELU6, LEAKY_RELU, HARD_SWISH,
// TANH), SUB, MAXIMUM / MINIMUM, TRANSPOSE, SPLIT, and the shape-only SQUEEZE and
// EXPAND_DIMS. Their prepare and dispatch live here, behind one `Step` case, so
// the shared interpreter files only route to them.

/// A prepared operator of the extended set (payload of `Step.extended`).
@usableFromInline
enum ExtendedStep {
  /// RELU, LEAKY_RELU, HARD_SWISH, TANH: their kernel's results for every int8 value.
  case lookUp(Int8LookupTable)
  case relu6(Relu6Params)
  case sub(SubParams)
  case maximumMinimum(MaximumMinimumParams)
  case transpose(TransposeParams)
  /// SPLIT: SPLIT_V's copy with the data in input 1.
  case split(SplitVParams)

  /// Bytes of the payload, for `Interpreter.bookkeepingBytes`.
  var payloadBytes: Int {
    switch self {
    case .lookUp(let p): return MemoryLayout.size(ofValue: p)
    case .relu6(let p): return MemoryLayout.size(ofValue: p)
    case .sub(let p): return MemoryLayout.size(ofValue: p)
    case .maximumMinimum(let p): return MemoryLayout.size(ofValue: p)
    case .transpose(let p): return MemoryLayout.size(ofValue: p)
    case .split(let p): return MemoryLayout.size(ofValue: p)
    }
  }
}

/// Prepares one operator of the extended set; errors name what is wrong, the
/// interpreter adds the operator, node and subgraph.
func prepareExtended(
  _ model: Model, _ op: OperatorInfo,
  input: (Int) throws(OperatorError) -> TensorInfo,
  output: (Int) throws(OperatorError) -> TensorInfo,
  counts: (ClosedRange<Int>, Int) throws(OperatorError) -> Void,
  writable: (TensorInfo) throws(OperatorError) -> Void
) throws(OperatorError) -> Step {
  // The int8 kernels report KernelError; the interpreter speaks OperatorError.
  func kernel<T>(_ body: () throws(KernelError) -> T) throws(OperatorError) -> T {
    do throws(KernelError) { return try body() } catch {
      throw OperatorError(error.what, value: error.value)
    }
  }
  func int8(_ t: TensorInfo, _ what: StaticString) throws(OperatorError) {
    guard t.type == .int8 else { throw OperatorError(what, value: t.type.code, unsupported: true) }
    guard t.quantization.count == 1 else {
      throw OperatorError(
        "activations must be quantized per tensor", value: t.quantization.count, unsupported: true)
    }
  }
  func sameType(_ a: TensorInfo, _ b: TensorInfo) throws(OperatorError) {
    guard a.type == b.type else {
      throw OperatorError("output type differs from input type", value: b.type.code)
    }
  }
  func plainData(_ t: TensorInfo) throws(OperatorError) {
    guard t.type.size > 0 else {
      throw OperatorError(
        "tensor type (schema TensorType code) not handled", value: t.type.code, unsupported: true)
    }
  }
  /// A constant one-element int32 operand: an axis (TFLM refuses int64 axes too).
  func constantAxis(_ t: TensorInfo) throws(OperatorError) -> Int {
    guard t.shape.elementCount == 1 else {
      throw OperatorError("axis must be a scalar", value: t.shape.elementCount)
    }
    return Int(try constantInt32(model, t)[0])
  }

  switch (op.kind, op.options) {
  case (.relu, _), (.relu6, _), (.tanh, _), (.hardSwish, _), (.leakyRelu, _):
    try counts(1...1, 1)
    let a = try input(0)
    let out = try output(0)
    try writable(out)
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    let count = out.shape.elementCount
    // Each kernel is prepared as usual, then run on the 256 table entries.
    switch (op.kind, op.options) {
    case (.relu, _):
      var entries = try kernel { () throws(KernelError) in
        try prepareRelu(
          input: a.shape, output: out.shape, inputQuantization: a.perTensor,
          outputQuantization: out.perTensor)
      }
      entries.count = 256
      return .extended(
        .lookUp(Int8LookupTable(count: count) { relu(entries, input: $0, output: $1) }))
    case (.relu6, _):
      return .extended(
        .relu6(
          try kernel { () throws(KernelError) in
            try prepareRelu6(input: a.shape, output: out.shape, inputQuantization: a.perTensor)
          }))
    case (.tanh, _):
      var entries = try kernel { () throws(KernelError) in
        try prepareTanh(input: a.shape, output: out.shape, inputQuantization: a.perTensor)
      }
      entries.count = 256
      return .extended(
        .lookUp(Int8LookupTable(count: count) { tanh(entries, input: $0, output: $1) }))
    case (.hardSwish, _):
      var entries = try kernel { () throws(KernelError) in
        try prepareHardSwish(
          input: a.shape, output: out.shape, inputQuantization: a.perTensor,
          outputQuantization: out.perTensor)
      }
      entries.count = 256
      return .extended(
        .lookUp(Int8LookupTable(count: count) { hardSwish(entries, input: $0, output: $1) }))
    case (.leakyRelu, .leakyRelu(let alpha)):
      var entries = try kernel { () throws(KernelError) in
        try prepareLeakyRelu(
          input: a.shape, output: out.shape, alpha: alpha, inputQuantization: a.perTensor,
          outputQuantization: out.perTensor)
      }
      entries.count = 256
      return .extended(
        .lookUp(Int8LookupTable(count: count) { leakyRelu(entries, input: $0, output: $1) }))
    default:
      throw OperatorError("operator options missing or of the wrong kind")
    }

  case (.sub, .sub(let activation)):
    try counts(2...2, 1)
    let a = try input(0)
    let b = try input(1)
    let out = try output(0)
    try writable(out)
    try int8(a, "input 1 must be int8")
    try int8(b, "input 2 must be int8")
    try int8(out, "output must be int8")
    let fused = try activation.fused()
    return .extended(
      .sub(
        try kernel { () throws(KernelError) in
          try prepareSub(
            input1: a.shape, input2: b.shape, output: out.shape, input1Quantization: a.perTensor,
            input2Quantization: b.perTensor, outputQuantization: out.perTensor, activation: fused)
        }))

  case (.maximum, _), (.minimum, _):
    try counts(2...2, 1)
    let a = try input(0)
    let b = try input(1)
    let out = try output(0)
    try writable(out)
    try sameType(a, b)
    try sameType(a, out)
    let element: MaximumMinimumParams.Element
    switch a.type {
    case .int8: element = .int8
    case .int16: element = .int16
    case .int32: element = .int32
    case .float32: element = .float32
    default:
      throw OperatorError(
        "tensor type (schema TensorType code) not handled", value: a.type.code, unsupported: true)
    }
    return .extended(
      .maximumMinimum(
        try prepareMaximumMinimum(
          isMaximum: op.kind == .maximum, input1: a.shape, input2: b.shape, output: out.shape,
          element: element)))

  case (.transpose, _):
    try counts(2...2, 1)
    let a = try input(0)
    let out = try output(0)
    try writable(out)
    // TFLM's TRANSPOSE takes these three types only.
    guard a.type == .float32 || a.type == .int8 || a.type == .int16 else {
      throw OperatorError(
        "tensor type (schema TensorType code) not handled", value: a.type.code, unsupported: true)
    }
    try sameType(a, out)
    return .extended(
      .transpose(
        try prepareTranspose(
          input: a.shape, permutation: try constantInt32(model, try input(1)), output: out.shape,
          elementSize: a.type.size)))

  case (.split, .split(let numSplits)):
    try counts(2...2, op.outputs.count)
    let a = try input(1)
    try plainData(a)
    var shapes: [Shape] = []
    for k in 0..<op.outputs.count {
      let t = try output(k)
      try writable(t)
      try sameType(a, t)
      shapes.append(t.shape)
    }
    return .extended(
      .split(
        try prepareSplit(
          input: a.shape, axis: try constantAxis(try input(0)), splitCount: numSplits,
          outputCount: shapes.count,
          outputShape: { shapes[$0] }, elementSize: a.type.size)))

  case (.squeeze, .squeeze(let dims)):
    try counts(1...1, 1)
    let a = try input(0)
    let out = try output(0)
    try writable(out)
    try plainData(a)
    try sameType(a, out)
    try prepareSqueeze(input: a.shape, squeezeDims: dims, output: out.shape)
    return .copy(bytes: out.byteCount)

  case (.expandDims, _):
    try counts(2...2, 1)
    let a = try input(0)
    let out = try output(0)
    try writable(out)
    try plainData(a)
    try sameType(a, out)
    try prepareExpandDims(input: a.shape, axis: try constantAxis(try input(1)), output: out.shape)
    return .copy(bytes: out.byteCount)

  default:
    throw OperatorError("operator options missing or of the wrong kind")
  }
}

extension Interpreter {
  /// Runs one prepared operator of the extended set.
  @inline(__always)
  func run(_ step: ExtendedStep, _ node: Node) {
    switch step {
    case .lookUp(let table):
      lookUp(table, input: int8(node, input: 0), output: int8(node, output: 0))
    case .relu6(let p): relu6(p, input: int8(node, input: 0), output: int8(node, output: 0))
    case .sub(let p):
      sub(
        p, input1: int8(node, input: 0), input2: int8(node, input: 1), output: int8(node, output: 0)
      )
    case .maximumMinimum(let p):
      maximumMinimum(
        p, input1: UnsafeRawPointer(tensor(node, input: 0)),
        input2: UnsafeRawPointer(tensor(node, input: 1)),
        output: tensor(node, output: 0))
    case .transpose(let p):
      transpose(p, input: tensor(node, input: 0), output: tensor(node, output: 0))
    case .split(let p):
      let axis = p.axis
      splitV(
        p, input: tensor(node, input: 1), outputCount: node.outputCount,
        output: { i in
          let g = plan.tensorIndex(node.outputStart + i)
          return (pointers[g]!, shape(of: g)[axis])
        })
    }
  }
}
