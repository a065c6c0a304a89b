// What can go wrong reading an audio file, and what we only warn about.
//
// The split between error and warning follows one question: can we still be sure the
// samples we hand on are the samples the file meant? If yes (a header field that is
// merely inconsistent, a few bytes missing at the very end), we read what is there and
// warn. If no (the header lies about where the audio is, the format is unknown, there
// is no audio at all), we stop with an error that names the file, the place and, where
// there is one, the fix.

/// A file that cannot be read as audio. `description` is the message for the user:
/// it always starts with the path.
public struct AudioError: Error, CustomStringConvertible, Equatable, Sendable {
  public enum Kind: Equatable, Sendable {
    /// Nothing at that path.
    case missing
    /// The path is a directory.
    case isDirectory
    /// The OS refused to open or read it (permissions, I/O error); the text is strerror.
    case unreadable(String)
    /// Not a format libsndfile recognizes (nor a RIFF/WAVE file).
    case notAudio(String)
    /// The file ends inside its header: `needed` bytes were expected, only `available` exist.
    case truncatedHeader(needed: Int, available: Int)
    /// A chunk header at `offset` declares `declared` bytes, but only `available` bytes
    /// remain in the file after the chunk header.
    case chunkPastEnd(chunk: String, offset: Int, declared: UInt32, available: Int)
    /// A chunk at `offset` whose content makes no sense; `reason` says why.
    case malformedChunk(chunk: String, offset: Int, reason: String)
    /// A WAVE file without the chunk named (`fmt ` or `data`).
    case missingChunk(String)
    /// The format chunk (at `offset`) says the file has zero channels.
    case zeroChannels(offset: Int)
    /// The file holds no samples.
    case empty
    /// A sample encoding we (libsndfile) cannot decode; the text names it.
    case unsupportedEncoding(String)
    /// The sample rate is not 16 kHz and resampling was turned off.
    case wrongRate(found: Int, expected: Int)
    /// libsndfile or soxr failed while decoding; the text is theirs.
    case decodeFailed(String)
    /// The output file could not be written.
    case writeFailed(String)
  }

  public let path: String
  public let kind: Kind

  public init(path: String, kind: Kind) {
    self.path = path
    self.kind = kind
  }

  public var description: String {
    let what: String
    switch kind {
    case .missing:
      what = "no such file"
    case .isDirectory:
      what = "is a directory, not an audio file"
    case .unreadable(let reason):
      what = "cannot read: \(reason)"
    case .notAudio(let reason):
      what = "not an audio file libsndfile can read (\(reason))"
    case .truncatedHeader(let needed, let available):
      what = "truncated header: \(needed) bytes needed, the file has \(available)"
    case .chunkPastEnd(let chunk, let offset, let declared, let available):
      what =
        "'\(chunk)' chunk at byte \(offset) declares \(declared) bytes but only \(available) remain;"
        + " the file is truncated or its header is damaged"
    case .malformedChunk(let chunk, let offset, let reason):
      what = "malformed '\(chunk)' chunk at byte \(offset): \(reason)"
    case .missingChunk(let chunk):
      what = "WAVE file without a '\(chunk)' chunk"
    case .zeroChannels(let offset):
      what = "format chunk at byte \(offset) declares zero channels"
    case .empty:
      what = "contains no audio samples"
    case .unsupportedEncoding(let encoding):
      what = "unsupported sample encoding: \(encoding)"
    case .wrongRate(let found, let expected):
      what =
        "sample rate is \(found) Hz, \(expected) Hz is needed and resampling is off"
        + " (drop --no-resample, or convert: sox in.wav -r \(expected) out.wav)"
    case .decodeFailed(let reason):
      what = "decoding failed: \(reason)"
    case .writeFailed(let reason):
      what = "cannot write: \(reason)"
    }
    return "\(path): \(what)"
  }
}

/// Something odd about a file that we could read anyway. Callers print these to stderr.
public struct AudioWarning: CustomStringConvertible, Equatable, Sendable {
  public let path: String
  public let message: String

  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): warning: \(message)" }
}
