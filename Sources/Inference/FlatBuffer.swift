// A bounds-checked, zero-copy reader for the FlatBuffer binary layout used by
// `.tflite` files. Nothing is copied or decoded ahead of time: every access reads
// little-endian scalars straight out of the model bytes (on the MCU that is flash),
// after checking that the bytes it touches lie inside the buffer.
//
// Layout facts (FlatBuffers binary format):
// - The buffer starts with a 32-bit unsigned offset to the root table; bytes 4..<8
//   may hold a file identifier ("TFL3" for TFLite).
// - A table starts with a signed 32-bit offset *back* to its vtable
//   (`vtable = table - soffset`). A vtable is: u16 vtable size in bytes, u16 table
//   size in bytes, then one u16 per field giving the field's offset from the table
//   start (0 = field absent, use the schema default). Fields past the end of a short
//   vtable are absent too (older writers).
// - Offset fields (tables, vectors, strings) hold a u32 relative to the field's own
//   position. A vector is a u32 element count followed by the elements; a string is
//   a byte vector followed by a NUL that we do not need.
// - A union is two fields: a u8 type (field id n) and an offset to the table (n+1).
//
// Every failure is a `ModelError` that names what was being read and the byte
// offset, so a corrupt file can be diagnosed with a hex dump.

/// Why a model could not be read.
public enum ModelError: Error, CustomStringConvertible {
  /// `length` bytes at `offset` were needed to read `what`, but the file has only `size`.
  case outOfBounds(what: StaticString, offset: Int, length: Int, size: Int)
  /// A structural rule of the format was broken at `offset` (a vtable that is too
  /// small, a negative dimension, an index past the end of a list...).
  case malformed(what: StaticString, offset: Int, value: Int)
  /// The file is well formed but uses a feature this reader refuses, at `offset`.
  case unsupported(what: StaticString, offset: Int, value: Int)

  public var description: String {
    switch self {
    case .outOfBounds(let what, let offset, let length, let size):
      return "corrupt or truncated model: \(what) needs \(length) bytes at byte offset \(offset), "
        + "but the file has \(size) bytes"
    case .malformed(let what, let offset, let value):
      return "malformed model at byte offset \(offset): \(what) (value \(value))"
    case .unsupported(let what, let offset, let value):
      return "unsupported model feature at byte offset \(offset): \(what) (value \(value))"
    }
  }
}

/// A read-only view of FlatBuffer bytes with checked little-endian loads.
@usableFromInline
struct FlatBuffer {
  let bytes: UnsafeRawBufferPointer
  var size: Int { bytes.count }

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// Throws unless `length` bytes starting at `offset` are inside the buffer.
  func check(_ offset: Int, _ length: Int, _ what: StaticString) throws(ModelError) {
    guard offset >= 0, length >= 0, offset <= size, length <= size - offset else {
      throw .outOfBounds(what: what, offset: offset, length: length, size: size)
    }
  }

  func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type, _ what: StaticString) throws(ModelError) -> T {
    try check(offset, MemoryLayout<T>.size, what)
    return T(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: offset, as: T.self))
  }

  func float32(_ offset: Int, _ what: StaticString) throws(ModelError) -> Float {
    Float(bitPattern: try load(offset, as: UInt32.self, what))
  }

  /// Follows a u32 offset stored at `offset`; the target must lie inside the buffer.
  func follow(_ offset: Int, _ what: StaticString) throws(ModelError) -> Int {
    let relative = Int(try load(offset, as: UInt32.self, what))
    let target = offset + relative
    try check(target, 4, what)
    return target
  }

  /// The root table (the Model), after an optional size check of the header.
  func root() throws(ModelError) -> FlatTable {
    try check(0, 8, "file header (root offset + identifier)")
    return try table(at: try follow(0, "root table offset"), "root table")
  }

  /// Validates the table at `position` and its vtable.
  func table(at position: Int, _ what: StaticString) throws(ModelError) -> FlatTable {
    let back = Int(try load(position, as: Int32.self, what))
    let vtable = position - back
    let vtableSize = Int(try load(vtable, as: UInt16.self, what))
    let tableSize = Int(try load(vtable + 2, as: UInt16.self, what))
    guard vtableSize >= 4, vtableSize % 2 == 0 else {
      throw .malformed(what: what, offset: vtable, value: vtableSize)
    }
    guard tableSize >= 4 else { throw .malformed(what: what, offset: vtable + 2, value: tableSize) }
    try check(vtable, vtableSize, what)
    try check(position, tableSize, what)
    return FlatTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, tableSize: tableSize)
  }
}

/// One table: fields are looked up through its vtable.
@usableFromInline
struct FlatTable {
  let buffer: FlatBuffer
  let position: Int
  let vtable: Int
  let vtableSize: Int
  let tableSize: Int

  /// Absolute byte position of field `id` if present, checked to hold `width` bytes
  /// inside the table.
  func field(_ id: Int, width: Int, _ what: StaticString) throws(ModelError) -> Int? {
    let slot = 4 + 2 * id
    guard slot + 2 <= vtableSize else { return nil }
    let relative = Int(try buffer.load(vtable + slot, as: UInt16.self, what))
    guard relative != 0 else { return nil }
    guard relative + width <= tableSize else {
      throw .malformed(what: what, offset: vtable + slot, value: relative)
    }
    return position + relative
  }

  func scalar<T: FixedWidthInteger>(_ id: Int, _ default: T, _ what: StaticString) throws(ModelError) -> T {
    guard let at = try field(id, width: MemoryLayout<T>.size, what) else { return `default` }
    return try buffer.load(at, as: T.self, what)
  }

  func bool(_ id: Int, _ what: StaticString) throws(ModelError) -> Bool {
    try scalar(id, UInt8(0), what) != 0
  }

  func float32(_ id: Int, _ default: Float, _ what: StaticString) throws(ModelError) -> Float {
    guard let at = try field(id, width: 4, what) else { return `default` }
    return try buffer.float32(at, what)
  }

  /// A sub-table, or nil when the field is absent.
  func table(_ id: Int, _ what: StaticString) throws(ModelError) -> FlatTable? {
    guard let at = try field(id, width: 4, what) else { return nil }
    return try buffer.table(at: try buffer.follow(at, what), what)
  }

  /// A vector of `elementSize`-byte elements, or nil when absent.
  func vector(_ id: Int, elementSize: Int, _ what: StaticString) throws(ModelError) -> FlatVector? {
    guard let at = try field(id, width: 4, what) else { return nil }
    let start = try buffer.follow(at, what)
    let count = Int(try buffer.load(start, as: UInt32.self, what))
    // Divide instead of multiplying so a huge count cannot overflow.
    guard count <= (buffer.size - start - 4) / elementSize else {
      throw .outOfBounds(
        what: what, offset: start + 4, length: count.multipliedReportingOverflow(by: elementSize).partialValue,
        size: buffer.size)
    }
    return FlatVector(buffer: buffer, start: start + 4, count: count, elementSize: elementSize)
  }

  /// A string (byte vector) as a position and length in the buffer.
  func string(_ id: Int, _ what: StaticString) throws(ModelError) -> ByteSpan {
    guard let v = try vector(id, elementSize: 1, what) else { return ByteSpan(offset: 0, count: 0) }
    return ByteSpan(offset: v.start, count: v.count)
  }
}

/// A vector's elements: `count` elements of `elementSize` bytes from `start`.
@usableFromInline
struct FlatVector {
  let buffer: FlatBuffer
  let start: Int
  let count: Int
  let elementSize: Int

  func int32(_ i: Int, _ what: StaticString) throws(ModelError) -> Int32 {
    try buffer.load(start + 4 * i, as: Int32.self, what)
  }

  func int64(_ i: Int, _ what: StaticString) throws(ModelError) -> Int64 {
    try buffer.load(start + 8 * i, as: Int64.self, what)
  }

  func float32(_ i: Int, _ what: StaticString) throws(ModelError) -> Float {
    try buffer.float32(start + 4 * i, what)
  }

  /// Element `i` of a vector of tables.
  func table(_ i: Int, _ what: StaticString) throws(ModelError) -> FlatTable {
    let at = start + 4 * i
    return try buffer.table(at: try buffer.follow(at, what), what)
  }
}

/// A run of bytes inside the model (a name, a constant buffer), read in place.
public struct ByteSpan: Equatable, Sendable {
  /// Byte offset from the start of the model.
  public var offset: Int
  /// Length in bytes.
  public var count: Int

  public init(offset: Int, count: Int) {
    self.offset = offset
    self.count = count
  }
}
