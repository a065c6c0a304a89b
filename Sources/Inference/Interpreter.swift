// The interpreter: prepares a model once, then runs it over and over without
// allocating.
//
// Building an interpreter (`Interpreter(model:arena:)`) does all the work that can
// be done ahead of time:
// 1. the execution order: subgraph 0's operators, with the init subgraph that a
//    CALL_ONCE runs inlined at the CALL_ONCE's place (cycles are refused);
// 2. every operator resolved to a `Step` (an enum case holding its kernel's
//    integer parameters, computed from the float scales as TFLM's Prepare does);
//    an operator, type or option we do not implement is an error naming the
//    operator, its node index and subgraph;
// 3. resource variables resolved statically from VAR_HANDLE names;
// 4. the memory plan (see MemoryPlanner.swift), then tensor pointers bound into
//    the caller's arena: [variables | planned activations].
// `invoke()` then walks the steps; `reset()` zeroes the variables and re-arms
// CALL_ONCE so the next invocation starts from the model's initial state.

/// Why an interpreter could not be built or run.
public enum InterpreterError: Error, CustomStringConvertible {
  /// The model uses something not implemented here (an operator, a type, an option).
  case unsupported(op: StaticString, code: Int32, node: Int, subgraph: Int, what: StaticString, value: Int)
  /// An operator's tensors or options are inconsistent.
  case invalid(op: StaticString, node: Int, subgraph: Int, what: StaticString, value: Int)
  /// The graph as a whole is inconsistent (a tensor read before it is written, a
  /// CALL_ONCE cycle...).
  case invalidGraph(what: StaticString, subgraph: Int, index: Int)
  /// The arena given is smaller than the plan needs.
  case arenaTooSmall(required: Int, available: Int)
  /// The arena's start address is not aligned to `alignment` bytes.
  case misalignedArena(alignment: Int)

  public var description: String {
    switch self {
    case .unsupported(let op, let code, let node, let subgraph, let what, let value):
      return "unsupported: \(op) (builtin code \(code)) at node \(node) of subgraph \(subgraph): \(what) (value \(value))"
    case .invalid(let op, let node, let subgraph, let what, let value):
      return "invalid \(op) at node \(node) of subgraph \(subgraph): \(what) (value \(value))"
    case .invalidGraph(let what, let subgraph, let index):
      return "invalid graph in subgraph \(subgraph): \(what) (index \(index))"
    case .arenaTooSmall(let required, let available):
      return "arena too small: the plan needs \(required) bytes, \(available) given"
    case .misalignedArena(let alignment):
      return "arena start must be aligned to \(alignment) bytes"
    }
  }
}

/// A tensor as the caller sees it: where its bytes are and how to read them.
public struct TensorView {
  public var data: UnsafeMutableRawPointer
  public var shape: Shape
  public var type: TensorType
  /// Per-tensor (or first-channel) quantization; scale 0 when not quantized.
  public var scale: Float
  public var zeroPoint: Int32
  public var byteCount: Int { shape.elementCount * type.size }
}

/// One prepared operator: what to run and with which parameters. `indirect`:
/// each payload sits in its own heap box made once at prepare, so a node costs
/// only its own kernel's parameters (a STRIDED_SLICE's are 20 times an ADD's
/// pointer), and reading it per invocation is one pointer hop, no allocation.
@usableFromInline
indirect enum Step {
  case nothing
  case copy(bytes: Int)
  case readVariable(Int, bytes: Int)
  case assignVariable(Int, bytes: Int)
  case callOnce(subgraph: Int, flag: Int)
  case concatenation(ConcatenationParams)
  case stridedSlice(StridedSliceParams)
  case splitV(SplitVParams)
  case pad(PadParams)
  case quantize(QuantizeParams, count: Int)
  case dequantize(DequantizeParams, count: Int)
  case conv2D(Conv2DParams)
  case depthwiseConv2D(DepthwiseConv2DParams)
  case fullyConnected(FullyConnectedParams)
  case averagePool2D(Pool2DParams)
  case maxPool2D(Pool2DParams)
  case softmax(SoftmaxParams, SoftmaxOutputType)
  case logistic(LogisticParams)
  case add(AddParams)
  case mul(MulParams)
  /// MEAN sums into an int32 scratch buffer of `scratch` elements (planned memory).
  case mean(MeanParams)
  /// RELU, RELU6, LEAKY_RELU, HARD_SWISH, TANH, SUB, MAXIMUM, MINIMUM, TRANSPOSE,
  /// SPLIT (ExtendedOps.swift).
  case extended(ExtendedStep)
}

@usableFromInline
struct Node {
  var step: Step
  var kind: OperatorKind
  /// Where the node's global tensor indices start in `nodeTensors` (inputs, then
  /// outputs; -1 = omitted optional input). 32-bit fields keep nodes small.
  var inputStart32: Int32
  var inputCount32: Int16
  var outputCount32: Int16
  /// Planned scratch buffer (index into `Plan.buffers`), -1 when none.
  var scratch32: Int32 = -1
  /// Scratch bytes the kernel asks for.
  var scratchBytes32: Int32 = 0

  init(step: Step, kind: OperatorKind, inputStart: Int, inputCount: Int, outputStart: Int, outputCount: Int) {
    precondition(outputStart == inputStart + inputCount)
    self.step = step
    self.kind = kind
    inputStart32 = Int32(inputStart)
    inputCount32 = Int16(inputCount)
    outputCount32 = Int16(outputCount)
  }

  var inputStart: Int { Int(inputStart32) }
  var inputCount: Int { Int(inputCount32) }
  var outputStart: Int { Int(inputStart32) + Int(inputCount32) }
  var outputCount: Int { Int(outputCount32) }
  var scratch: Int {
    get { Int(scratch32) }
    set { scratch32 = Int32(newValue) }
  }
  var scratchBytes: Int {
    get { Int(scratchBytes32) }
    set { scratchBytes32 = Int32(newValue) }
  }
}

/// What the caller sees of a graph input or output, kept so the interpreter does
/// not need the model's tables after init.
struct BoundaryTensor {
  var index: Int
  var shape: Shape
  var type: TensorType
  var scale: Float
  var zeroPoint: Int32
}

/// Where a tensor's bytes live.
enum Storage: Equatable {
  case none
  case constant(ByteSpan)
  case planned(Int)
  case variable(Int)
  case persistent(offset: Int)
}

/// Everything `prepare` decides, before an arena exists.
struct Plan {
  /// The flattened tensor table; used while preparing, emptied before the plan
  /// is kept (eval needs only `shapes`).
  var tensors: [TensorInfo] = []
  /// Each tensor's shape, packed as (byte offset in the model << 3) | rank and
  /// read in place when a kernel needs it (TFLM points into the FlatBuffer too).
  var shapes: [UInt32] = []
  var inputs: [BoundaryTensor] = []
  var outputs: [BoundaryTensor] = []
  var tensorBase: [Int] = []
  var nodes: [Node] = []
  var nodeTensors: [Int32] = []

  /// Global tensor index at position `i` of `nodeTensors` (-1 = omitted).
  @inline(__always) func tensorIndex(_ i: Int) -> Int { Int(nodeTensors[i]) }
  /// Node range of each subgraph (empty when unreachable).
  var subgraphNodes: [Range<Int>] = []
  var callOnceCount = 0
  /// Variable byte offsets and sizes inside the persistent region.
  var variableOffset: [Int] = []
  var variableSize: [Int] = []
  var persistentBytes = 0
  var plannedBytes = 0
  var buffers: [PlannedBuffer] = []
  var storage: [Storage] = []
  /// Execution order length (steps), for reports.
  var stepCount = 0
}

/// Runs a model. Build once, then `invoke()` per inference.
///
///     let model = try Model(bytes: raw)
///     let need = try Interpreter.arenaBytesRequired(for: model)
///     let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: need, alignment: 16)
///     let interpreter = try Interpreter(model: model, arena: arena)
///     interpreter.input(0).data.copyMemory(from: features, byteCount: 120)
///     try interpreter.invoke()
///     let probability = interpreter.output(0).data.load(as: UInt8.self)
public final class Interpreter {
  /// The model's bytes (weights are read in place from them).
  public let modelBytes: UnsafeRawBufferPointer
  /// Bytes of arena this model needs: `variableBytes + activationBytes`.
  public let arenaBytesRequired: Int
  /// Bytes that persist across invocations (resource variables, variable tensors).
  public let variableBytes: Int
  /// Bytes of the planned, reused region for intermediate tensors.
  public let activationBytes: Int
  /// Required alignment of the arena's start address.
  public static let arenaAlignment = 16

  let plan: Plan
  let arena: UnsafeMutableRawBufferPointer
  var pointers: [UnsafeMutableRawPointer?]
  var variablePointers: [UnsafeMutableRawPointer]
  var callOnceDone: [Bool]

  /// The arena bytes `model` needs, without building an interpreter.
  public static func arenaBytesRequired(for model: Model) throws(InterpreterError) -> Int {
    let p = try prepare(model)
    return p.persistentBytes + p.plannedBytes
  }

  public init(model: Model, arena: UnsafeMutableRawBufferPointer) throws(InterpreterError) {
    var p = try prepare(model)
    p.tensors = []
    modelBytes = model.bytes
    variableBytes = p.persistentBytes
    activationBytes = p.plannedBytes
    arenaBytesRequired = p.persistentBytes + p.plannedBytes
    guard arena.count >= arenaBytesRequired else {
      throw .arenaTooSmall(required: arenaBytesRequired, available: arena.count)
    }
    guard let base = arena.baseAddress ?? (arenaBytesRequired == 0 ? UnsafeMutableRawPointer(bitPattern: 16) : nil),
      Int(bitPattern: base) % Interpreter.arenaAlignment == 0
    else { throw .misalignedArena(alignment: Interpreter.arenaAlignment) }
    self.arena = arena
    variablePointers = p.variableOffset.map { base + $0 }
    pointers = [UnsafeMutableRawPointer?](repeating: nil, count: p.storage.count)
    callOnceDone = [Bool](repeating: false, count: p.callOnceCount)
    // From here on a node's `scratch` is its scratch buffer's offset in the arena.
    for i in 0..<p.nodes.count where p.nodes[i].scratch >= 0 {
      p.nodes[i].scratch = p.persistentBytes + p.buffers[p.nodes[i].scratch].offset
    }
    let modelBase = UnsafeMutableRawPointer(mutating: model.bytes.baseAddress!)
    for g in 0..<p.storage.count {
      switch p.storage[g] {
      case .none: pointers[g] = nil
      case .constant(let span): pointers[g] = modelBase + span.offset
      case .planned(let b): pointers[g] = base + p.persistentBytes + p.buffers[b].offset
      case .variable(let v): pointers[g] = variablePointers[v]
      case .persistent(let offset): pointers[g] = base + offset
      }
    }
    // The storage decisions and the buffer list are only needed to bind the
    // pointers above; keep the node and shape tables only.
    p.storage = []
    p.buffers = []
    p.tensorBase = []
    plan = p
    reset()
  }

  // MARK: Tensors

  public var inputCount: Int { plan.inputs.count }
  public var outputCount: Int { plan.outputs.count }

  public func input(_ i: Int) -> TensorView { view(plan.inputs[i]) }
  public func output(_ i: Int) -> TensorView { view(plan.outputs[i]) }

  func view(_ t: BoundaryTensor) -> TensorView {
    // A zero-byte tensor has no storage; hand out the arena start so callers
    // never see a null pointer.
    let data = pointers[t.index] ?? arena.baseAddress ?? UnsafeMutableRawPointer(mutating: modelBytes.baseAddress!)
    return TensorView(data: data, shape: t.shape, type: t.type, scale: t.scale, zeroPoint: t.zeroPoint)
  }

  /// Number of steps in the execution order (init subgraph included).
  public var stepCount: Int { plan.stepCount }

  /// Heap bytes of the interpreter's own tables, outside the arena: tensor
  /// shapes, nodes with their kernel parameters (per-channel multipliers
  /// included), tensor pointers. Counted from element counts and strides on this
  /// target (a 64-bit host counts pointers and Ints twice what a 32-bit MCU does),
  /// plus 32 bytes of header per heap array and 16 per boxed node payload. The
  /// `Model`'s tables are not included: they are only needed while building the
  /// interpreter and can be dropped after (see `Model.tableBytes`).
  public var bookkeepingBytes: Int {
    let header = 32
    func array<T>(_ a: [T]) -> Int { header + a.count * MemoryLayout<T>.stride }
    // Per-channel constants: whichever form the layer keeps (an empty array is the
    // shared empty singleton, no heap block).
    func channels(_ c: ChannelMultipliers) -> Int {
      func kept<T>(_ a: [T]) -> Int { a.isEmpty ? 0 : array(a) }
      return kept(c.multipliers) + kept(c.shifts) + kept(c.roundings)
    }
    var total = array(plan.shapes) + array(plan.inputs) + array(plan.outputs) + array(plan.tensorBase)
    total += array(plan.nodes) + array(plan.nodeTensors) + array(plan.subgraphNodes)
    total += array(plan.variableOffset) + array(plan.variableSize) + array(plan.buffers) + array(plan.storage)
    total += array(pointers) + array(variablePointers) + array(callOnceDone)
    for node in plan.nodes {
      let box = 16
      switch node.step {
      case .nothing: break
      case .copy, .readVariable, .assignVariable, .callOnce: total += box + 16
      case .concatenation(let p): total += box + MemoryLayout.size(ofValue: p)
      case .stridedSlice(let p): total += box + MemoryLayout.size(ofValue: p)
      case .splitV(let p): total += box + MemoryLayout.size(ofValue: p)
      case .pad(let p): total += box + MemoryLayout.size(ofValue: p)
      case .quantize(let p, _): total += box + MemoryLayout.size(ofValue: p) + 8
      case .dequantize(let p, _): total += box + MemoryLayout.size(ofValue: p) + 8
      case .conv2D(let p):
        total += box + MemoryLayout.size(ofValue: p) + channels(p.channels)
      case .depthwiseConv2D(let p):
        total += box + MemoryLayout.size(ofValue: p) + channels(p.channels)
      case .fullyConnected(let p):
        total += box + MemoryLayout.size(ofValue: p) + channels(p.channels)
      case .averagePool2D(let p), .maxPool2D(let p): total += box + MemoryLayout.size(ofValue: p)
      case .softmax(let p, _): total += box + MemoryLayout.size(ofValue: p) + 8
      case .logistic(let p): total += box + MemoryLayout.size(ofValue: p)
      case .add(let p): total += box + MemoryLayout.size(ofValue: p)
      case .mul(let p): total += box + MemoryLayout.size(ofValue: p)
      case .mean(let p): total += box + MemoryLayout.size(ofValue: p)
      case .extended(let p): total += box + p.payloadBytes
      }
    }
    return total
  }

  // MARK: Running

  /// Restores the initial state: variables zeroed, CALL_ONCE re-armed, so the next
  /// `invoke()` behaves exactly like the first one of a fresh interpreter.
  public func reset() {
    if plan.persistentBytes > 0, let base = arena.baseAddress {
      base.initializeMemory(as: UInt8.self, repeating: 0, count: plan.persistentBytes)
    }
    for i in 0..<callOnceDone.count { callOnceDone[i] = false }
  }

  /// Runs subgraph 0 once on the current inputs.
  public func invoke() throws(InterpreterError) {
    run(subgraph: 0)
  }

  @inline(__always) func tensor(_ node: Node, input k: Int) -> UnsafeMutableRawPointer {
    pointers[plan.tensorIndex(node.inputStart + k)]!
  }

  @inline(__always) func tensor(_ node: Node, output k: Int) -> UnsafeMutableRawPointer {
    pointers[plan.tensorIndex(node.outputStart + k)]!
  }

  @inline(__always) func int8(_ node: Node, input k: Int) -> UnsafePointer<Int8> {
    UnsafePointer(tensor(node, input: k).assumingMemoryBound(to: Int8.self))
  }

  @inline(__always) func int8(_ node: Node, output k: Int) -> UnsafeMutablePointer<Int8> {
    tensor(node, output: k).assumingMemoryBound(to: Int8.self)
  }

  @inline(__always) func shape(_ node: Node, input k: Int) -> Shape {
    shape(of: plan.tensorIndex(node.inputStart + k))
  }

  @inline(__always) func shape(_ node: Node, output k: Int) -> Shape {
    shape(of: plan.tensorIndex(node.outputStart + k))
  }

  /// Tensor `g`'s shape, read from the model bytes.
  @inline(__always) func shape(of g: Int) -> Shape {
    let packed = plan.shapes[g]
    let at = modelBytes.baseAddress! + Int(packed >> 3)
    return Shape(rank: Int(packed & 7)) { Int(Int32(littleEndian: at.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
  }

  /// The optional int32 bias (input 2) of a convolution or fully connected node.
  @inline(__always) func bias(_ node: Node) -> UnsafePointer<Int32>? {
    guard node.inputCount > 2 else { return nil }
    let g = plan.tensorIndex(node.inputStart + 2)
    guard g >= 0, let p = pointers[g] else { return nil }
    return UnsafePointer(p.assumingMemoryBound(to: Int32.self))
  }

  func run(subgraph s: Int) {
    run(nodes: plan.subgraphNodes[s])
  }

  /// Runs nodes `nodes` (indices into `plan.nodes`) in order.
  func run(nodes: Range<Int>) {
    for n in nodes {
      let node = plan.nodes[n]
      switch node.step {
      case .nothing:
        break
      case .copy(let bytes):
        copyIfDistinct(from: tensor(node, input: 0), to: tensor(node, output: 0), byteCount: bytes)
      case .readVariable(let v, let bytes):
        copyVariable(from: variablePointers[v], to: tensor(node, output: 0), byteCount: bytes)
      case .assignVariable(let v, let bytes):
        copyVariable(from: tensor(node, input: 1), to: variablePointers[v], byteCount: bytes)
      case .callOnce(let sub, let flag):
        if !callOnceDone[flag] {
          callOnceDone[flag] = true
          run(subgraph: sub)
        }
      case .concatenation(let p):
        let axis = p.axis
        concatenate(p, inputCount: node.inputCount, input: { i in
          let g = plan.tensorIndex(node.inputStart + i)
          return (UnsafeRawPointer(pointers[g]!), shape(of: g)[axis])
        }, output: tensor(node, output: 0))
      case .stridedSlice(let p):
        stridedSlice(p, input: tensor(node, input: 0), output: tensor(node, output: 0))
      case .splitV(let p):
        let axis = p.axis
        splitV(p, input: tensor(node, input: 0), outputCount: node.outputCount, output: { i in
          let g = plan.tensorIndex(node.outputStart + i)
          return (pointers[g]!, shape(of: g)[axis])
        })
      case .pad(let p):
        pad(p, input: tensor(node, input: 0), output: tensor(node, output: 0))
      case .quantize(let p, let count):
        quantize(p, input: tensor(node, input: 0), output: tensor(node, output: 0), count: count)
      case .dequantize(let p, let count):
        dequantize(p, input: tensor(node, input: 0), output: tensor(node, output: 0), count: count)
      case .conv2D(let p):
        conv2D(
          p, input: int8(node, input: 0), inputShape: shape(node, input: 0), filter: int8(node, input: 1),
          filterShape: shape(node, input: 1), bias: bias(node), output: int8(node, output: 0),
          outputShape: shape(node, output: 0))
      case .depthwiseConv2D(let p):
        depthwiseConv2D(
          p, input: int8(node, input: 0), inputShape: shape(node, input: 0), filter: int8(node, input: 1),
          filterShape: shape(node, input: 1), bias: bias(node), output: int8(node, output: 0),
          outputShape: shape(node, output: 0))
      case .fullyConnected(let p):
        fullyConnected(p, input: int8(node, input: 0), weights: int8(node, input: 1), bias: bias(node), output: int8(node, output: 0))
      case .averagePool2D(let p):
        averagePool2D(
          p, input: int8(node, input: 0), inputShape: shape(node, input: 0), output: int8(node, output: 0),
          outputShape: shape(node, output: 0))
      case .maxPool2D(let p):
        maxPool2D(
          p, input: int8(node, input: 0), inputShape: shape(node, input: 0), output: int8(node, output: 0),
          outputShape: shape(node, output: 0))
      case .softmax(let p, let type):
        switch type {
        case .int8: softmax(p, input: int8(node, input: 0), output: int8(node, output: 0))
        case .int16:
          softmax(p, input: int8(node, input: 0), output: tensor(node, output: 0).assumingMemoryBound(to: Int16.self))
        }
      case .logistic(let p):
        logistic(p, input: int8(node, input: 0), output: int8(node, output: 0))
      case .add(let p):
        add(p, input1: int8(node, input: 0), input2: int8(node, input: 1), output: int8(node, output: 0))
      case .mul(let p):
        mul(p, input1: int8(node, input: 0), input2: int8(node, input: 1), output: int8(node, output: 0))
      case .mean(let p):
        mean(
          p, input: int8(node, input: 0), output: int8(node, output: 0),
          scratch: (arena.baseAddress! + node.scratch).assumingMemoryBound(to: Int32.self))
      case .extended(let step):
        run(step, node)
      }
    }
  }

}
