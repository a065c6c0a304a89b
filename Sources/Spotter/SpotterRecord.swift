/// The spotter's record stream: everything a run computed, as bytes, so that two
/// runs (the firmware under QEMU and the host, `kws validate`) can be compared bit for
/// bit. The firmware's `spot` writes it through semihosting; the host writes the same
/// records from its own `Spotter` and compares (Host's `SpotterRecordStream`).
///
/// Format, version 1, all integers little-endian. The stream starts with an 8-byte
/// header, then records in the order the spotter reported the events:
///
///     header   4  magic "KWSR"
///              2  version (1)
///              2  0
///     record   1  kind: 1 features, 2 invocation, 3 detection, 4 end
///              1  source: the front end index (features), else the model index
///              2  payload byte count n
///              n  payload:
///       features    the frame's codes, Int32 each (microfrontend: 40 log-mel
///                   codes; mfcc: 10 coefficients in Q16), before the model's
///                   input quantization
///       invocation  the model's output tensor bytes, as the interpreter left them
///       detection   u16 label index, u16 0, u32 first sample, u32 end sample
///                   (one past the last, stream samples at 16 kHz),
///                   u64 Float64 bits of the smoothed score that fired
///       end         u32 samples streamed, u32 records before this one
///
/// Frame and invocation numbers are implicit: the n-th features record of a front
/// end is its frame n. A stream without its end record was cut short.
///
///     var buffer = [UInt8](repeating: 0, count: SpotterRecord.maxEventBytes)
///     let n = buffer.withUnsafeMutableBytes { SpotterRecord.encode(event, into: $0) }
public enum SpotterRecord {
  public static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x4B, 0x57, 0x53, 0x52)  // "KWSR"
  public static let version: UInt16 = 1
  public static let headerBytes = 8
  /// Bytes before every payload: kind, source, payload count.
  public static let recordHeaderBytes = 4
  public static let detectionPayloadBytes = 20
  public static let endPayloadBytes = 8
  /// The largest payload a record may carry (u16 count).
  public static let maxPayloadBytes = 65_535

  public enum Kind: UInt8, Sendable {
    case features = 1
    case invocation = 2
    case detection = 3
    case end = 4
  }

  /// Writes the stream header; returns its size (`headerBytes`).
  public static func encodeHeader(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    precondition(buffer.count >= headerBytes)
    buffer[0] = magic.0
    buffer[1] = magic.1
    buffer[2] = magic.2
    buffer[3] = magic.3
    store(UInt64(version), 2, at: 4, buffer)
    store(0, 2, at: 6, buffer)
    return headerBytes
  }

  /// The bytes `encode(event)` needs.
  public static func byteCount(of event: SpotterEvent) -> Int {
    switch event {
    case .features(_, let codes): return recordHeaderBytes + 4 * codes.count
    case .invocation(_, let output): return recordHeaderBytes + output.count
    case .detection: return recordHeaderBytes + detectionPayloadBytes
    }
  }

  /// Writes one event as a record into `buffer` (at least `byteCount(of:)` bytes);
  /// returns the bytes written.
  public static func encode(_ event: SpotterEvent, into buffer: UnsafeMutableRawBufferPointer)
    -> Int
  {
    let count = byteCount(of: event)
    precondition(buffer.count >= count && count - recordHeaderBytes <= maxPayloadBytes)
    let p = recordHeaderBytes
    switch event {
    case .features(let frontend, let codes):
      writeRecordHeader(.features, source: frontend, payload: count - p, buffer)
      for i in 0..<codes.count {
        store(UInt64(UInt32(bitPattern: codes[i])), 4, at: p + 4 * i, buffer)
      }
    case .invocation(let model, let output):
      writeRecordHeader(.invocation, source: model, payload: output.count, buffer)
      for i in 0..<output.count { buffer[p + i] = output[i] }
    case .detection(let d):
      writeRecordHeader(.detection, source: d.model, payload: detectionPayloadBytes, buffer)
      store(UInt64(d.label), 2, at: p, buffer)
      store(0, 2, at: p + 2, buffer)
      store(UInt64(UInt32(truncatingIfNeeded: d.startSample)), 4, at: p + 4, buffer)
      store(UInt64(UInt32(truncatingIfNeeded: d.endSample)), 4, at: p + 8, buffer)
      store(d.score.bitPattern, 8, at: p + 12, buffer)
    }
    return count
  }

  /// Writes the end record; returns its size.
  public static func encodeEnd(
    samples: Int, records: Int, into buffer: UnsafeMutableRawBufferPointer
  ) -> Int {
    let count = recordHeaderBytes + endPayloadBytes
    precondition(buffer.count >= count)
    writeRecordHeader(.end, source: 0, payload: endPayloadBytes, buffer)
    store(UInt64(UInt32(truncatingIfNeeded: samples)), 4, at: recordHeaderBytes, buffer)
    store(UInt64(UInt32(truncatingIfNeeded: records)), 4, at: recordHeaderBytes + 4, buffer)
    return count
  }

  private static func writeRecordHeader(
    _ kind: Kind, source: Int, payload: Int, _ buffer: UnsafeMutableRawBufferPointer
  ) {
    buffer[0] = kind.rawValue
    buffer[1] = UInt8(truncatingIfNeeded: source)
    store(UInt64(payload), 2, at: 2, buffer)
  }

  private static func store(
    _ value: UInt64, _ bytes: Int, at offset: Int, _ buffer: UnsafeMutableRawBufferPointer
  ) {
    for i in 0..<bytes { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
  }
}
