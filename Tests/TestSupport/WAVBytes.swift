// Hand-built RIFF/WAVE bytes for tests: well-formed files of any encoding, and damaged
// ones (wrong sizes, missing chunks) that no normal tool would write.
import Foundation

public enum WAVBytes {
  /// One chunk: id, body, and optionally a declared size that lies about the body.
  public static func chunk(_ id: String, _ body: [UInt8], declaredSize: UInt32? = nil) -> [UInt8] {
    var bytes = Array(id.utf8)
    bytes += le32(declaredSize ?? UInt32(body.count))
    bytes += body
    if body.count % 2 == 1 { bytes.append(0) }  // RIFF pad byte
    return bytes
  }

  /// A `fmt ` body: format tag, channels, rate (Hz), bits per sample; block align and
  /// byte rate follow from them unless given.
  public static func fmt(
    tag: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 16_000, bits: UInt16 = 16
  ) -> [UInt8] {
    let blockAlign = UInt16(Int(channels) * ((Int(bits) + 7) / 8))
    return le16(tag) + le16(channels) + le32(rate) + le32(rate * UInt32(blockAlign))
      + le16(blockAlign) + le16(bits)
  }

  /// "RIFF" size "WAVE" + chunks; `riffSize` overrides the honest size.
  public static func riff(_ chunks: [[UInt8]], riffSize: UInt32? = nil) -> [UInt8] {
    let body = chunks.flatMap { $0 }
    return Array("RIFF".utf8) + le32(riffSize ?? UInt32(4 + body.count)) + Array("WAVE".utf8) + body
  }

  /// A complete, valid PCM WAV.
  public static func pcm16(_ samples: [Int16], channels: UInt16 = 1, rate: UInt32 = 16_000)
    -> [UInt8]
  {
    riff([
      chunk("fmt ", fmt(channels: channels, rate: rate)),
      chunk("data", samples.flatMap { le16(UInt16(bitPattern: $0)) }),
    ])
  }

  public static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
  public static func le32(_ v: UInt32) -> [UInt8] {
    (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) }
  }
  /// 24-bit little-endian two's complement.
  public static func le24(_ v: Int32) -> [UInt8] {
    let u = UInt32(bitPattern: v)
    return [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF)]
  }

  public static func write(_ bytes: [UInt8], to url: URL) throws {
    try Data(bytes).write(to: url)
  }
}
