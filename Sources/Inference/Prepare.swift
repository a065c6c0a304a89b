// Prepare: from a read model to a `Plan` (steps, variables, memory plan), with
// no arena yet. Every check that can fail happens here, so `invoke()` cannot.

/// Bytes of alignment for a tensor of `type` in the arena: 4 at least, so int32
/// and float32 loads are aligned, 8 for 64-bit types.
func alignment(of type: TensorType) -> Int { max(4, type.size) }

func prepare(_ model: Model) throws(InterpreterError) -> Plan {
  var p = Plan()
  let graphs = model.subgraphs
  // Flatten tensors: global index = tensorBase[subgraph] + local index.
  for g in graphs {
    p.tensorBase.append(p.tensors.count)
    p.tensors.append(contentsOf: g.tensors)
  }
  p.storage = [Storage](repeating: .none, count: p.tensors.count)
  p.shapes = p.tensors.map { UInt32($0.shapeOffset) << 3 | UInt32($0.shape.rank) }
  func boundary(_ i: Int32) -> BoundaryTensor {
    let t = p.tensors[Int(i)]
    return BoundaryTensor(
      index: Int(i), shape: t.shape, type: t.type, scale: t.quantization.scale, zeroPoint: t.quantization.zeroPoint)
  }
  p.inputs = graphs[0].inputs.map(boundary)
  p.outputs = graphs[0].outputs.map(boundary)
  p.subgraphNodes = [Range<Int>](repeating: 0..<0, count: graphs.count)

  // 1. Execution order: subgraph 0 with CALL_ONCE targets inlined.
  var order: [(subgraph: Int, node: Int)] = []
  var reachable = [Bool](repeating: false, count: graphs.count)
  var onStack = [Bool](repeating: false, count: graphs.count)
  func visit(_ s: Int) throws(InterpreterError) {
    onStack[s] = true
    reachable[s] = true
    for (n, op) in graphs[s].operators.enumerated() {
      order.append((s, n))
      if op.kind == .callOnce, case .callOnce(let target) = op.options {
        guard target >= 0, target < graphs.count else {
          throw .invalid(op: "CALL_ONCE", node: n, subgraph: s, what: "init subgraph index out of range", value: target)
        }
        guard !onStack[target] else {
          throw .invalid(op: "CALL_ONCE", node: n, subgraph: s, what: "init subgraph calls itself", value: target)
        }
        guard graphs[target].inputs.isEmpty, graphs[target].outputs.isEmpty else {
          throw .invalid(op: "CALL_ONCE", node: n, subgraph: s, what: "init subgraph must have no inputs or outputs", value: target)
        }
        try visit(target)
      }
    }
    onStack[s] = false
  }
  try visit(0)
  p.stepCount = order.count

  // 2. Variables: one per distinct (container, shared_name) among VAR_HANDLEs.
  var variableNames: [(ByteSpan, ByteSpan)] = []
  var variableOf = [Int](repeating: -1, count: p.tensors.count)
  for s in 0..<graphs.count where reachable[s] {
    for op in graphs[s].operators where op.kind == .varHandle {
      guard case .varHandle(let container, let name) = op.options, op.outputs.count == 1 else { continue }
      var id = -1
      for (i, v) in variableNames.enumerated() where model.sameBytes(v.0, container) && model.sameBytes(v.1, name) {
        id = i
      }
      if id < 0 {
        id = variableNames.count
        variableNames.append((container, name))
      }
      variableOf[p.tensorBase[s] + Int(op.outputs[0])] = id
    }
  }
  var variableSize = [Int](repeating: -1, count: variableNames.count)

  // 3. Steps.
  for s in 0..<graphs.count where reachable[s] {
    let start = p.nodes.count
    for (n, op) in graphs[s].operators.enumerated() {
      let base = p.tensorBase[s]
      let inputStart = p.nodeTensors.count
      for i in op.inputs { p.nodeTensors.append(i < 0 ? -1 : Int32(base) + i) }
      let outputStart = p.nodeTensors.count
      for o in op.outputs { p.nodeTensors.append(Int32(base) + o) }
      var node = Node(
        step: .nothing, kind: op.kind, inputStart: inputStart, inputCount: op.inputs.count,
        outputStart: outputStart, outputCount: op.outputs.count)
      do throws(OperatorError) {
        node.step = try prepareStep(
          model, op, tensors: p.tensors, base: base, variableOf: variableOf, variableSize: &variableSize,
          callOnceCount: &p.callOnceCount)
      } catch {
        if error.unsupported {
          throw .unsupported(op: op.kind.name, code: op.code, node: n, subgraph: s, what: error.reason, value: error.value)
        }
        throw .invalid(op: op.kind.name, node: n, subgraph: s, what: error.reason, value: error.value)
      }
      if case .mean(let m) = node.step { node.scratchBytes = m.scratchCount * 4 }
      p.nodes.append(node)
    }
    p.subgraphNodes[s] = start..<p.nodes.count
  }

  // Global node index of each step of the order.
  var stepNode: [Int] = []
  stepNode.reserveCapacity(order.count)
  for (s, n) in order { stepNode.append(p.subgraphNodes[s].lowerBound + n) }

  // 4. Storage roots: a RESHAPE, SQUEEZE or EXPAND_DIMS output shares its input's bytes.
  var root = Array(0..<p.tensors.count)
  for nodeIndex in stepNode {
    let node = p.nodes[nodeIndex]
    if node.kind == .reshape || node.kind == .squeeze || node.kind == .expandDims {
      let input = p.tensorIndex(node.inputStart)
      let output = p.tensorIndex(node.outputStart)
      root[output] = root[input]
    }
  }
  let inputs0 = graphs[0].inputs.map { Int($0) }
  let outputs0 = graphs[0].outputs.map { Int($0) }
  var isGraphInput = [Bool](repeating: false, count: p.tensors.count)
  var isGraphOutput = [Bool](repeating: false, count: p.tensors.count)
  for i in inputs0 { isGraphInput[root[i]] = true }
  for o in outputs0 { isGraphOutput[root[o]] = true }

  func needsBytes(_ g: Int) -> Bool {
    let t = p.tensors[g]
    return t.data == nil && t.type != .resource && t.byteCount > 0
  }
  for s in 0..<graphs.count where reachable[s] {
    for t in 0..<graphs[s].tensors.count {
      let g = p.tensorBase[s] + t
      let r = root[g]
      if let data = p.tensors[r].data {
        p.storage[g] = .constant(data)
      }
    }
  }

  // 5. Lifetimes (on roots), in steps.
  var first = [Int](repeating: Int.max, count: p.tensors.count)
  var last = [Int](repeating: -1, count: p.tensors.count)
  var persistentTensor = [Bool](repeating: false, count: p.tensors.count)
  for i in inputs0 where needsBytes(root[i]) {
    first[root[i]] = 0
    last[root[i]] = max(last[root[i]], 0)
  }
  for (step, nodeIndex) in stepNode.enumerated() {
    let node = p.nodes[nodeIndex]
    for k in 0..<node.inputCount {
      let g = p.tensorIndex(node.inputStart + k)
      guard g >= 0, needsBytes(root[g]) else { continue }
      let r = root[g]
      if p.tensors[r].isVariable {
        persistentTensor[r] = true
        continue
      }
      guard first[r] != Int.max else {
        let (s, _) = order[step]
        throw .invalidGraph(what: "tensor is read before any operator writes it", subgraph: s, index: g - p.tensorBase[s])
      }
      last[r] = max(last[r], step)
    }
    for k in 0..<node.outputCount {
      let g = p.tensorIndex(node.outputStart + k)
      guard needsBytes(root[g]) else { continue }
      let r = root[g]
      if p.tensors[r].isVariable {
        persistentTensor[r] = true
        continue
      }
      first[r] = min(first[r], step)
      last[r] = max(last[r], step)
    }
  }
  for o in outputs0 where needsBytes(root[o]) && !persistentTensor[root[o]] {
    guard first[root[o]] != Int.max else {
      throw .invalidGraph(what: "graph output is never written", subgraph: 0, index: o)
    }
    last[root[o]] = order.count
  }

  // 6. Variable-resident tensors. Steps that read / assign each variable:
  var reads: [[Int]] = Array(repeating: [], count: variableNames.count)
  var assigns: [[Int]] = Array(repeating: [], count: variableNames.count)
  for (step, nodeIndex) in stepNode.enumerated() {
    switch p.nodes[nodeIndex].step {
    case .readVariable(let v, _): reads[v].append(step)
    case .assignVariable(let v, _): assigns[v].append(step)
    default: break
    }
  }
  // Lifetimes of tensors placed in each variable's storage.
  var residents: [[(Int, Int)]] = Array(repeating: [], count: variableNames.count)
  // A READ_VARIABLE output can be the variable itself if the variable is not
  // assigned while the output is still needed (an ASSIGN that is the output's
  // last reader is fine: it copies onto itself).
  for (step, nodeIndex) in stepNode.enumerated() {
    let node = p.nodes[nodeIndex]
    guard case .readVariable(let v, _) = node.step else { continue }
    let r = root[p.tensorIndex(node.outputStart)]
    guard needsBytes(r), !isGraphOutput[r], !isGraphInput[r], !persistentTensor[r], p.storage[r] == .none else { continue }
    let end = last[r]
    if assigns[v].contains(where: { $0 > step && $0 < end }) { continue }
    p.storage[r] = .variable(v)
    residents[v].append((step, end))
  }
  // An ASSIGN_VARIABLE input can be written straight into the variable by its
  // producer if nothing else reads, assigns or holds the variable while the
  // input is alive.
  for (step, nodeIndex) in stepNode.enumerated() {
    let node = p.nodes[nodeIndex]
    guard case .assignVariable(let v, _) = node.step else { continue }
    let g = p.tensorIndex(node.inputStart + 1)
    let r = root[g]
    guard needsBytes(r), !isGraphOutput[r], !isGraphInput[r], !persistentTensor[r], p.storage[r] == .none else { continue }
    let from = first[r], to = last[r]
    if reads[v].contains(where: { $0 >= from && $0 <= to }) { continue }
    if assigns[v].contains(where: { $0 >= from && $0 <= to && $0 != step }) { continue }
    if residents[v].contains(where: { $0.0 <= to && from <= $0.1 }) { continue }
    p.storage[r] = .variable(v)
    residents[v].append((from, to))
  }

  // 7. Persistent region: variables, then old-style variable tensors.
  var offset = 0
  for v in 0..<variableNames.count {
    offset = alignUp(offset, 8)
    p.variableOffset.append(offset)
    let size = max(variableSize[v], 0)
    p.variableSize.append(size)
    offset += size
  }
  for g in 0..<p.tensors.count where persistentTensor[g] {
    offset = alignUp(offset, alignment(of: p.tensors[g].type))
    p.storage[g] = .persistent(offset: offset)
    offset += p.tensors[g].byteCount
  }
  p.persistentBytes = alignUp(offset, Interpreter.arenaAlignment)

  // 8. Plan the rest.
  for g in 0..<p.tensors.count where p.storage[g] == .none && first[g] != Int.max && root[g] == g {
    p.storage[g] = .planned(p.buffers.count)
    p.buffers.append(
      PlannedBuffer(size: p.tensors[g].byteCount, alignment: alignment(of: p.tensors[g].type), first: first[g], last: last[g]))
  }
  // Kernel scratch memory lives only during its node's step.
  for (step, nodeIndex) in stepNode.enumerated() where p.nodes[nodeIndex].scratchBytes > 0 {
    if p.nodes[nodeIndex].scratch >= 0 {
      p.buffers[p.nodes[nodeIndex].scratch].last = step
      continue
    }
    p.nodes[nodeIndex].scratch = p.buffers.count
    p.buffers.append(PlannedBuffer(size: p.nodes[nodeIndex].scratchBytes, alignment: 4, first: step, last: step))
  }
  p.plannedBytes = alignUp(planMemory(&p.buffers), Interpreter.arenaAlignment)

  // Aliases take their root's storage.
  for s in 0..<graphs.count where reachable[s] {
    for t in 0..<graphs[s].tensors.count {
      let g = p.tensorBase[s] + t
      if root[g] != g { p.storage[g] = p.storage[root[g]] }
    }
  }
  return p
}

/// Reads a constant int32 tensor's values (shape/index operands).
func constantInt32(_ model: Model, _ t: TensorInfo) throws(OperatorError) -> [Int32] {
  guard t.type == .int32 else { throw OperatorError("index operand must be int32", unsupported: true) }
  guard let data = t.data else { throw OperatorError("index operand must be constant", unsupported: true) }
  let bytes = model.data(data)
  var out: [Int32] = []
  out.reserveCapacity(bytes.count / 4)
  for i in 0..<(bytes.count / 4) {
    out.append(Int32(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
  }
  return out
}

/// Prepares one operator: checks operand counts and types and computes its
/// kernel's parameters.
func prepareStep(
  _ model: Model, _ op: OperatorInfo, tensors: [TensorInfo], base: Int, variableOf: [Int],
  variableSize: inout [Int], callOnceCount: inout Int
) throws(OperatorError) -> Step {
  func input(_ k: Int) throws(OperatorError) -> TensorInfo {
    guard k < op.inputs.count, op.inputs[k] >= 0 else { throw OperatorError("missing input", value: k) }
    return tensors[base + Int(op.inputs[k])]
  }
  func output(_ k: Int) throws(OperatorError) -> TensorInfo {
    guard k < op.outputs.count else { throw OperatorError("missing output", value: k) }
    return tensors[base + Int(op.outputs[k])]
  }
  func counts(_ inputs: ClosedRange<Int>, _ outputs: Int) throws(OperatorError) {
    guard inputs.contains(op.inputs.count) else { throw OperatorError("wrong number of inputs", value: op.inputs.count) }
    guard op.outputs.count == outputs else { throw OperatorError("wrong number of outputs", value: op.outputs.count) }
  }
  func writable(_ t: TensorInfo) throws(OperatorError) {
    guard t.data == nil else { throw OperatorError("output tensor is a constant") }
  }
  func dataType(_ t: TensorInfo, _ allowed: [TensorType]) throws(OperatorError) {
    guard allowed.contains(t.type) else { throw OperatorError("tensor type (schema TensorType code) not handled by this kernel", value: t.type.code, unsupported: true) }
  }
  func variable(_ k: Int) throws(OperatorError) -> Int {
    guard k < op.inputs.count, op.inputs[k] >= 0 else { throw OperatorError("missing resource input", value: k) }
    let v = variableOf[base + Int(op.inputs[k])]
    guard v >= 0 else { throw OperatorError("resource input is not made by a VAR_HANDLE", unsupported: true) }
    return v
  }
  func sizeVariable(_ v: Int, _ bytes: Int) throws(OperatorError) {
    if variableSize[v] < 0 { variableSize[v] = bytes }
    guard variableSize[v] == bytes else { throw OperatorError("variable used with two different sizes", value: bytes) }
  }

  switch op.kind {
  case .varHandle:
    try counts(0...0, 1)
    return .nothing

  case .readVariable:
    try counts(1...1, 1)
    let v = try variable(0)
    let out = try output(0)
    try writable(out)
    try sizeVariable(v, out.byteCount)
    return .readVariable(v, bytes: out.byteCount)

  case .assignVariable:
    try counts(2...2, 0)
    let v = try variable(0)
    let value = try input(1)
    try sizeVariable(v, value.byteCount)
    return .assignVariable(v, bytes: value.byteCount)

  case .callOnce:
    guard case .callOnce(let target) = op.options else { throw OperatorError("missing options") }
    try counts(0...0, 0)
    callOnceCount += 1
    return .callOnce(subgraph: target, flag: callOnceCount - 1)

  case .reshape:
    try counts(1...2, 1)
    let a = try input(0), out = try output(0)
    try writable(out)
    guard a.type.size > 0 else { throw OperatorError("tensor type", unsupported: true) }
    try prepareReshape(input: a.shape, inputType: a.type, output: out.shape, outputType: out.type)
    return .copy(bytes: out.byteCount)

  case .concatenation:
    guard case .concatenation(let axis, let activation) = op.options else { throw OperatorError("missing options") }
    guard op.inputs.count >= 1 else { throw OperatorError("no inputs") }
    try counts(1...10, 1)
    let out = try output(0)
    try writable(out)
    try dataType(out, [.float32, .int8, .int16, .int32, .int64, .bool])
    var shapes: [Shape] = []
    for k in 0..<op.inputs.count {
      let t = try input(k)
      guard t.type == out.type else { throw OperatorError("input type differs from output type", value: k) }
      if t.type == .int8 || t.type == .int16 {
        // Bytes are copied as they are, so every input must already be in the
        // output's quantization (TFLM's Prepare checks the same).
        guard t.quantization.scale == out.quantization.scale, t.quantization.zeroPoint == out.quantization.zeroPoint else {
          throw OperatorError("input scale / zero point differ from the output's", value: k)
        }
      }
      shapes.append(t.shape)
    }
    return .concatenation(
      try prepareConcatenation(
        axis: axis, activation: activation, inputCount: shapes.count, inputShape: { shapes[$0] }, output: out.shape,
        elementSize: out.type.size))

  case .stridedSlice:
    guard case .stridedSlice(let options) = op.options else { throw OperatorError("missing options") }
    try counts(4...4, 1)
    let a = try input(0), out = try output(0)
    try writable(out)
    try dataType(a, [.float32, .int8, .int16, .int32, .bool])
    guard out.type == a.type else { throw OperatorError("output type differs from input type") }
    return .stridedSlice(
      try prepareStridedSlice(
        input: a.shape, begin: try constantInt32(model, try input(1)), end: try constantInt32(model, try input(2)),
        strides: try constantInt32(model, try input(3)), options: options, output: out.shape, elementSize: a.type.size))

  case .splitV:
    try counts(3...3, op.outputs.count)
    guard op.outputs.count >= 1 else { throw OperatorError("no outputs") }
    let a = try input(0)
    try dataType(a, [.float32, .int8, .int16, .int32])
    let sizes = try constantInt32(model, try input(1))
    let axisValues = try constantInt32(model, try input(2))
    guard axisValues.count == 1 else { throw OperatorError("axis must be a scalar", value: axisValues.count) }
    var shapes: [Shape] = []
    for k in 0..<op.outputs.count {
      let t = try output(k)
      try writable(t)
      guard t.type == a.type else { throw OperatorError("output type differs from input type", value: k) }
      shapes.append(t.shape)
    }
    return .splitV(
      try prepareSplitV(
        input: a.shape, sizes: sizes, axis: Int(axisValues[0]), outputCount: shapes.count,
        outputShape: { shapes[$0] }, elementSize: a.type.size))

  case .pad, .padV2:
    try counts(op.kind == .pad ? 2...2 : 2...3, 1)
    let a = try input(0), out = try output(0)
    try writable(out)
    try dataType(a, [.float32, .int8, .int16, .int32])
    guard out.type == a.type else { throw OperatorError("output type differs from input type") }
    let paddings = try constantInt32(model, try input(1))
    var fill: UInt64 = 0
    let quantized = a.type == .int8 || a.type == .int16
    if quantized { fill = UInt64(truncatingIfNeeded: Int64(out.quantization.zeroPoint)) }
    if op.inputs.count == 3, op.inputs[2] >= 0 {
      let c = try input(2)
      guard c.type == a.type, c.shape.elementCount == 1, let data = c.data else {
        throw OperatorError("constant_values must be a constant scalar of the input type", unsupported: true)
      }
      if quantized {
        guard c.quantization.zeroPoint == out.quantization.zeroPoint, c.quantization.scale == out.quantization.scale else {
          throw OperatorError("constant_values quantization differs from the output's")
        }
      }
      fill = 0
      let bytes = model.data(data)
      for i in 0..<a.type.size { fill |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    }
    return .pad(try preparePad(input: a.shape, paddings: paddings, output: out.shape, elementSize: a.type.size, fill: fill))

  case .quantize:
    try counts(1...1, 1)
    let a = try input(0), out = try output(0)
    try writable(out)
    guard a.shape.elementCount == out.shape.elementCount else { throw OperatorError("input and output sizes differ") }
    let qa = a.quantization, qo = out.quantization
    guard qo.count >= 1 else { throw OperatorError("output is not quantized") }
    guard a.type == .float32 || qa.count == 1 else { throw OperatorError("input must have one scale", value: qa.count, unsupported: true) }
    return .quantize(
      try prepareQuantize(
        inputType: a.type, inputScale: qa.scale, inputZeroPoint: qa.zeroPoint, outputType: out.type,
        outputScale: qo.scale, outputZeroPoint: qo.zeroPoint, outputChannels: qo.count),
      count: out.shape.elementCount)

  case .dequantize:
    try counts(1...1, 1)
    let a = try input(0), out = try output(0)
    try writable(out)
    guard a.shape.elementCount == out.shape.elementCount else { throw OperatorError("input and output sizes differ") }
    guard a.quantization.count >= 1 else { throw OperatorError("input is not quantized") }
    return .dequantize(
      try prepareDequantize(
        inputType: a.type, scale: a.quantization.scale, zeroPoint: a.quantization.zeroPoint, outputType: out.type,
        channels: a.quantization.count),
      count: out.shape.elementCount)

  case .conv2D, .depthwiseConv2D, .fullyConnected, .averagePool2D, .maxPool2D, .softmax, .logistic, .add, .mul,
    .mean:
    do throws(KernelError) {
      return try prepareArithmetic(model, op, input: input, output: output, counts: counts, writable: writable)
    } catch {
      throw OperatorError(error.what, value: error.value)
    }

  case .relu, .relu6, .leakyRelu, .hardSwish, .tanh, .sub, .maximum, .minimum, .transpose, .split, .squeeze,
    .expandDims:
    return try prepareExtended(model, op, input: input, output: output, counts: counts, writable: writable)

  case .custom:
    throw OperatorError("custom operators are not supported", unsupported: true)

  case .other:
    throw OperatorError("no kernel for this operator", unsupported: true)
  }
}
