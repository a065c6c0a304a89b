// Operator kinds and their builtin options, parsed and range-checked once when the
// model is read. Codes and option field ids are from the TFLite schema
// (`BuiltinOperator`, `BuiltinOptions` and the `*Options` tables).

/// The operators this code base knows by name. Anything else is `.other(code)` and
/// is refused by the interpreter with its node index.
public enum OperatorKind: Equatable, Sendable {
  case add, averagePool2D, concatenation, conv2D, depthwiseConv2D, dequantize
  case fullyConnected, logistic, maxPool2D, mul, reshape, softmax, pad, mean
  case stridedSlice, padV2, splitV, quantize, callOnce, varHandle, readVariable
  case assignVariable
  // Ops of models trained elsewhere (Keras exports, Edge Impulse, TFLM examples).
  case relu, relu6, leakyRelu, hardSwish, tanh, sub, squeeze, expandDims, split
  case maximum, minimum, transpose
  case custom
  case other(Int32)

  static let customCode: Int32 = 32

  init(code: Int32) {
    switch code {
    case 0: self = .add
    case 1: self = .averagePool2D
    case 2: self = .concatenation
    case 3: self = .conv2D
    case 4: self = .depthwiseConv2D
    case 6: self = .dequantize
    case 9: self = .fullyConnected
    case 14: self = .logistic
    case 17: self = .maxPool2D
    case 18: self = .mul
    case 22: self = .reshape
    case 25: self = .softmax
    case 34: self = .pad
    case 40: self = .mean
    case 45: self = .stridedSlice
    case 60: self = .padV2
    case 102: self = .splitV
    case 114: self = .quantize
    case 129: self = .callOnce
    case 142: self = .varHandle
    case 143: self = .readVariable
    case 144: self = .assignVariable
    case 19: self = .relu
    case 21: self = .relu6
    case 98: self = .leakyRelu
    case 117: self = .hardSwish
    case 28: self = .tanh
    case 41: self = .sub
    case 43: self = .squeeze
    case 70: self = .expandDims
    case 49: self = .split
    case 55: self = .maximum
    case 57: self = .minimum
    case 39: self = .transpose
    default: self = .other(code)
    }
  }

  /// The schema's name for the operator ("CONV_2D").
  public var name: StaticString {
    switch self {
    case .add: return "ADD"
    case .averagePool2D: return "AVERAGE_POOL_2D"
    case .concatenation: return "CONCATENATION"
    case .conv2D: return "CONV_2D"
    case .depthwiseConv2D: return "DEPTHWISE_CONV_2D"
    case .dequantize: return "DEQUANTIZE"
    case .fullyConnected: return "FULLY_CONNECTED"
    case .logistic: return "LOGISTIC"
    case .maxPool2D: return "MAX_POOL_2D"
    case .mul: return "MUL"
    case .reshape: return "RESHAPE"
    case .softmax: return "SOFTMAX"
    case .pad: return "PAD"
    case .mean: return "MEAN"
    case .stridedSlice: return "STRIDED_SLICE"
    case .padV2: return "PADV2"
    case .splitV: return "SPLIT_V"
    case .quantize: return "QUANTIZE"
    case .callOnce: return "CALL_ONCE"
    case .varHandle: return "VAR_HANDLE"
    case .readVariable: return "READ_VARIABLE"
    case .assignVariable: return "ASSIGN_VARIABLE"
    case .relu: return "RELU"
    case .relu6: return "RELU6"
    case .leakyRelu: return "LEAKY_RELU"
    case .hardSwish: return "HARD_SWISH"
    case .tanh: return "TANH"
    case .sub: return "SUB"
    case .squeeze: return "SQUEEZE"
    case .expandDims: return "EXPAND_DIMS"
    case .split: return "SPLIT"
    case .maximum: return "MAXIMUM"
    case .minimum: return "MINIMUM"
    case .transpose: return "TRANSPOSE"
    case .custom: return "CUSTOM"
    case .other: return "BUILTIN"
    }
  }

  /// The `BuiltinOptions` union member the operator carries (0 = none).
  var optionsType: UInt8 {
    switch self {
    case .conv2D: return 1
    case .depthwiseConv2D: return 2
    case .averagePool2D, .maxPool2D: return 5
    case .fullyConnected: return 8
    case .softmax: return 9
    case .concatenation: return 10
    case .add: return 11
    case .reshape: return 17
    case .mul: return 21
    case .pad: return 22
    case .mean: return 27
    case .stridedSlice: return 32
    case .dequantize: return 38
    case .padV2: return 43
    case .splitV: return 79
    case .quantize: return 89
    case .callOnce: return 103
    case .varHandle: return 111
    case .readVariable: return 112
    case .assignVariable: return 113
    case .leakyRelu: return 75
    case .hardSwish: return 91
    case .sub: return 28
    case .squeeze: return 30
    case .expandDims: return 52
    case .split: return 35
    case .maximum, .minimum: return 39
    case .transpose: return 26
    case .logistic, .relu, .relu6, .tanh, .custom, .other: return 0
    }
  }
}

public enum Padding: Sendable { case same, valid }

/// Fused activation (`ActivationFunctionType`).
public enum Activation: Sendable {
  case none, relu, reluN1To1, relu6, tanh, signBit

  init(raw: Int8, at offset: Int) throws(ModelError) {
    switch raw {
    case 0: self = .none
    case 1: self = .relu
    case 2: self = .reluN1To1
    case 3: self = .relu6
    case 4: self = .tanh
    case 5: self = .signBit
    default: throw .malformed(what: "unknown fused activation", offset: offset, value: Int(raw))
    }
  }
}

public struct Conv2DOptions: Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var activation: Activation
  public var dilationWidth: Int
  public var dilationHeight: Int
}

public struct DepthwiseConv2DOptions: Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var depthMultiplier: Int
  public var activation: Activation
  public var dilationWidth: Int
  public var dilationHeight: Int
}

public struct Pool2DOptions: Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var filterWidth: Int
  public var filterHeight: Int
  public var activation: Activation
}

public struct FullyConnectedOptions: Sendable {
  public var activation: Activation
  /// 0 = DEFAULT; the shuffled int8 layout (1) is refused by the interpreter.
  public var weightsFormat: Int8
  public var keepNumDims: Bool
  public var asymmetricQuantizeInputs: Bool
}

public struct StridedSliceOptions: Sendable {
  public var beginMask: Int32
  public var endMask: Int32
  public var ellipsisMask: Int32
  public var newAxisMask: Int32
  public var shrinkAxisMask: Int32
  public var offset: Bool
}

/// The parsed builtin options of one operator (schema defaults where absent).
public enum OperatorOptions: Sendable {
  case none
  case conv2D(Conv2DOptions)
  case depthwiseConv2D(DepthwiseConv2DOptions)
  case pool2D(Pool2DOptions)
  case fullyConnected(FullyConnectedOptions)
  case softmax(beta: Float)
  case concatenation(axis: Int, activation: Activation)
  case add(activation: Activation)
  case mul(activation: Activation)
  case reducer(keepDims: Bool)
  case stridedSlice(StridedSliceOptions)
  case splitV(numSplits: Int)
  case callOnce(initSubgraph: Int)
  case varHandle(container: ByteSpan, sharedName: ByteSpan)
  case leakyRelu(alpha: Float)
  case sub(activation: Activation)
  case squeeze(dims: [Int32])
  case split(numSplits: Int)

  init(kind: OperatorKind, operator op: FlatTable) throws(ModelError) {
    let type = try op.scalar(3, UInt8(0), "Operator.builtin_options_type")
    guard type == 0 || type == kind.optionsType else {
      throw .malformed(what: "builtin options do not belong to the operator", offset: op.position, value: Int(type))
    }
    // An absent options table means every field takes its schema default.
    let t = type == 0 ? nil : try op.table(4, "Operator.builtin_options")
    func i32(_ id: Int, _ d: Int32, _ what: StaticString) throws(ModelError) -> Int {
      Int(try t?.scalar(id, d, what) ?? d)
    }
    func i8(_ id: Int, _ what: StaticString) throws(ModelError) -> Int8 {
      try t?.scalar(id, Int8(0), what) ?? 0
    }
    func flag(_ id: Int, _ what: StaticString) throws(ModelError) -> Bool {
      try t?.bool(id, what) ?? false
    }
    func padding(_ id: Int) throws(ModelError) -> Padding {
      let raw = try i8(id, "options.padding")
      switch raw {
      case 0: return .same
      case 1: return .valid
      default: throw .malformed(what: "unknown padding", offset: op.position, value: Int(raw))
      }
    }
    func activation(_ id: Int) throws(ModelError) -> Activation {
      try Activation(raw: try i8(id, "options.fused_activation_function"), at: op.position)
    }
    func positive(_ v: Int, _ what: StaticString) throws(ModelError) -> Int {
      guard v >= 1 else { throw .malformed(what: what, offset: op.position, value: v) }
      return v
    }

    switch kind {
    case .conv2D:
      self = .conv2D(
        Conv2DOptions(
          padding: try padding(0),
          strideWidth: try positive(try i32(1, 0, "Conv2DOptions.stride_w"), "Conv2DOptions.stride_w must be >= 1"),
          strideHeight: try positive(try i32(2, 0, "Conv2DOptions.stride_h"), "Conv2DOptions.stride_h must be >= 1"),
          activation: try activation(3),
          dilationWidth: try positive(try i32(4, 1, "Conv2DOptions.dilation_w"), "dilation must be >= 1"),
          dilationHeight: try positive(try i32(5, 1, "Conv2DOptions.dilation_h"), "dilation must be >= 1")))
    case .depthwiseConv2D:
      self = .depthwiseConv2D(
        DepthwiseConv2DOptions(
          padding: try padding(0),
          strideWidth: try positive(try i32(1, 0, "DepthwiseConv2DOptions.stride_w"), "stride must be >= 1"),
          strideHeight: try positive(try i32(2, 0, "DepthwiseConv2DOptions.stride_h"), "stride must be >= 1"),
          depthMultiplier: try i32(3, 0, "DepthwiseConv2DOptions.depth_multiplier"),
          activation: try activation(4),
          dilationWidth: try positive(try i32(5, 1, "DepthwiseConv2DOptions.dilation_w"), "dilation must be >= 1"),
          dilationHeight: try positive(try i32(6, 1, "DepthwiseConv2DOptions.dilation_h"), "dilation must be >= 1")))
    case .averagePool2D, .maxPool2D:
      self = .pool2D(
        Pool2DOptions(
          padding: try padding(0),
          strideWidth: try positive(try i32(1, 0, "Pool2DOptions.stride_w"), "stride must be >= 1"),
          strideHeight: try positive(try i32(2, 0, "Pool2DOptions.stride_h"), "stride must be >= 1"),
          filterWidth: try positive(try i32(3, 0, "Pool2DOptions.filter_width"), "filter size must be >= 1"),
          filterHeight: try positive(try i32(4, 0, "Pool2DOptions.filter_height"), "filter size must be >= 1"),
          activation: try activation(5)))
    case .fullyConnected:
      self = .fullyConnected(
        FullyConnectedOptions(
          activation: try activation(0), weightsFormat: try i8(1, "FullyConnectedOptions.weights_format"),
          keepNumDims: try flag(2, "FullyConnectedOptions.keep_num_dims"),
          asymmetricQuantizeInputs: try flag(3, "FullyConnectedOptions.asymmetric_quantize_inputs")))
    case .softmax:
      self = .softmax(beta: try t?.float32(0, 0, "SoftmaxOptions.beta") ?? 0)
    case .concatenation:
      self = .concatenation(axis: try i32(0, 0, "ConcatenationOptions.axis"), activation: try activation(1))
    case .add:
      self = .add(activation: try activation(0))
    case .mul:
      self = .mul(activation: try activation(0))
    case .mean:
      self = .reducer(keepDims: try flag(0, "ReducerOptions.keep_dims"))
    case .stridedSlice:
      self = .stridedSlice(
        StridedSliceOptions(
          beginMask: Int32(try i32(0, 0, "StridedSliceOptions.begin_mask")),
          endMask: Int32(try i32(1, 0, "StridedSliceOptions.end_mask")),
          ellipsisMask: Int32(try i32(2, 0, "StridedSliceOptions.ellipsis_mask")),
          newAxisMask: Int32(try i32(3, 0, "StridedSliceOptions.new_axis_mask")),
          shrinkAxisMask: Int32(try i32(4, 0, "StridedSliceOptions.shrink_axis_mask")),
          offset: try flag(5, "StridedSliceOptions.offset")))
    case .splitV:
      self = .splitV(numSplits: try i32(0, 0, "SplitVOptions.num_splits"))
    case .callOnce:
      self = .callOnce(initSubgraph: try i32(0, 0, "CallOnceOptions.init_subgraph_index"))
    case .varHandle:
      self = .varHandle(
        container: try t?.string(0, "VarHandleOptions.container") ?? ByteSpan(offset: 0, count: 0),
        sharedName: try t?.string(1, "VarHandleOptions.shared_name") ?? ByteSpan(offset: 0, count: 0))
    case .leakyRelu:
      self = .leakyRelu(alpha: try t?.float32(0, 0, "LeakyReluOptions.alpha") ?? 0)
    case .sub:
      self = .sub(activation: try activation(0))
    case .squeeze:
      var dims: [Int32] = []
      if let v = try t?.vector(0, elementSize: 4, "SqueezeOptions.squeeze_dims") {
        for i in 0..<v.count { dims.append(try v.int32(i, "SqueezeOptions.squeeze_dims")) }
      }
      self = .squeeze(dims: dims)
    case .split:
      self = .split(numSplits: try i32(0, 0, "SplitOptions.num_splits"))
    default:
      self = .none
    }
  }
}
