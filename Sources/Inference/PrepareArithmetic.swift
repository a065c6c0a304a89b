// Prepare for the arithmetic operators: read each operand's shape, type and
// quantization from the model (per-channel scales in place), check what the int8
// kernels expect, and hand the float scales to the kernels' prepare functions,
// which compute the integer multipliers once, as TFLM's Prepare does.

extension Activation {
  /// The kernels' activation (TANH and SIGN_BIT are never fused in int8 models).
  func fused() throws(OperatorError) -> FusedActivation {
    switch self {
    case .none: return .none
    case .relu: return .relu
    case .reluN1To1: return .reluN1To1
    case .relu6: return .relu6
    case .tanh, .signBit: throw OperatorError("fused TANH / SIGN_BIT activation", unsupported: true)
    }
  }
}

extension Padding {
  var mode: PaddingMode { self == .same ? .same : .valid }
}

extension TensorInfo {
  var perTensor: TensorQuantization {
    TensorQuantization(scale: quantization.scale, zeroPoint: quantization.zeroPoint)
  }
}

/// The scales of a (possibly per-channel) quantized weight tensor, read in place.
func weightScales(_ model: Model, _ t: TensorInfo, channelAxis: Int) throws(OperatorError) -> [Float] {
  let q = t.quantization
  guard q.count >= 1 else { throw OperatorError("weights are not quantized") }
  if q.count > 1 {
    guard q.dimension == channelAxis else {
      throw OperatorError("per-channel weights quantized along an unexpected axis", value: q.dimension, unsupported: true)
    }
  }
  var scales: [Float] = []
  scales.reserveCapacity(q.count)
  for i in 0..<q.count {
    guard model.zeroPoint(q, i) == 0 else {
      throw OperatorError("weights zero point must be 0", value: Int(model.zeroPoint(q, i)), unsupported: true)
    }
    scales.append(model.scale(q, i))
  }
  return scales
}

func prepareArithmetic(
  _ model: Model, _ op: OperatorInfo,
  input: (Int) throws(OperatorError) -> TensorInfo,
  output: (Int) throws(OperatorError) -> TensorInfo,
  counts: (ClosedRange<Int>, Int) throws(OperatorError) -> Void,
  writable: (TensorInfo) throws(OperatorError) -> Void
) throws(KernelError) -> Step {
  // OperatorError and KernelError meet here: the closures throw OperatorError, the
  // kernels KernelError; wrap ours so one typed error leaves this function.
  func wrap<T>(_ body: () throws(OperatorError) -> T) throws(KernelError) -> T {
    do throws(OperatorError) { return try body() } catch { throw KernelError(op.kind.name, error.reason, value: error.value) }
  }
  func int8(_ t: TensorInfo, _ what: StaticString) throws(KernelError) {
    guard t.type == .int8 else { throw KernelError(op.kind.name, what, value: t.type.code) }
    guard t.quantization.count == 1 else { throw KernelError(op.kind.name, "activations must be quantized per tensor", value: t.quantization.count) }
  }
  func biasCount(_ k: Int) throws(KernelError) -> Int? {
    guard op.inputs.count > k, op.inputs[k] >= 0 else { return nil }
    let b = try wrap { () throws(OperatorError) in try input(k) }
    guard b.type == .int32 else { throw KernelError(op.kind.name, "bias must be int32 (int64 bias is for int16 models)", value: b.type.code) }
    return b.shape.elementCount
  }

  switch (op.kind, op.options) {
  case (.conv2D, .conv2D(let o)):
    try wrap { () throws(OperatorError) in try counts(2...3, 1) }
    let (a, f, out) = try wrap { () throws(OperatorError) in (try input(0), try input(1), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    guard f.type == .int8 else { throw KernelError("CONV_2D", "filter must be int8", value: f.type.code) }
    return .conv2D(
      try prepareConv2D(
        input: a.shape, filter: f.shape, output: out.shape, biasCount: try biasCount(2),
        inputQuantization: a.perTensor,
        filterScales: try wrap { () throws(OperatorError) in try weightScales(model, f, channelAxis: 0) },
        outputQuantization: out.perTensor, padding: o.padding.mode, strideHeight: o.strideHeight,
        strideWidth: o.strideWidth, dilationHeight: o.dilationHeight, dilationWidth: o.dilationWidth,
        activation: try wrap { () throws(OperatorError) in try o.activation.fused() }))

  case (.depthwiseConv2D, .depthwiseConv2D(let o)):
    try wrap { () throws(OperatorError) in try counts(2...3, 1) }
    let (a, f, out) = try wrap { () throws(OperatorError) in (try input(0), try input(1), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    guard f.type == .int8 else { throw KernelError("DEPTHWISE_CONV_2D", "filter must be int8", value: f.type.code) }
    return .depthwiseConv2D(
      try prepareDepthwiseConv2D(
        input: a.shape, filter: f.shape, output: out.shape, biasCount: try biasCount(2),
        inputQuantization: a.perTensor,
        filterScales: try wrap { () throws(OperatorError) in try weightScales(model, f, channelAxis: 3) },
        outputQuantization: out.perTensor, padding: o.padding.mode, strideHeight: o.strideHeight,
        strideWidth: o.strideWidth, dilationHeight: o.dilationHeight, dilationWidth: o.dilationWidth,
        depthMultiplier: o.depthMultiplier, activation: try wrap { () throws(OperatorError) in try o.activation.fused() }))

  case (.fullyConnected, .fullyConnected(let o)):
    try wrap { () throws(OperatorError) in try counts(2...3, 1) }
    guard o.weightsFormat == 0 else {
      throw KernelError("FULLY_CONNECTED", "shuffled weights format is not supported", value: Int(o.weightsFormat))
    }
    let (a, w, out) = try wrap { () throws(OperatorError) in (try input(0), try input(1), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    guard w.type == .int8 else { throw KernelError("FULLY_CONNECTED", "weights must be int8", value: w.type.code) }
    return .fullyConnected(
      try prepareFullyConnected(
        input: a.shape, weights: w.shape, output: out.shape, biasCount: try biasCount(2),
        inputQuantization: a.perTensor,
        weightScales: try wrap { () throws(OperatorError) in try weightScales(model, w, channelAxis: 0) },
        outputQuantization: out.perTensor, activation: try wrap { () throws(OperatorError) in try o.activation.fused() }))

  case (.averagePool2D, .pool2D(let o)), (.maxPool2D, .pool2D(let o)):
    try wrap { () throws(OperatorError) in try counts(1...1, 1) }
    let (a, out) = try wrap { () throws(OperatorError) in (try input(0), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    let p = try preparePool2D(
      input: a.shape, output: out.shape, outputQuantization: out.perTensor, padding: o.padding.mode,
      filterHeight: o.filterHeight, filterWidth: o.filterWidth, strideHeight: o.strideHeight,
      strideWidth: o.strideWidth, activation: try wrap { () throws(OperatorError) in try o.activation.fused() })
    return op.kind == .averagePool2D ? .averagePool2D(p) : .maxPool2D(p)

  case (.softmax, .softmax(let beta)):
    try wrap { () throws(OperatorError) in try counts(1...1, 1) }
    let (a, out) = try wrap { () throws(OperatorError) in (try input(0), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    let type: SoftmaxOutputType
    switch out.type {
    case .int8: type = .int8
    case .int16: type = .int16
    default: throw KernelError("SOFTMAX", "output must be int8 or int16", value: out.type.code)
    }
    return .softmax(
      try prepareSoftmax(
        input: a.shape, output: out.shape, inputScale: a.quantization.scale, outputQuantization: out.perTensor,
        outputType: type, beta: beta), type)

  case (.logistic, _):
    try wrap { () throws(OperatorError) in try counts(1...1, 1) }
    let (a, out) = try wrap { () throws(OperatorError) in (try input(0), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    return .logistic(
      try prepareLogistic(
        input: a.shape, output: out.shape, inputQuantization: a.perTensor, outputQuantization: out.perTensor))

  case (.add, .add(let activation)), (.mul, .mul(let activation)):
    try wrap { () throws(OperatorError) in try counts(2...2, 1) }
    let (a, b, out) = try wrap { () throws(OperatorError) in (try input(0), try input(1), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input 1 must be int8")
    try int8(b, "input 2 must be int8")
    try int8(out, "output must be int8")
    let fused = try wrap { () throws(OperatorError) in try activation.fused() }
    if op.kind == .add {
      return .add(
        try prepareAdd(
          input1: a.shape, input2: b.shape, output: out.shape, input1Quantization: a.perTensor,
          input2Quantization: b.perTensor, outputQuantization: out.perTensor, activation: fused))
    }
    return .mul(
      try prepareMul(
        input1: a.shape, input2: b.shape, output: out.shape, input1Quantization: a.perTensor,
        input2Quantization: b.perTensor, outputQuantization: out.perTensor, activation: fused))

  case (.mean, .reducer(let keepDims)):
    try wrap { () throws(OperatorError) in try counts(2...2, 1) }
    let (a, axes, out) = try wrap { () throws(OperatorError) in (try input(0), try input(1), try output(0)) }
    try wrap { () throws(OperatorError) in try writable(out) }
    try int8(a, "input must be int8")
    try int8(out, "output must be int8")
    return .mean(
      try prepareMean(
        input: a.shape, output: out.shape, axes: try wrap { () throws(OperatorError) in try constantInt32(model, axes) },
        keepDims: keepDims, inputQuantization: a.perTensor, outputQuantization: out.perTensor))

  default:
    throw KernelError(op.kind.name, "operator options missing or of the wrong kind", value: 0)
  }
}
