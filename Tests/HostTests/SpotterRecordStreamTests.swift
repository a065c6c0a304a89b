// The record stream and its comparator: records are laid out as the format says
// (hand-written bytes), a stream compared with itself is identical, and a stream
// that differs in ONE byte, or by one record, is reported at exactly that record,
// byte and value. Malformed streams are refused with the byte offset.
import Host
import Testing

@testable import Spotter

@Suite struct SpotterRecordStreamTests {
  /// A small run: 3 frames of 4 codes on front end 0, two invocations of model 0
  /// (int8 outputs, 3 labels), one detection.
  static func stream(_ change: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
    var w = SpotterRecordWriter()
    for f in 0..<3 {
      let codes: [Int32] = [Int32(f), -1, 1000 * Int32(f), Int32.min]
      codes.withUnsafeBufferPointer { w.append(.features(frontend: 0, codes: $0)) }
      if f >= 1 {
        let out: [UInt8] = [UInt8(f), 0x80, 0x7F]
        out.withUnsafeBytes { w.append(.invocation(model: 0, output: $0)) }
      }
    }
    w.append(
      .detection(Detection(model: 0, label: 2, startSample: 160, endSample: 16_480, score: 0.875)))
    w.finish(samples: 16_500)
    var bytes = w.bytes
    change(&bytes)
    return bytes
  }

  static func difference(_ firmware: [UInt8], _ host: [UInt8] = stream()) throws
    -> RecordDifference?
  {
    SpotterRecordStream.firstDifference(
      firmware: try SpotterRecordStream(bytes: firmware),
      host: try SpotterRecordStream(bytes: host),
      outputTypes: [.int8])
  }

  @Test func layoutIsTheDocumentedOne() throws {
    var w = SpotterRecordWriter()
    let codes: [Int32] = [1, -2]
    codes.withUnsafeBufferPointer { w.append(.features(frontend: 1, codes: $0)) }
    w.append(
      .detection(Detection(model: 2, label: 5, startSample: 1, endSample: 0x0102_0304, score: 0.5)))
    w.finish(samples: 70_000)
    #expect(
      w.bytes == [
        0x4B, 0x57, 0x53, 0x52, 1, 0, 0, 0,  // "KWSR", version 1
        1, 1, 8, 0, 1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF,  // features, front end 1, [1, -2]
        3, 2, 20, 0, 5, 0, 0, 0, 1, 0, 0, 0, 4, 3, 2, 1,  // detection of model 2, label 5
        0, 0, 0, 0, 0, 0, 0xE0, 0x3F,  // score 0.5 as Float64 bits
        4, 0, 8, 0, 0x70, 0x11, 0x01, 0, 2, 0, 0, 0,  // end: 70,000 samples, 2 records
      ])
  }

  @Test func identicalStreamsHaveNoDifference() throws {
    let s = try SpotterRecordStream(bytes: Self.stream())
    #expect(s.complete)
    #expect(s.count(.features) == 3 && s.count(.invocation) == 2 && s.count(.detection) == 1)
    #expect(try Self.difference(Self.stream()) == nil)
  }

  @Test func oneByteInAFeatureCode() throws {
    // Frame 2's third code (2000 = 0x7D0) at bytes 8...11 of its payload.
    let s = try SpotterRecordStream(bytes: Self.stream())
    let frame2 = s.records.first { $0.kind == .features && $0.index == 2 }!
    let d = try #require(try Self.difference(Self.stream { $0[frame2.offset + 4 + 9] ^= 0x01 }))
    #expect(d.kind == .features && d.index == 2 && d.byte == 9)
    #expect(
      d.description == "record 3 (frame 2 of front end 0), byte 9: code 2: firmware 1744, host 2000"
    )
  }

  @Test func oneByteInAnOutputIsShownSigned() throws {
    let s = try SpotterRecordStream(bytes: Self.stream())
    let second = s.records.first { $0.kind == .invocation && $0.index == 1 }!
    let d = try #require(try Self.difference(Self.stream { $0[second.offset + 4 + 1] = 0x81 }))
    #expect(
      d.description
        == "record 4 (invocation 1 of model 0), byte 1: output 1: firmware -127, host -128")
  }

  @Test func detectionFields() throws {
    let s = try SpotterRecordStream(bytes: Self.stream())
    let hit = s.records.first { $0.kind == .detection }!
    let end = try #require(try Self.difference(Self.stream { $0[hit.offset + 4 + 8] &+= 1 }))
    #expect(end.detail == "end sample: firmware 16481, host 16480")
    let score = try #require(try Self.difference(Self.stream { $0[hit.offset + 4 + 12] = 1 }))
    #expect(score.detail == "score: firmware 0.8750000000000001, host 0.875")
  }

  @Test func aMissingOrExtraRecord() throws {
    // The firmware misses the detection: at that place it has the end record.
    let s = try SpotterRecordStream(bytes: Self.stream())
    let hit = s.records.first { $0.kind == .detection }!
    let without = Self.stream { $0.removeSubrange(hit.offset..<(hit.offset + 24)) }
    let d = try #require(try Self.difference(without))
    #expect(d.detail == "firmware has the end record, host has detection 0 of model 0")
    // A firmware stream cut short after the detection.
    let cut = Array(Self.stream()[0..<(hit.offset + 24)])
    let c = try #require(try Self.difference(cut))
    #expect(c.detail == "the firmware stream ends (cut short) where the host has the end record")
  }

  @Test func malformedStreamsAreRefused() {
    #expect(throws: RecordStreamError.self) { try SpotterRecordStream(bytes: [1, 2, 3]) }
    #expect(throws: RecordStreamError.self) {
      try SpotterRecordStream(bytes: Self.stream { $0[4] = 9 })
    }
    #expect(throws: RecordStreamError.self) {
      try SpotterRecordStream(bytes: Self.stream { $0[8] = 7 })
    }
    #expect(throws: RecordStreamError.self) {
      try SpotterRecordStream(bytes: Self.stream { $0.removeLast(3) })
    }
    #expect(throws: RecordStreamError.self) {
      try SpotterRecordStream(bytes: Self.stream { $0 += [1, 0, 0, 0] })
    }
    do {
      _ = try SpotterRecordStream(bytes: Self.stream { $0[8] = 7 })
    } catch {
      #expect(error.description == "record stream, byte 8: unknown record kind 7")
    }
  }
}
