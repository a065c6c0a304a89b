// Our own walk over the chunks of a RIFF/WAVE file, before libsndfile sees it.
//
// libsndfile is lenient: a `data` chunk that claims megabytes more than the file holds
// is read up to the end of the file without complaint (only its log mentions it). For
// keyword spotting that would silently hand on a clip that is not what its header says,
// so WAV files get this structural check first. It reads only chunk headers (8 bytes
// each, plus the 16..40 byte `fmt ` body), never the audio.
//
// What is an error and what is a warning (see AudioError.swift for the principle):
//
// | finding                                                  | verdict |
// | -------------------------------------------------------- | ------- |
// | file shorter than the 12-byte RIFF header, or a chunk    | error   |
// |   header cut off before the `data` chunk                 |         |
// | `fmt ` missing, shorter than 16 bytes, or past the end   | error   |
// | `fmt ` declares zero channels                            | error   |
// | `data` missing, or declares 0 bytes                      | error   |
// | `data` declares more than the file holds, by more than   | error   |
// |   one second of audio (the header cannot be trusted)     |         |
// | `data` declares more than the file holds, by at most one | warning |
// |   second (a cut-off recording: read the samples present) |         |
// | `data` size 0xFFFFFFFF (a writer that streamed and never | warning |
// |   came back to fill in sizes): read to end of file       |         |
// | a chunk before `data` running past the end of the file   | error   |
// | a chunk after `data` running past the end of the file    | warning |
// | RIFF size disagreeing with the file size while every     | warning |
// |   chunk inside is complete                               |         |
// | a partial sample frame at the end of `data`              | warning |
//
// RIFX (big-endian) and RF64 files are left to libsndfile alone.

import Glibc

/// Where the audio sits in a WAVE file and how it is encoded, as the header says.
public struct WAVLayout: Equatable, Sendable {
  /// `wFormatTag` (1 PCM, 3 IEEE float, 6 A-law, 7 mu-law, ...), with
  /// WAVE_FORMAT_EXTENSIBLE (0xFFFE) resolved to its sub-format's tag.
  public var formatTag: UInt16
  public var channels: Int
  public var sampleRate: Int
  /// Bytes per sample frame (all channels).
  public var blockAlign: Int
  public var bitsPerSample: Int
  /// Byte offset of the first audio byte.
  public var dataOffset: Int
  /// Audio bytes actually present (whole frames or not).
  public var dataBytes: Int
  /// Non-fatal findings, in file order.
  public var warnings: [String]

  /// Whole sample frames present in the data chunk.
  public var frameCount: Int { blockAlign > 0 ? dataBytes / blockAlign : 0 }

  /// A short name for the encoding, for messages: "PCM 16-bit", "float 32-bit", ...
  public var encodingName: String {
    switch formatTag {
    case 1: return "PCM \(bitsPerSample)-bit"
    case 3: return "float \(bitsPerSample)-bit"
    case 6: return "A-law"
    case 7: return "mu-law"
    default:
      let hex = String(formatTag, radix: 16, uppercase: true)
      return "WAVE format tag 0x\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)"
    }
  }

  /// Walks the chunks of the file at `path`. Returns nil when the file is not a RIFF/WAVE
  /// file at all (so the caller can let libsndfile try other formats); throws when it is
  /// one and is damaged in a way listed as an error above.
  public static func inspect(path: String) throws(AudioError) -> WAVLayout? {
    let file = try ByteFile(path: path)
    defer { file.close() }
    return try inspect(file: file, path: path)
  }

  static func inspect(file: ByteFile, path: String) throws(AudioError) -> WAVLayout? {
    let size = file.size
    func fail(_ kind: AudioError.Kind) -> AudioError { AudioError(path: path, kind: kind) }

    let magic = try file.read(at: 0, count: min(12, size))
    guard magic.count >= 4, magic.starts(with: Array("RIFF".utf8)) else { return nil }
    guard magic.count == 12 else {
      throw fail(.truncatedHeader(needed: 12, available: size))
    }
    guard Array(magic[8..<12]) == Array("WAVE".utf8) else { return nil }

    let riffSize = littleEndian32(magic, 4)
    var warnings: [String] = []
    var format: (tag: UInt16, channels: Int, rate: Int, byteRate: Int, blockAlign: Int, bits: Int)?
    var data: (offset: Int, bytes: Int)?
    var dataTruncated = false
    var unsetData = false
    var offset = 12

    while offset < size {
      let header = try file.read(at: offset, count: min(8, size - offset))
      guard header.count == 8 else {
        if data != nil {
          warnings.append(
            "\(header.count) stray bytes at byte \(offset) after the last chunk, ignored")
          break
        }
        throw fail(.truncatedHeader(needed: offset + 8, available: size))
      }
      let id = fourCC(header)
      let declared = littleEndian32(header, 4)
      let body = offset + 8
      let available = size - body

      switch id {
      case "fmt ":
        guard declared >= 16 else {
          throw fail(
            .malformedChunk(
              chunk: id, offset: offset, reason: "\(declared) bytes, at least 16 are needed"))
        }
        guard Int(declared) <= available else {
          throw fail(
            .chunkPastEnd(chunk: id, offset: offset, declared: declared, available: available))
        }
        let fmt = try file.read(at: body, count: min(Int(declared), 40))
        var tag = littleEndian16(fmt, 0)
        let channels = Int(littleEndian16(fmt, 2))
        if channels == 0 { throw fail(.zeroChannels(offset: body + 2)) }
        // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the sub-format GUID.
        if tag == 0xFFFE && fmt.count >= 26 { tag = littleEndian16(fmt, 24) }
        format = (
          tag, channels, Int(littleEndian32(fmt, 4)), Int(littleEndian32(fmt, 8)),
          Int(littleEndian16(fmt, 12)), Int(littleEndian16(fmt, 14))
        )

      case "data":
        guard let format else { throw fail(.missingChunk("fmt ")) }
        // A writer that streamed and never came back leaves the sizes unset: 0xFFFFFFFF,
        // or 0 in both the RIFF and the data header.
        let unset =
          declared == 0xFFFF_FFFF || (declared == 0 && (riffSize == 0 || riffSize == 0xFFFF_FFFF))
        if declared == 0 && !unset { throw fail(.empty) }
        var bytes = Int(declared)
        if unset {
          if available == 0 { throw fail(.empty) }
          unsetData = true
          warnings.append("data chunk size is unset (\(declared)): reading to the end of the file")
          bytes = available
        } else if bytes > available {
          let missing = bytes - available
          // One second of audio is the most a cut-off recording may lose before we stop
          // trusting the header: beyond that it is more likely corrupt than truncated.
          let tolerance = max(format.byteRate, format.blockAlign)
          if missing > tolerance || available == 0 {
            throw fail(
              .chunkPastEnd(chunk: id, offset: offset, declared: declared, available: available))
          }
          warnings.append(
            "data chunk at byte \(offset) declares \(declared) bytes but only \(available) remain"
              + " (\(missing) missing): reading the samples present")
          bytes = available
          dataTruncated = true
        }
        if format.blockAlign > 0 && bytes % format.blockAlign != 0 {
          warnings.append(
            "data chunk ends inside a sample frame (\(bytes % format.blockAlign) of"
              + " \(format.blockAlign) bytes): the partial frame is dropped")
        }
        data = (body, bytes)

      default:
        if Int(declared) > available {
          guard data != nil else {
            throw fail(
              .chunkPastEnd(chunk: id, offset: offset, declared: declared, available: available))
          }
          warnings.append(
            "'\(id)' chunk at byte \(offset) after the audio runs past the end of the file; ignored"
          )
        }
      }
      // Chunks are word-aligned: an odd size is followed by one pad byte.
      let next = body + Int(declared) + Int(declared & 1)
      if id == "data" && unsetData { break }
      offset = next
    }

    guard let format else { throw fail(.missingChunk("fmt ")) }
    guard let data else { throw fail(.missingChunk("data")) }

    let riffEnd = 8 + Int(riffSize)
    if riffSize == 0 || riffSize == 0xFFFF_FFFF {
      warnings.insert(
        "RIFF size is unset (\(riffSize)): the chunks were walked to the end of the file", at: 0)
    } else if riffEnd > size && !dataTruncated {
      warnings.insert("RIFF header declares \(riffEnd) bytes, the file has \(size)", at: 0)
    }
    return WAVLayout(
      formatTag: format.tag, channels: format.channels, sampleRate: format.rate,
      blockAlign: format.blockAlign, bitsPerSample: format.bits,
      dataOffset: data.offset, dataBytes: data.bytes, warnings: warnings)
  }
}

private func littleEndian16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
  UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
}

private func littleEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
  UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(
    bytes[at + 3]) << 24
}

/// The four-character chunk id, printable characters kept, others shown as '?'.
private func fourCC(_ bytes: [UInt8]) -> String {
  String(bytes[0..<4].map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "?" })
}

/// A file opened for positioned reads, with the checks every reader wants first:
/// it exists, it is a regular file (not a directory), it can be opened.
final class ByteFile {
  let descriptor: Int32
  let size: Int
  let path: String

  init(path: String) throws(AudioError) {
    self.path = path
    var info = stat()
    if stat(path, &info) != 0 {
      let code = errno
      throw AudioError(
        path: path, kind: code == ENOENT ? .missing : .unreadable(String(cString: strerror(code))))
    }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw AudioError(path: path, kind: .isDirectory) }
    let fd = open(path, O_RDONLY)
    if fd < 0 { throw AudioError(path: path, kind: .unreadable(String(cString: strerror(errno)))) }
    descriptor = fd
    size = Int(info.st_size)
  }

  func read(at offset: Int, count: Int) throws(AudioError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = bytes.withUnsafeMutableBytes {
        pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw AudioError(path: path, kind: .unreadable(String(cString: strerror(errno))))
      }
      if n == 0 { break }
      done += n
    }
    return Array(bytes[0..<done])
  }

  func close() { Glibc.close(descriptor) }
}
