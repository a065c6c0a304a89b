// Reading, writing and comparing spotter record streams (format:
// Sources/Spotter/SpotterRecord.swift). `kws validate` records the host's run with
// `SpotterRecordWriter`, reads the firmware's with `SpotterRecordStream`, and reports
// the first difference between the two with `SpotterRecordStream.firstDifference`.
import Spotter

/// Appends the records of a run to a byte array, header first.
public struct SpotterRecordWriter {
  public private(set) var bytes: [UInt8]
  public private(set) var records = 0
  private var scratch: [UInt8] = []

  public init() {
    bytes = [UInt8](repeating: 0, count: SpotterRecord.headerBytes)
    _ = bytes.withUnsafeMutableBytes { SpotterRecord.encodeHeader(into: $0) }
  }

  public mutating func append(_ event: SpotterEvent) {
    let n = SpotterRecord.byteCount(of: event)
    if scratch.count < n { scratch = [UInt8](repeating: 0, count: n) }
    _ = scratch.withUnsafeMutableBytes { SpotterRecord.encode(event, into: $0) }
    bytes += scratch[0..<n]
    records += 1
  }

  /// Closes the stream with the end record.
  public mutating func finish(samples: Int) {
    var end = [UInt8](
      repeating: 0, count: SpotterRecord.recordHeaderBytes + SpotterRecord.endPayloadBytes)
    _ = end.withUnsafeMutableBytes {
      SpotterRecord.encodeEnd(samples: samples, records: records, into: $0)
    }
    bytes += end
  }
}

/// Why a record stream could not be read.
public struct RecordStreamError: Error, CustomStringConvertible {
  public let offset: Int
  public let problem: String
  public var description: String { "record stream, byte \(offset): \(problem)" }
}

/// One record, with its place in the stream.
public struct SpotterRecordEntry: Equatable, Sendable {
  public var kind: SpotterRecord.Kind
  public var source: Int
  /// The n-th record of this kind and source (frame, invocation or detection number).
  public var index: Int
  /// Byte offset of the record in its stream.
  public var offset: Int
  public var payload: [UInt8]
}

/// A whole record stream, parsed.
public struct SpotterRecordStream: Sendable {
  public var records: [SpotterRecordEntry]
  /// True when the stream closed with an end record.
  public var complete: Bool

  public init(bytes: [UInt8]) throws(RecordStreamError) {
    guard bytes.count >= SpotterRecord.headerBytes,
      (bytes[0], bytes[1], bytes[2], bytes[3]) == SpotterRecord.magic
    else { throw RecordStreamError(offset: 0, problem: "not a record stream (no \"KWSR\" header)") }
    let version = Int(bytes[4]) | Int(bytes[5]) << 8
    guard version == Int(SpotterRecord.version) else {
      throw RecordStreamError(offset: 4, problem: "version \(version) is not supported (only 1)")
    }
    var records: [SpotterRecordEntry] = []
    var counts: [Int: Int] = [:]
    var offset = SpotterRecord.headerBytes
    var complete = false
    while offset < bytes.count {
      guard !complete else {
        throw RecordStreamError(offset: offset, problem: "bytes after the end record")
      }
      guard bytes.count - offset >= SpotterRecord.recordHeaderBytes else {
        throw RecordStreamError(offset: offset, problem: "the stream ends inside a record header")
      }
      guard let kind = SpotterRecord.Kind(rawValue: bytes[offset]) else {
        throw RecordStreamError(offset: offset, problem: "unknown record kind \(bytes[offset])")
      }
      let source = Int(bytes[offset + 1])
      let length = Int(bytes[offset + 2]) | Int(bytes[offset + 3]) << 8
      let start = offset + SpotterRecord.recordHeaderBytes
      guard bytes.count - start >= length else {
        throw RecordStreamError(offset: offset, problem: "the stream ends inside a \(kind) record")
      }
      let key = Int(kind.rawValue) << 8 | source
      let index = counts[key, default: 0]
      counts[key] = index + 1
      records.append(
        SpotterRecordEntry(
          kind: kind, source: source, index: index, offset: offset,
          payload: Array(bytes[start..<(start + length)])))
      if kind == .end { complete = true }
      offset = start + length
    }
    self.records = records
    self.complete = complete
  }

  public func count(_ kind: SpotterRecord.Kind) -> Int {
    records.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) }
  }

  /// How to show a model's output bytes: signed for int8 outputs.
  public enum OutputType: Sendable { case int8, uint8 }

  /// The first record where `firmware` and `host` differ, or nil if they are identical.
  public static func firstDifference(
    firmware: SpotterRecordStream, host: SpotterRecordStream, outputTypes: [OutputType] = []
  ) -> RecordDifference? {
    let n = min(firmware.records.count, host.records.count)
    for i in 0..<n {
      let f = firmware.records[i]
      let h = host.records[i]
      guard f.kind == h.kind, f.source == h.source, f.index == h.index else {
        return RecordDifference(
          record: i, kind: f.kind, source: f.source, index: f.index, byte: nil,
          detail: "firmware has \(describe(f)), host has \(describe(h))")
      }
      guard f.payload != h.payload else { continue }
      guard f.payload.count == h.payload.count else {
        return RecordDifference(
          record: i, kind: f.kind, source: f.source, index: f.index, byte: nil,
          detail:
            "payload of \(f.payload.count) bytes on the firmware, \(h.payload.count) on the host")
      }
      let byte = zip(f.payload, h.payload).enumerated().first { $0.element.0 != $0.element.1 }!
        .offset
      let type = f.source < outputTypes.count ? outputTypes[f.source] : .uint8
      return RecordDifference(
        record: i, kind: f.kind, source: f.source, index: f.index, byte: byte,
        detail: valueDetail(
          kind: f.kind, byte: byte, firmware: f.payload, host: h.payload, outputType: type))
    }
    if firmware.records.count != host.records.count {
      let longer = firmware.records.count > host.records.count ? firmware : host
      let extra = longer.records[n]
      return RecordDifference(
        record: n, kind: extra.kind, source: extra.source, index: extra.index, byte: nil,
        detail: firmware.records.count > host.records.count
          ? "the firmware goes on with \(describe(extra)) after the host's last record"
          : "the firmware stream ends (\(firmware.complete ? "complete" : "cut short")) where the host has \(describe(extra))"
      )
    }
    return nil
  }

  static func describe(_ r: SpotterRecordEntry) -> String {
    switch r.kind {
    case .features: return "frame \(r.index) of front end \(r.source)"
    case .invocation: return "invocation \(r.index) of model \(r.source)"
    case .detection: return "detection \(r.index) of model \(r.source)"
    case .end: return "the end record"
    }
  }

  /// The differing value at `byte`, decoded as the record kind defines it.
  static func valueDetail(
    kind: SpotterRecord.Kind, byte: Int, firmware: [UInt8], host: [UInt8], outputType: OutputType
  ) -> String {
    func int32(_ p: [UInt8], _ at: Int) -> Int32 {
      Int32(
        bitPattern: UInt32(p[at]) | UInt32(p[at + 1]) << 8 | UInt32(p[at + 2]) << 16 | UInt32(
          p[at + 3]) << 24)
    }
    func uint(_ p: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
      (0..<n).reduce(UInt64(0)) { $0 | UInt64(p[at + $1]) << UInt64(8 * $1) }
    }
    switch kind {
    case .features:
      let code = byte / 4
      return "code \(code): firmware \(int32(firmware, code * 4)), host \(int32(host, code * 4))"
    case .invocation:
      let f = outputType == .int8 ? Int(Int8(bitPattern: firmware[byte])) : Int(firmware[byte])
      let h = outputType == .int8 ? Int(Int8(bitPattern: host[byte])) : Int(host[byte])
      return "output \(byte): firmware \(f), host \(h)"
    case .detection:
      switch byte {
      case 0..<4: return "label: firmware \(uint(firmware, 0, 2)), host \(uint(host, 0, 2))"
      case 4..<8: return "start sample: firmware \(uint(firmware, 4, 4)), host \(uint(host, 4, 4))"
      case 8..<12: return "end sample: firmware \(uint(firmware, 8, 4)), host \(uint(host, 8, 4))"
      default:
        return
          "score: firmware \(Double(bitPattern: uint(firmware, 12, 8))), host \(Double(bitPattern: uint(host, 12, 8)))"
      }
    case .end:
      return byte < 4
        ? "samples: firmware \(uint(firmware, 0, 4)), host \(uint(host, 0, 4))"
        : "records: firmware \(uint(firmware, 4, 4)), host \(uint(host, 4, 4))"
    }
  }
}

/// Where two record streams part.
public struct RecordDifference: Equatable, Sendable, CustomStringConvertible {
  /// Position of the record in the stream (header excluded).
  public var record: Int
  public var kind: SpotterRecord.Kind
  public var source: Int
  public var index: Int
  /// Byte within the payload, when both records are of the same kind and size.
  public var byte: Int?
  public var detail: String

  public var description: String {
    let place = SpotterRecordStream.describe(
      SpotterRecordEntry(kind: kind, source: source, index: index, offset: 0, payload: []))
    return "record \(record) (\(place))\(byte.map { ", byte \($0)" } ?? ""): \(detail)"
  }
}
