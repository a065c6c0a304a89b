// Audio input: every format round-trips to the int16 samples it holds, channels are
// averaged, other rates are resampled faithfully, and damaged files give their own error.
import Foundation
import Host
import TestSupport
import Testing

/// A deterministic test signal: a few tones plus a pseudo-random walk, with both int16
/// extremes in it so clipping and sign handling are exercised.
private func testSignal(count: Int, seed: UInt32 = 1) -> [Int16] {
  var state = seed
  var out = [Int16](repeating: 0, count: count)
  for i in 0..<count {
    state = state &* 1_664_525 &+ 1_013_904_223
    let noise = Double(Int32(bitPattern: state) >> 20)  // +-2048
    let t = Double(i) / 16_000
    let tone = 12_000 * sin(2 * .pi * 440 * t) + 6_000 * sin(2 * .pi * 3_100 * t)
    out[i] = Int16(max(-32768, min(32767, (tone + noise).rounded())))
  }
  out[10] = .max
  out[11] = .min
  return out
}

private func sox(_ arguments: [String]) throws {
  _ = try TestSupport.run("/usr/bin/sox", arguments)
}

/// Runs `body` with a fresh temporary directory and removes it afterwards.
private func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
  let dir = try TestSupport.temporaryDirectory()
  defer { try? FileManager.default.removeItem(at: dir) }
  return try body(dir)
}

/// The error `AudioClip.read` throws for `path`, or nil if it reads.
private func readError(_ path: String, resample: Bool = true) -> AudioError? {
  do {
    _ = try AudioClip.read(path: path, resample: resample)
    return nil
  } catch {
    return error
  }
}

@Suite struct AudioFileRoundTrip {
  @Test func ownWriterRoundTripsExactly() throws {
    try withTemporaryDirectory { dir in
      let samples = testSignal(count: 12_345)
      let path = dir.appendingPathComponent("w.wav").path
      let writer = try WAVWriter(path: path)
      try writer.append(Array(samples[0..<1000]))
      try writer.append(Array(samples[1000...]))
      try writer.close()
      let clip = try AudioClip.read(path: path)
      #expect(clip.samples == samples)
      #expect(clip.warnings.isEmpty)
      #expect(clip.sourceRate == 16_000 && clip.sourceChannels == 1)
      // The canonical 44-byte header, sizes filled in.
      let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
      #expect(bytes.count == 44 + 2 * samples.count)
      #expect(Array(bytes[40..<44]) == WAVBytes.le32(UInt32(2 * samples.count)))
    }
  }

  @Test func unclosedWriterIsReadWithAWarning() throws {
    try withTemporaryDirectory { dir in
      let samples = testSignal(count: 800)
      let path = dir.appendingPathComponent("live.wav").path
      let writer = try WAVWriter(path: path)
      try writer.append(samples)
      // Simulate a crash before close(): copy the file as it is on disk now.
      let copy = dir.appendingPathComponent("copy.wav")
      fflushAll()
      try FileManager.default.copyItem(atPath: path, toPath: copy.path)
      try writer.close()
      let clip = try AudioClip.read(path: copy.path)
      #expect(clip.samples.count <= samples.count)
      #expect(Array(clip.samples) == Array(samples[0..<clip.samples.count]))
      #expect(clip.warnings.contains { $0.message.contains("unset") })
    }
  }

  /// Lossless conversions made by sox from a 16-bit original must read back exactly.
  @Test(arguments: [
    ("wav", ["-b", "16", "-e", "signed-integer"]),
    ("wav", ["-b", "24", "-e", "signed-integer"]),
    ("wav", ["-b", "32", "-e", "signed-integer"]),
    ("wav", ["-b", "32", "-e", "floating-point"]),
    ("wav", ["-b", "64", "-e", "floating-point"]),
    ("flac", ["-b", "16"]),
    ("flac", ["-b", "24"]),
    ("aiff", ["-b", "16"]),
    ("caf", ["-b", "24"]),
  ])
  func soxFormatsRoundTrip(ext: String, options: [String]) throws {
    try withTemporaryDirectory { dir in
      let samples = testSignal(count: 16_000)
      let original = dir.appendingPathComponent("o.wav").path
      try WAVBytes.write(WAVBytes.pcm16(samples), to: URL(fileURLWithPath: original))
      let converted = dir.appendingPathComponent("c.\(ext)").path
      try sox([original] + options + [converted])
      let clip = try AudioClip.read(path: converted)
      #expect(clip.samples.count == samples.count)
      let mismatches = zip(clip.samples, samples).enumerated().filter {
        $0.element.0 != $0.element.1
      }
      #expect(
        mismatches.isEmpty,
        "\(ext) \(options): \(mismatches.count) mismatches, first \(mismatches.prefix(3))")
    }
  }

  /// 8-bit keeps only the top byte: what we read is that byte times 256, within half a
  /// step (128) of the original (sox -D: no dither, so it rounds).
  @Test func eightBitIsScaledUp() throws {
    try withTemporaryDirectory { dir in
      let samples = testSignal(count: 4_000)
      let original = dir.appendingPathComponent("o.wav").path
      try WAVBytes.write(WAVBytes.pcm16(samples), to: URL(fileURLWithPath: original))
      let converted = dir.appendingPathComponent("c8.wav").path
      try sox(["-D", original, "-b", "8", "-e", "unsigned-integer", converted])
      let clip = try AudioClip.read(path: converted)
      #expect(clip.samples.count == samples.count)
      #expect(clip.samples.allSatisfy { $0 % 256 == 0 })
      let worst = zip(clip.samples, samples).map { abs(Int($0) - Int($1)) }.max() ?? 0
      #expect(worst <= 256)  // 128 from rounding; the top value 32767 -> 32512 is 255 away
    }
  }

  /// 24-bit values are rounded to 16 bits (nearest, ties away from zero), not truncated.
  @Test func twentyFourBitRounds() throws {
    try withTemporaryDirectory { dir in
      // (24-bit value, expected int16): exact, below/above half, ties both signs, clip.
      let cases: [(Int32, Int16)] = [
        (256 * 100, 100), (256 * 100 + 127, 100), (256 * 100 + 128, 101), (256 * 100 + 129, 101),
        (-(256 * 100 + 128), -101), (-(256 * 100 + 127), -100), (8_388_607, 32767),
        (-8_388_608, -32768),
        (127, 0), (128, 1), (-128, -1),
      ]
      let body = cases.flatMap { WAVBytes.le24($0.0) }
      let path = dir.appendingPathComponent("r24.wav")
      try WAVBytes.write(
        WAVBytes.riff([
          WAVBytes.chunk("fmt ", WAVBytes.fmt(bits: 24)), WAVBytes.chunk("data", body),
        ]), to: path)
      let clip = try AudioClip.read(path: path.path)
      #expect(clip.samples == cases.map { $0.1 })
    }
  }

  @Test func floatIsClippedAndRounded() throws {
    try withTemporaryDirectory { dir in
      let values: [Float] = [
        0, 0.5, -0.5, 1.5, -1.5, 1, -1, 2.5 / 32768, -2.5 / 32768, .nan, .infinity,
      ]
      let expected: [Int16] = [0, 16384, -16384, 32767, -32768, 32767, -32768, 3, -3, 0, 32767]
      let body = values.flatMap { WAVBytes.le32($0.bitPattern) }
      let path = dir.appendingPathComponent("f.wav")
      try WAVBytes.write(
        WAVBytes.riff([
          WAVBytes.chunk("fmt ", WAVBytes.fmt(tag: 3, bits: 32)), WAVBytes.chunk("data", body),
        ]), to: path)
      let clip = try AudioClip.read(path: path.path)
      #expect(clip.samples == expected)
      #expect(clip.warnings.contains { $0.message.contains("NaN") })
    }
  }
}

@Suite struct AudioDownmix {
  @Test func stereoIsAveraged() throws {
    try withTemporaryDirectory { dir in
      let left = testSignal(count: 3_000, seed: 7)
      let right = testSignal(count: 3_000, seed: 99)
      var interleaved: [Int16] = []
      for i in 0..<left.count { interleaved += [left[i], right[i]] }
      let path = dir.appendingPathComponent("s.wav")
      try WAVBytes.write(WAVBytes.pcm16(interleaved, channels: 2), to: path)
      let clip = try AudioClip.read(path: path.path)
      #expect(clip.sourceChannels == 2)
      // Independent oracle: integer mean, halves rounded away from zero.
      let expected = zip(left, right).map { (l, r) -> Int16 in
        let sum = Int(l) + Int(r)
        return Int16(sum >= 0 ? (sum + 1) / 2 : -((-sum + 1) / 2))
      }
      #expect(clip.samples.count == expected.count)
      let wrong = zip(clip.samples, expected).enumerated().filter { $0.element.0 != $0.element.1 }
      #expect(wrong.isEmpty, "\(wrong.count) differ, first \(wrong.prefix(4))")
    }
  }

  @Test func threeChannelsViaSoxFlac() throws {
    try withTemporaryDirectory { dir in
      let a = testSignal(count: 2_000, seed: 3)
      let paths = (0..<3).map { dir.appendingPathComponent("c\($0).wav").path }
      for (i, p) in paths.enumerated() {
        try WAVBytes.write(
          WAVBytes.pcm16(a.map { Int16(clamping: Int($0) * (i + 1) / 3) }),
          to: URL(fileURLWithPath: p))
      }
      let merged = dir.appendingPathComponent("m.flac").path
      try sox(["-M"] + paths + [merged])
      let clip = try AudioClip.read(path: merged)
      #expect(clip.sourceChannels == 3)
      let expected = a.map { s -> Int16 in
        let sum = Double((1...3).map { Int(Int16(clamping: Int(s) * $0 / 3)) }.reduce(0, +))
        return Int16((sum / 3).rounded(.toNearestOrAwayFromZero))
      }
      #expect(clip.samples == expected)
    }
  }
}

@Suite struct AudioResampling {
  /// Power of `x` at `frequency` (Hz, 16 kHz rate) by a single-bin DFT.
  private func power(_ x: ArraySlice<Int16>, at frequency: Double) -> Double {
    var re = 0.0
    var im = 0.0
    for (n, s) in x.enumerated() {
      let phase = 2 * .pi * frequency * Double(n) / 16_000
      re += Double(s) * cos(phase)
      im -= Double(s) * sin(phase)
    }
    return (re * re + im * im) / Double(x.count * x.count)
  }

  @Test(arguments: [44_100, 48_000, 22_050, 8_000])
  func toneKeepsFrequencyAndLevel(rate: Int) throws {
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("tone.wav").path
      // 1 kHz at amplitude 0.5 (-6 dBFS), 1 s, 16-bit, no dither.
      try sox([
        "-D", "-n", "-r", "\(rate)", "-b", "16", path, "synth", "1", "sine", "1000", "vol", "0.5",
      ])
      let clip = try AudioClip.read(path: path)
      #expect(clip.sourceRate == rate)
      #expect(abs(clip.samples.count - 16_000) <= 1)
      // Away from the edges (filter transients), the level is 0.5 * 32768 / sqrt(2) rms.
      let middle = clip.samples[2_000..<14_000]
      let rms = (middle.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(middle.count))
        .squareRoot()
      let expectedRMS = 0.5 * 32768 / 2.0.squareRoot()
      #expect(abs(20 * log10(rms / expectedRMS)) < 0.05, "level off: rms \(rms) vs \(expectedRMS)")
      // Frequency: over the 0.75 s window 1 kHz is exactly 750 periods, and 980 / 1020 Hz
      // are 735 / 765: orthogonal to a true 1 kHz tone, so any frequency error shows up
      // there. A wrong ratio (e.g. 44.1 kHz taken as 16 kHz) would move the tone by kHz.
      let p1000 = power(middle, at: 1000)
      #expect(p1000 > 10_000 * power(middle, at: 980))
      #expect(p1000 > 10_000 * power(middle, at: 1020))
    }
  }

  @Test func noResampleRefusesOtherRates() throws {
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("t44.wav").path
      try sox(["-n", "-r", "44100", "-b", "16", path, "synth", "0.1", "sine", "1000"])
      #expect(readError(path, resample: false)?.kind == .wrongRate(found: 44_100, expected: 16_000))
      #expect(readError(path, resample: false)?.description.contains("44100 Hz") == true)
      let ok = dir.appendingPathComponent("t16.wav").path
      try sox(["-n", "-r", "16000", "-b", "16", ok, "synth", "0.1", "sine", "1000"])
      #expect(readError(ok, resample: false) == nil)
    }
  }

  /// The stream gives the same samples whatever the block sizes, resampled or not.
  @Test(arguments: [16_000, 44_100])
  func blockSizesDoNotChangeTheStream(rate: Int) throws {
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("n.flac").path
      try sox(["-n", "-r", "\(rate)", "-b", "16", path, "synth", "2.3", "pinknoise", "vol", "0.3"])
      let whole = try AudioClip.read(path: path).samples
      let reader = try AudioFileReader(path: path, blockFrames: 97)
      var streamed: [Int16] = []
      var sizes = [1, 333, 4096, 7]
      while let block = try reader.nextBlock(maxSamples: sizes[0]) {
        streamed += block
        sizes.append(sizes.removeFirst())
      }
      #expect(streamed.count == whole.count)
      #expect(streamed == whole)
    }
  }
}

/// Every damaged file gives its own error (or, for the tolerable ones, a warning).
@Suite struct MalformedAudio {
  private static let good = WAVBytes.fmt()
  private static let samples = [UInt8](repeating: 1, count: 3_200)  // 1,600 samples

  /// (name, bytes, expected error); nil bytes means "do not create the file".
  static let errorCases: [(String, [UInt8]?, AudioError.Kind)] = [
    ("missing file", nil, .missing),
    ("empty file", [], .notAudio("")),
    ("text file", Array("hello, this is not audio at all\n".utf8), .notAudio("")),
    (
      "RIFF cut after 8 bytes", Array("RIFF".utf8) + WAVBytes.le32(100),
      .truncatedHeader(needed: 12, available: 8)
    ),
    (
      "chunk header cut", WAVBytes.riff([WAVBytes.chunk("fmt ", good)]) + Array("da".utf8),
      .truncatedHeader(needed: 44, available: 38)
    ),
    (
      "fmt past end", Array(WAVBytes.riff([WAVBytes.chunk("fmt ", good)]).prefix(30)),
      .chunkPastEnd(chunk: "fmt ", offset: 12, declared: 16, available: 10)
    ),
    (
      "fmt too short",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", Array(good.prefix(14))), WAVBytes.chunk("data", samples),
      ]),
      .malformedChunk(chunk: "fmt ", offset: 12, reason: "14 bytes, at least 16 are needed")
    ),
    ("no data chunk", WAVBytes.riff([WAVBytes.chunk("fmt ", good)]), .missingChunk("data")),
    (
      "data before fmt",
      WAVBytes.riff([WAVBytes.chunk("data", samples), WAVBytes.chunk("fmt ", good)]),
      .missingChunk("fmt ")
    ),
    (
      "zero channels",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", WAVBytes.fmt(channels: 0)), WAVBytes.chunk("data", samples),
      ]),
      .zeroChannels(offset: 22)
    ),
    (
      "empty data", WAVBytes.riff([WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", [])]),
      .empty
    ),
    (
      "data far past end",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples, declaredSize: 1_000_000),
      ]),
      .chunkPastEnd(chunk: "data", offset: 36, declared: 1_000_000, available: 3_200)
    ),
    (
      "RIFF and data far past end",
      WAVBytes.riff(
        [WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples, declaredSize: 64_000)],
        riffSize: 64_036),
      .chunkPastEnd(chunk: "data", offset: 36, declared: 64_000, available: 3_200)
    ),
    (
      "LIST before data past end",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", good), WAVBytes.chunk("LIST", [1, 2, 3, 4], declaredSize: 5_000),
        WAVBytes.chunk("data", samples),
      ]),
      .chunkPastEnd(chunk: "LIST", offset: 36, declared: 5_000, available: 3_212)
    ),
    (
      "unknown encoding tag",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", WAVBytes.fmt(tag: 0x1234)), WAVBytes.chunk("data", samples),
      ]),
      .unsupportedEncoding("")
    ),
  ]

  @Test(arguments: 0..<errorCases.count)
  func damagedFileGivesItsError(index: Int) throws {
    let (name, bytes, expected) = Self.errorCases[index]
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("bad.wav")
      if let bytes { try WAVBytes.write(bytes, to: path) }
      let error = readError(path.path)
      #expect(error != nil, "\(name): read without error")
      guard let error else { return }
      // Kinds carrying library text are compared by case only.
      switch (error.kind, expected) {
      case (.notAudio, .notAudio), (.unsupportedEncoding, .unsupportedEncoding): break
      default: #expect(error.kind == expected, "\(name): \(error)")
      }
      #expect(
        error.description.hasPrefix(path.path + ": "),
        "\(name): message must name the file: \(error)")
    }
  }

  @Test func unknownTagIsNamed() throws {
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("tag.wav")
      try WAVBytes.write(
        WAVBytes.riff([
          WAVBytes.chunk("fmt ", WAVBytes.fmt(tag: 0x1234)), WAVBytes.chunk("data", Self.samples),
        ]), to: path)
      #expect(readError(path.path)?.description.contains("0x1234") == true)
    }
  }

  @Test func directoryIsRefused() throws {
    try withTemporaryDirectory { dir in
      #expect(readError(dir.path)?.kind == .isDirectory)
    }
  }

  /// (name, bytes, samples expected, a word the warning must contain)
  static let warningCases: [(String, [UInt8], Int, String)] = [
    (
      "data short by 6 bytes",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples, declaredSize: 3_206),
      ]),
      1_600, "missing"
    ),
    (
      "RIFF size past end only",
      WAVBytes.riff(
        [WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples)], riffSize: 90_000),
      1_600, "RIFF header declares"
    ),
    (
      "partial last frame",
      WAVBytes.riff([WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples + [7])]),
      1_600, "partial frame"
    ),
    (
      "truncated trailing LIST",
      WAVBytes.riff([
        WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples),
        WAVBytes.chunk("LIST", [1, 2], declaredSize: 400),
      ]),
      1_600, "after the audio"
    ),
    (
      "sizes unset",
      WAVBytes.riff(
        [WAVBytes.chunk("fmt ", good), WAVBytes.chunk("data", samples, declaredSize: 0xFFFF_FFFF)],
        riffSize: 0xFFFF_FFFF),
      1_600, "unset"
    ),
  ]

  @Test(arguments: 0..<warningCases.count)
  func tolerableDamageWarns(index: Int) throws {
    let (name, bytes, count, word) = Self.warningCases[index]
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("warn.wav")
      try WAVBytes.write(bytes, to: path)
      let clip = try AudioClip.read(path: path.path)
      #expect(clip.samples.count == count, "\(name)")
      #expect(clip.samples.allSatisfy { $0 == 0x0101 }, "\(name)")
      #expect(clip.warnings.contains { $0.message.contains(word) }, "\(name): \(clip.warnings)")
    }
  }
}

private func fflushAll() { fflush(nil) }
