// Any audio file libsndfile reads (WAV, FLAC, AIFF, Ogg, ...) as 16 kHz mono int16, in
// blocks, so an hours-long recording never has to fit in memory.
//
// The path of a sample: libsndfile decodes to Double normalized to [-1, 1) (an n-bit
// integer v becomes v / 2^(n-1), exact in Double for every n <= 32); channels are
// averaged to mono; soxr resamples to 16 kHz when the file is at another rate; then
// `Int16Conversion.sample` scales by 32768, rounds to nearest (ties away from zero) and
// clips to [-32768, 32767]. A 16-bit mono 16 kHz file therefore comes out bit for bit
// as stored, and a 24-bit one is rounded, not truncated.

import CSndFile

/// Streams a file as 16 kHz mono int16 blocks.
///
///     let reader = try AudioFileReader(path: "long.flac")
///     var block = [Int16](repeating: 0, count: 4096)
///     while case let n = try block.withUnsafeMutableBufferPointer({ try reader.read(into: $0) }), n > 0 {
///       consume(block[0..<n])
///     }
///     reader.warnings.forEach { print($0) }
public final class AudioFileReader {
  /// The only rate the front ends take: 16,000 samples per second.
  public static let outputRate = 16_000

  public let path: String
  /// The file's own rate (Hz), channel count and length in sample frames (per channel);
  /// the length is libsndfile's (an estimate for some compressed formats).
  public let sourceRate: Int
  public let sourceChannels: Int
  public let sourceFrames: Int
  /// libsndfile's name for the container and encoding, e.g. "WAV / Signed 16 bit PCM".
  public let formatName: String
  /// Non-fatal findings (from the WAV chunk walk, or NaN samples replaced by 0).
  public private(set) var warnings: [AudioWarning] = []

  private var sndfile: OpaquePointer?
  private let resampler: Resampler?
  /// Frames libsndfile may still hand us, for uncompressed WAV where our walk knows
  /// better than libsndfile where the data really ends (a partial last frame, trailing
  /// bytes). Other formats are read until libsndfile has no more (Int.max).
  private var framesLeft: Int
  private let blockFrames: Int
  private var interleaved: [Double]
  private var mono: [Double] = []
  private var resampled: [Double] = []
  /// Converted samples not yet handed out, from `pendingStart` on.
  private var pending: [Int16] = []
  private var pendingStart = 0
  private var inputDone = false
  private var nanCount = 0

  /// Opens `path`. With `resample: false` a file not at 16 kHz is an error rather than
  /// being converted. `blockFrames` is how many source frames are decoded at a time.
  public init(path: String, resample: Bool = true, blockFrames: Int = 4096) throws(AudioError) {
    self.path = path
    self.blockFrames = max(1, blockFrames)

    // Existence, directory and our own RIFF walk first: libsndfile's messages are vaguer
    // and it accepts some damaged WAVs silently.
    let layout = try WAVLayout.inspect(path: path)
    warnings = (layout?.warnings ?? []).map { AudioWarning(path: path, message: $0) }

    var info = SF_INFO()
    guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
      let code = Int(sf_error(nil))
      let message = String(cString: sf_strerror(nil))
      if let layout {
        throw AudioError(
          path: path,
          kind: .unsupportedEncoding(
            "\(layout.encodingName), \(layout.channels) channel(s) (libsndfile: \(message))"))
      }
      switch code {
      case SF_ERR_UNRECOGNISED_FORMAT: throw AudioError(path: path, kind: .notAudio(message))
      case SF_ERR_UNSUPPORTED_ENCODING:
        throw AudioError(path: path, kind: .unsupportedEncoding(message))
      default: throw AudioError(path: path, kind: .decodeFailed(message))
      }
    }
    sndfile = handle
    sourceRate = Int(info.samplerate)
    sourceChannels = Int(info.channels)
    formatName = Self.describe(format: info.format)

    var frames = Int(info.frames)
    framesLeft = Int.max
    if let layout, [1, 3, 6, 7].contains(layout.formatTag), layout.blockAlign > 0 {
      // Uncompressed: the walk's count of whole frames is authoritative.
      frames = min(frames, layout.frameCount)
      framesLeft = frames
    }
    sourceFrames = frames
    interleaved = []

    guard sourceChannels > 0 else {
      sf_close(handle)
      sndfile = nil
      throw AudioError(path: path, kind: .zeroChannels(offset: 0))
    }
    guard frames > 0 else {
      sf_close(handle)
      sndfile = nil
      throw AudioError(path: path, kind: .empty)
    }
    if sourceRate != Self.outputRate {
      guard resample else {
        sf_close(handle)
        sndfile = nil
        throw AudioError(path: path, kind: .wrongRate(found: sourceRate, expected: Self.outputRate))
      }
      do {
        resampler = try Resampler(inputRate: sourceRate, outputRate: Self.outputRate, path: path)
      } catch {
        sf_close(handle)
        sndfile = nil
        throw error
      }
    } else {
      resampler = nil
    }
    interleaved = [Double](repeating: 0, count: self.blockFrames * sourceChannels)
    mono.reserveCapacity(self.blockFrames)
  }

  deinit {
    if let sndfile { sf_close(sndfile) }
  }

  /// Fills `buffer` with the next 16 kHz samples and returns how many it wrote: fewer
  /// than `buffer.count` only at the end of the file, 0 once everything was read.
  public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(AudioError) -> Int {
    var written = 0
    while written < buffer.count {
      if pendingStart == pending.count {
        if inputDone { break }
        try refill()
        continue
      }
      let n = min(buffer.count - written, pending.count - pendingStart)
      for i in 0..<n { buffer[written + i] = pending[pendingStart + i] }
      written += n
      pendingStart += n
    }
    return written
  }

  /// The next block of at most `maxSamples` 16 kHz samples, or nil at the end.
  public func nextBlock(maxSamples: Int = 4096) throws(AudioError) -> [Int16]? {
    var block = [Int16](repeating: 0, count: max(1, maxSamples))
    let n = try block.withUnsafeMutableBufferPointer { (b) throws(AudioError) -> Int in
      try read(into: b)
    }
    if n == 0 { return nil }
    block.removeLast(block.count - n)
    return block
  }

  /// Decodes one block of source frames into `pending` (or flushes the resampler).
  private func refill() throws(AudioError) {
    pending.removeAll(keepingCapacity: true)
    pendingStart = 0
    let want = min(blockFrames, framesLeft)
    var got = 0
    if want > 0, let sndfile {
      got = interleaved.withUnsafeMutableBufferPointer {
        Int(sf_readf_double(sndfile, $0.baseAddress!, sf_count_t(want)))
      }
      if got < 0 || (got == 0 && sf_error(sndfile) != 0) {
        throw AudioError(path: path, kind: .decodeFailed(String(cString: sf_strerror(sndfile))))
      }
    }
    if framesLeft != Int.max { framesLeft -= got }
    if got == 0 { framesLeft = 0 }

    mono.removeAll(keepingCapacity: true)
    let channels = sourceChannels
    for frame in 0..<got {
      var sum = 0.0
      for c in 0..<channels { sum += interleaved[frame * channels + c] }
      var x = channels == 1 ? sum : sum / Double(channels)
      if x.isNaN {
        x = 0
        nanCount += 1
      }
      mono.append(x)
    }

    if let resampler {
      resampled.removeAll(keepingCapacity: true)
      if got > 0 {
        try mono.withUnsafeBufferPointer { (m) throws(AudioError) in
          try resampler.process(m, into: &resampled)
        }
      } else {
        try resampler.flush(into: &resampled)
        finish()
      }
      pending.reserveCapacity(resampled.count)
      for x in resampled { pending.append(Int16Conversion.sample(x)) }
    } else {
      for x in mono { pending.append(Int16Conversion.sample(x)) }
      if got == 0 { finish() }
    }
  }

  private func finish() {
    inputDone = true
    if nanCount > 0 {
      warnings.append(AudioWarning(path: path, message: "\(nanCount) NaN sample(s) replaced by 0"))
      nanCount = 0
    }
    if let sndfile {
      sf_close(sndfile)
      self.sndfile = nil
    }
  }

  private static func describe(format: Int32) -> String {
    func name(_ command: Int32, _ value: Int32) -> String {
      var info = SF_FORMAT_INFO()
      info.format = value
      guard sf_command(nil, command, &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
        let n = info.name
      else {
        return "0x" + String(value, radix: 16)
      }
      return String(cString: n)
    }
    let major = format & Int32(SF_FORMAT_TYPEMASK)
    let minor = format & Int32(SF_FORMAT_SUBMASK)
    return "\(name(Int32(SFC_GET_FORMAT_INFO), major)) / \(name(Int32(SFC_GET_FORMAT_INFO), minor))"
  }
}

/// Float-to-int16 conversion shared by the file reader and anything else that turns
/// normalized audio into the front ends' input.
public enum Int16Conversion {
  /// Full scale: a normalized 1.0 is 32768 int16 steps.
  public static let fullScale = 32768.0

  /// `x` in [-1, 1) to int16: scale by 32768, round to nearest with ties away from zero,
  /// clip to [-32768, 32767]. NaN gives 0.
  ///
  ///     sample(0.5) == 16384, sample(-1) == -32768, sample(1) == 32767 (clipped),
  ///     sample(2.5 / 32768) == 3, sample(-2.5 / 32768) == -3
  @inline(__always)
  public static func sample(_ x: Double) -> Int16 {
    let scaled = (x * fullScale).rounded(.toNearestOrAwayFromZero)
    if scaled >= 32767 { return .max }
    if scaled <= -32768 { return .min }
    if scaled.isNaN { return 0 }
    return Int16(scaled)
  }
}

/// A whole clip in memory, for callers that want one array (short clips, tests).
public struct AudioClip: Sendable {
  /// 16 kHz mono int16 samples.
  public var samples: [Int16]
  public var sourceRate: Int
  public var sourceChannels: Int
  public var warnings: [AudioWarning]

  /// Reads all of `path` (see `AudioFileReader` for the conversion).
  public static func read(path: String, resample: Bool = true) throws(AudioError) -> AudioClip {
    let reader = try AudioFileReader(path: path, resample: resample, blockFrames: 16_384)
    var samples: [Int16] = []
    // Reserve the expected length (plus the resampler's rounding) to avoid regrowth.
    samples.reserveCapacity(
      reader.sourceFrames * AudioFileReader.outputRate / max(1, reader.sourceRate) + 16)
    while let block = try reader.nextBlock(maxSamples: 16_384) { samples.append(contentsOf: block) }
    return AudioClip(
      samples: samples, sourceRate: reader.sourceRate, sourceChannels: reader.sourceChannels,
      warnings: reader.warnings)
  }
}
