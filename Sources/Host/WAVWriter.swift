// A 16-bit mono PCM WAV writer of our own: 44-byte canonical header, samples appended
// as they come (a live recording can be saved while it runs), sizes patched on `close`.
// A writer that dies before `close` leaves the sizes at 0xFFFFFFFF, which our reader
// accepts with a warning ("size is unset") and reads to the end of the file.

import Glibc

/// Writes 16-bit little-endian mono PCM WAV.
///
///     let w = try WAVWriter(path: "out.wav", sampleRate: 16_000)
///     try w.append(samples)        // as many times as needed
///     try w.close()                // fills in the RIFF and data sizes
public final class WAVWriter {
  public let path: String
  public let sampleRate: Int
  /// Samples written so far.
  public private(set) var sampleCount = 0
  private var file: UnsafeMutablePointer<FILE>?

  /// Bytes before the first sample: RIFF header (12) + fmt chunk (8 + 16) + data header (8).
  static let headerBytes = 44
  static let bytesPerSample = 2

  public init(path: String, sampleRate: Int = 16_000) throws(AudioError) {
    self.path = path
    self.sampleRate = sampleRate
    guard let f = fopen(path, "wb") else {
      throw AudioError(path: path, kind: .writeFailed(String(cString: strerror(errno))))
    }
    file = f
    try write(header(dataBytes: nil))
  }

  deinit {
    if file != nil { try? close() }
  }

  public func append(_ samples: UnsafeBufferPointer<Int16>) throws(AudioError) {
    var bytes = [UInt8]()
    bytes.reserveCapacity(samples.count * Self.bytesPerSample)
    for s in samples {
      let u = UInt16(bitPattern: s)
      bytes.append(UInt8(u & 0xFF))
      bytes.append(UInt8(u >> 8))
    }
    try write(bytes)
    sampleCount += samples.count
  }

  public func append(_ samples: [Int16]) throws(AudioError) {
    try samples.withUnsafeBufferPointer { (b) throws(AudioError) in try append(b) }
  }

  /// Patches the sizes into the header and closes the file.
  public func close() throws(AudioError) {
    guard let f = file else { return }
    defer {
      fclose(f)
      file = nil
    }
    let dataBytes = sampleCount * Self.bytesPerSample
    guard dataBytes + Self.headerBytes - 8 <= Int(UInt32.max) else {
      throw AudioError(
        path: path, kind: .writeFailed("more than 4 GiB of samples do not fit a RIFF WAV"))
    }
    // A 16-bit sample count is always even, so no pad byte is ever needed.
    guard fseek(f, 0, SEEK_SET) == 0 else {
      throw AudioError(path: path, kind: .writeFailed(String(cString: strerror(errno))))
    }
    try write(header(dataBytes: dataBytes))
    guard fflush(f) == 0 else {
      throw AudioError(path: path, kind: .writeFailed(String(cString: strerror(errno))))
    }
  }

  private func write(_ bytes: [UInt8]) throws(AudioError) {
    guard let f = file else { throw AudioError(path: path, kind: .writeFailed("already closed")) }
    let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    if n != bytes.count {
      throw AudioError(path: path, kind: .writeFailed(String(cString: strerror(errno))))
    }
  }

  /// The canonical header; `dataBytes` nil writes the "unset" sizes 0xFFFFFFFF that
  /// readers take as "read to the end of the file".
  private func header(dataBytes: Int?) -> [UInt8] {
    var h: [UInt8] = []
    h.reserveCapacity(Self.headerBytes)
    func u32(_ v: Int) {
      for shift in stride(from: 0, to: 32, by: 8) { h.append(UInt8((v >> shift) & 0xFF)) }
    }
    func u16(_ v: Int) {
      h.append(UInt8(v & 0xFF))
      h.append(UInt8((v >> 8) & 0xFF))
    }
    h += Array("RIFF".utf8)
    u32(dataBytes.map { Self.headerBytes - 8 + $0 } ?? 0xFFFF_FFFF)
    h += Array("WAVEfmt ".utf8)
    u32(16)  // fmt chunk body: PCM needs no extension
    u16(1)  // WAVE_FORMAT_PCM
    u16(1)  // mono
    u32(sampleRate)
    u32(sampleRate * Self.bytesPerSample)  // byte rate
    u16(Self.bytesPerSample)  // block align
    u16(16)  // bits per sample
    h += Array("data".utf8)
    u32(dataBytes ?? 0xFFFF_FFFF)
    return h
  }
}
