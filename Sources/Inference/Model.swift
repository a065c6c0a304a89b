// The `.tflite` model (FlatBuffer schema v3), read once into small index tables.
//
// What is copied: the graph structure (tensor shapes, types, quantization of the
// first channel, operator input/output lists, parsed builtin options), a few bytes
// per tensor and operator. What is not: weights, biases, per-channel scales and
// names, which stay where they are in the model bytes and are read in place.
//
// Schema facts used here (tensorflow/lite/schema/schema.fbs, field ids in brackets):
//   Model:      version[0] operator_codes[1] subgraphs[2] description[3] buffers[4]
//   OperatorCode: deprecated_builtin_code:int8[0] custom_code[1] version[2]
//               builtin_code:int32[3]; the op is max(deprecated, builtin_code), since
//               codes above 127 do not fit the deprecated byte (which then holds 127).
//   SubGraph:   tensors[0] inputs[1] outputs[2] operators[3] name[4]
//   Tensor:     shape[0] type:int8[1] buffer:uint32[2] name[3] quantization[4]
//               is_variable[5] sparsity[6]
//   QuantizationParameters: min[0] max[1] scale:[float][2] zero_point:[int64][3]
//               details (union)[4,5] quantized_dimension[6]
//   Operator:   opcode_index[0] inputs[1] outputs[2] builtin_options (union)[3,4]
//               custom_options[5]
//   Buffer:     data:[ubyte][0] offset:uint64[1] size:uint64[2] (the last two are
//               for models above 2 GB, refused here)

/// Element types of tensors (`TensorType` in the schema).
public enum TensorType: Equatable, Sendable {
  case float32, int32, uint8, int64, bool, int16, int8, resource
  case other(Int8)

  init(raw: Int8) {
    switch raw {
    case 0: self = .float32
    case 2: self = .int32
    case 3: self = .uint8
    case 4: self = .int64
    case 6: self = .bool
    case 7: self = .int16
    case 9: self = .int8
    case 13: self = .resource
    default: self = .other(raw)
    }
  }

  /// Bytes per element; 0 for types that hold no plain data here.
  public var size: Int {
    switch self {
    case .float32, .int32: return 4
    case .uint8, .int8, .bool: return 1
    case .int16: return 2
    case .int64: return 8
    case .resource, .other: return 0
    }
  }

  /// The schema's `TensorType` code.
  public var code: Int {
    switch self {
    case .float32: return 0
    case .int32: return 2
    case .uint8: return 3
    case .int64: return 4
    case .bool: return 6
    case .int16: return 7
    case .int8: return 9
    case .resource: return 13
    case .other(let raw): return Int(raw)
    }
  }

  public var name: StaticString {
    switch self {
    case .float32: return "float32"
    case .int32: return "int32"
    case .uint8: return "uint8"
    case .int64: return "int64"
    case .bool: return "bool"
    case .int16: return "int16"
    case .int8: return "int8"
    case .resource: return "resource"
    case .other: return "unsupported type"
    }
  }
}

/// Affine quantization `real = scale * (q - zeroPoint)`, per tensor or per channel.
public struct Quantization: Sendable {
  /// Number of (scale, zero point) pairs: 0 = not quantized, 1 = per tensor,
  /// else one per slice along `dimension`.
  public var count: Int = 0
  /// The first pair (the only one when per tensor).
  public var scale: Float = 0
  public var zeroPoint: Int32 = 0
  /// The axis the pairs run along (per-channel only).
  public var dimension: Int = 0
  /// In-place float32 scales and int64 zero points, `count` of each.
  var scales = ByteSpan(offset: 0, count: 0)
  var zeroPoints = ByteSpan(offset: 0, count: 0)
}

/// One tensor of a subgraph.
public struct TensorInfo: Sendable {
  public var shape: Shape
  /// Byte offset of the shape's int32 dimensions inside the model (0 for rank 0),
  /// so the interpreter can read shapes in place instead of keeping copies.
  public var shapeOffset: Int
  public var type: TensorType
  /// Constant contents inside the model bytes, nil for tensors computed at run time.
  public var data: ByteSpan?
  /// The tensor's name inside the model bytes (UTF-8, not NUL-terminated).
  public var name: ByteSpan
  public var quantization: Quantization
  /// An old-style variable tensor (state kept across invocations).
  public var isVariable: Bool
  /// Byte offset of the tensor's table, for error messages.
  public var fileOffset: Int

  /// Bytes the tensor's elements take.
  public var byteCount: Int { shape.elementCount * type.size }
}

/// One node of a subgraph.
public struct OperatorInfo: Sendable {
  public var kind: OperatorKind
  /// The builtin operator code (after `max(deprecated, builtin)`).
  public var code: Int32
  public var version: Int32
  /// Tensor indices into the subgraph; -1 marks an omitted optional input.
  public var inputs: [Int32]
  public var outputs: [Int32]
  public var options: OperatorOptions
  /// Byte offset of the operator's table, for error messages.
  public var fileOffset: Int
}

public struct SubgraphInfo: Sendable {
  public var tensors: [TensorInfo]
  public var inputs: [Int32]
  public var outputs: [Int32]
  public var operators: [OperatorInfo]
  public var name: ByteSpan
}

/// A `.tflite` model read in place from `bytes`.
///
/// The bytes are not copied: they must outlive the model and every interpreter
/// built from it, and should be 16-byte aligned (the FlatBuffer writer aligns
/// constant buffers to 16 inside the file; misaligned multi-byte constants are
/// refused with an error).
///
///     let model = try Model(bytes: raw)   // raw: UnsafeRawBufferPointer
///     model.subgraphs[0].operators.count  // 61 for okay_nabu
public struct Model: @unchecked Sendable {
  public let bytes: UnsafeRawBufferPointer
  public let version: UInt32
  public private(set) var subgraphs: [SubgraphInfo] = []

  public init(bytes: UnsafeRawBufferPointer) throws(ModelError) {
    self.bytes = bytes
    let fb = FlatBuffer(bytes)
    try fb.check(0, 8, "file header (root offset + identifier)")
    // Bytes 4..<8 are the FlatBuffer file identifier, "TFL3" for every TFLite model.
    guard bytes[4] == 0x54, bytes[5] == 0x46, bytes[6] == 0x4C, bytes[7] == 0x33 else {
      throw .unsupported(what: "file identifier is not TFL3: not a .tflite model", offset: 4, value: Int(bytes[4]))
    }
    let root = try fb.root()
    version = try root.scalar(0, UInt32(0), "Model.version")
    guard version == 3 else { throw .unsupported(what: "schema version (only 3 is known)", offset: root.position, value: Int(version)) }

    // Operator codes -> kinds.
    var codes: [(code: Int32, version: Int32, custom: Bool)] = []
    if let opcodes = try root.vector(1, elementSize: 4, "Model.operator_codes") {
      codes.reserveCapacity(opcodes.count)
      for i in 0..<opcodes.count {
        let t = try opcodes.table(i, "OperatorCode")
        let deprecated = Int32(try t.scalar(0, Int8(0), "OperatorCode.deprecated_builtin_code"))
        let builtin = try t.scalar(3, Int32(0), "OperatorCode.builtin_code")
        let v = try t.scalar(2, Int32(1), "OperatorCode.version")
        let code = max(deprecated, builtin)
        codes.append((code, v, code == OperatorKind.customCode))
      }
    }

    // Buffers: constant data spans (nil = no data).
    var buffers: [ByteSpan?] = []
    if let list = try root.vector(4, elementSize: 4, "Model.buffers") {
      buffers.reserveCapacity(list.count)
      for i in 0..<list.count {
        let t = try list.table(i, "Buffer")
        let externalOffset = try t.scalar(1, UInt64(0), "Buffer.offset")
        if externalOffset > 1 {
          throw .unsupported(
            what: "buffer stored outside the FlatBuffer (offset/size layout of models above 2 GB)",
            offset: t.position, value: i)
        }
        if let data = try t.vector(0, elementSize: 1, "Buffer.data"), data.count > 0 {
          buffers.append(ByteSpan(offset: data.start, count: data.count))
        } else {
          buffers.append(nil)
        }
      }
    }

    guard let graphs = try root.vector(2, elementSize: 4, "Model.subgraphs"), graphs.count > 0 else {
      throw .malformed(what: "model has no subgraph", offset: root.position, value: 0)
    }
    subgraphs.reserveCapacity(graphs.count)
    for g in 0..<graphs.count {
      let t = try graphs.table(g, "SubGraph")
      subgraphs.append(try Model.readSubgraph(t, fb: fb, codes: codes, buffers: buffers))
    }
  }

  private static func readIndices(
    _ table: FlatTable, _ id: Int, limit: Int, allowOmitted: Bool, _ what: StaticString
  ) throws(ModelError) -> [Int32] {
    guard let v = try table.vector(id, elementSize: 4, what) else { return [] }
    var out: [Int32] = []
    out.reserveCapacity(v.count)
    for i in 0..<v.count {
      let index = try v.int32(i, what)
      guard (index >= 0 && Int(index) < limit) || (allowOmitted && index == -1) else {
        throw .malformed(what: what, offset: v.start + 4 * i, value: Int(index))
      }
      out.append(index)
    }
    return out
  }

  private static func readSubgraph(
    _ t: FlatTable, fb: FlatBuffer, codes: [(code: Int32, version: Int32, custom: Bool)], buffers: [ByteSpan?]
  ) throws(ModelError) -> SubgraphInfo {
    var tensors: [TensorInfo] = []
    if let list = try t.vector(0, elementSize: 4, "SubGraph.tensors") {
      tensors.reserveCapacity(list.count)
      for i in 0..<list.count {
        tensors.append(try readTensor(try list.table(i, "Tensor"), fb: fb, buffers: buffers))
      }
    }
    let n = tensors.count
    let inputs = try readIndices(t, 1, limit: n, allowOmitted: false, "SubGraph.inputs")
    let outputs = try readIndices(t, 2, limit: n, allowOmitted: false, "SubGraph.outputs")
    var operators: [OperatorInfo] = []
    if let list = try t.vector(3, elementSize: 4, "SubGraph.operators") {
      operators.reserveCapacity(list.count)
      for i in 0..<list.count {
        let op = try list.table(i, "Operator")
        let index = Int(try op.scalar(0, UInt32(0), "Operator.opcode_index"))
        guard index < codes.count else {
          throw .malformed(what: "Operator.opcode_index past the operator codes", offset: op.position, value: index)
        }
        let code = codes[index]
        let kind = code.custom ? OperatorKind.custom : OperatorKind(code: code.code)
        operators.append(
          OperatorInfo(
            kind: kind, code: code.code, version: code.version,
            inputs: try readIndices(op, 1, limit: n, allowOmitted: true, "Operator.inputs"),
            outputs: try readIndices(op, 2, limit: n, allowOmitted: false, "Operator.outputs"),
            options: try OperatorOptions(kind: kind, operator: op),
            fileOffset: op.position))
      }
    }
    return SubgraphInfo(
      tensors: tensors, inputs: inputs, outputs: outputs, operators: operators,
      name: try t.string(4, "SubGraph.name"))
  }

  private static func readTensor(_ t: FlatTable, fb: FlatBuffer, buffers: [ByteSpan?]) throws(ModelError) -> TensorInfo {
    var shape = Shape()
    var shapeOffset = 0
    if let dims = try t.vector(0, elementSize: 4, "Tensor.shape") {
      shapeOffset = dims.start
      guard dims.count <= Shape.maxRank else {
        throw .unsupported(what: "tensor rank above 6", offset: dims.start, value: dims.count)
      }
      var values: InlineArray<6, Int> = InlineArray(repeating: 0)
      var elements = 1
      for i in 0..<dims.count {
        let d = Int(try dims.int32(i, "Tensor.shape"))
        guard d >= 0 else { throw .unsupported(what: "dynamic (negative) tensor dimension", offset: dims.start + 4 * i, value: d) }
        values[i] = d
        // Keep every tensor below 2^31 bytes so byte counts never overflow (Int is
        // 32 bits on the Cortex-M4: write the bound so it holds there too).
        let (product, overflow) = elements.multipliedReportingOverflow(by: d)
        guard !overflow, product < Int(Int32.max) / 8 else {
          throw .unsupported(what: "tensor too large", offset: dims.start + 4 * i, value: d)
        }
        elements = product
      }
      shape = Shape(rank: dims.count) { values[$0] }
    }
    let type = TensorType(raw: try t.scalar(1, Int8(0), "Tensor.type"))
    let bufferIndex = Int(try t.scalar(2, UInt32(0), "Tensor.buffer"))
    guard bufferIndex < max(buffers.count, 1) else {
      throw .malformed(what: "Tensor.buffer past the buffer list", offset: t.position, value: bufferIndex)
    }
    let data = bufferIndex < buffers.count ? buffers[bufferIndex] : nil
    if let data {
      let needed = shape.elementCount * type.size
      guard type.size > 0, data.count == needed else {
        throw .malformed(what: "constant tensor data size does not match its shape and type", offset: data.offset, value: data.count)
      }
      let address = Int(bitPattern: fb.bytes.baseAddress!) + data.offset
      guard address % type.size == 0 else {
        throw .unsupported(
          what: "misaligned constant tensor data (load the model into 16-byte aligned memory)",
          offset: data.offset, value: type.size)
      }
    }
    if try t.table(6, "Tensor.sparsity") != nil {
      throw .unsupported(what: "sparse tensor", offset: t.position, value: 0)
    }
    var q = Quantization()
    if let qt = try t.table(4, "Tensor.quantization") {
      let scales = try qt.vector(2, elementSize: 4, "QuantizationParameters.scale")
      let zeros = try qt.vector(3, elementSize: 8, "QuantizationParameters.zero_point")
      if try qt.scalar(4, UInt8(0), "QuantizationParameters.details_type") != 0 {
        throw .unsupported(what: "custom quantization details", offset: qt.position, value: 0)
      }
      if let scales, scales.count > 0 {
        guard let zeros, zeros.count == scales.count else {
          throw .malformed(what: "quantization has scales without a zero point each", offset: qt.position, value: scales.count)
        }
        q.count = scales.count
        q.scale = try scales.float32(0, "QuantizationParameters.scale")
        let zp = try zeros.int64(0, "QuantizationParameters.zero_point")
        guard zp >= Int64(Int32.min), zp <= Int64(Int32.max) else {
          throw .malformed(what: "zero point out of int32 range", offset: zeros.start, value: Int(truncatingIfNeeded: zp))
        }
        q.zeroPoint = Int32(zp)
        q.dimension = Int(try qt.scalar(6, Int32(0), "QuantizationParameters.quantized_dimension"))
        q.scales = ByteSpan(offset: scales.start, count: scales.count * 4)
        q.zeroPoints = ByteSpan(offset: zeros.start, count: zeros.count * 8)
        if q.count > 1 {
          guard q.dimension >= 0, q.dimension < shape.rank, shape[q.dimension] == q.count else {
            throw .malformed(what: "per-channel quantization does not match quantized_dimension", offset: qt.position, value: q.count)
          }
        }
      }
    }
    return TensorInfo(
      shape: shape, shapeOffset: shapeOffset, type: type, data: data, name: try t.string(3, "Tensor.name"), quantization: q,
      isVariable: try t.bool(5, "Tensor.is_variable"), fileOffset: t.position)
  }

  /// Heap bytes of the model's index tables (tensors, operators and their operand
  /// lists), counted like `Interpreter.bookkeepingBytes`. Needed only to build
  /// interpreters; weights are not included (they stay in the model bytes).
  public var tableBytes: Int {
    let header = 32
    func array<T>(_ a: [T]) -> Int { header + a.count * MemoryLayout<T>.stride }
    var total = array(subgraphs)
    for g in subgraphs {
      total += array(g.tensors) + array(g.inputs) + array(g.outputs) + array(g.operators)
      for op in g.operators { total += array(op.inputs) + array(op.outputs) }
    }
    return total
  }

  // MARK: In-place reads (spans were validated when the model was read)

  /// Scale `i` of a quantization (per-channel scales are read in place).
  public func scale(_ q: Quantization, _ i: Int) -> Float {
    precondition(i >= 0 && i < q.count)
    return Float(bitPattern: UInt32(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: q.scales.offset + 4 * i, as: UInt32.self)))
  }

  /// Zero point `i` of a quantization.
  public func zeroPoint(_ q: Quantization, _ i: Int) -> Int64 {
    precondition(i >= 0 && i < q.count)
    return Int64(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: q.zeroPoints.offset + 8 * i, as: Int64.self))
  }

  /// A constant tensor's bytes, in place.
  public func data(_ span: ByteSpan) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[span.offset..<(span.offset + span.count)])
  }

  /// Whether two spans of the model hold the same bytes (names compare in place).
  public func sameBytes(_ a: ByteSpan, _ b: ByteSpan) -> Bool {
    guard a.count == b.count else { return false }
    for i in 0..<a.count where bytes[a.offset + i] != bytes[b.offset + i] { return false }
    return true
  }

  /// Calls `body` with each byte of a span (to print names without Foundation).
  public func forEachByte(_ span: ByteSpan, _ body: (UInt8) -> Void) {
    for i in 0..<span.count { body(bytes[span.offset + i]) }
  }
}
