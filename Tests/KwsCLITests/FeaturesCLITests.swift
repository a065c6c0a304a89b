// `kws features` end to end through the built binary: option checks, bad inputs
// (exit status and a message naming the file), and the outputs.
import Foundation
import TestSupport
import Testing

private func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
  let dir = try TestSupport.temporaryDirectory()
  defer { try? FileManager.default.removeItem(at: dir) }
  return try body(dir)
}

private func sox(_ arguments: [String]) throws {
  _ = try TestSupport.run("/usr/bin/sox", arguments)
}

@Suite struct FeaturesCLIOptions {
  @Test func helpListsTheCommand() throws {
    let top = try KwsBinary.run(["--help"])
    #expect(top.status == 0)
    #expect(top.text.contains("features"))
    let help = try KwsBinary.run(["features", "--help"])
    #expect(help.status == 0)
    for option in [
      "--frontend", "--reference", "--format", "--quantize", "--raw-clips", "--files-from",
      "--no-resample",
    ] {
      #expect(help.text.contains(option), "help lacks \(option)")
    }
  }

  /// Usage errors exit 64 (EX_USAGE) with a message saying what is wrong.
  @Test(arguments: [
    ([], "give audio FILEs"),
    (["--clip-samples", "100", "a.wav"], "--clip-samples only applies to --raw-clips"),
    (["--raw-clips", "x.raw", "a.wav"], "give no FILE arguments"),
    (["--raw-clips", "x.raw", "--clip-samples", "0"], "must be positive"),
    (["--quantize", "0.1", "a.wav"], "--quantize"),
    (["--quantize", "0,-128", "a.wav"], "--quantize"),
    (["--quantize", "0.1,200", "a.wav"], "--quantize"),
    (["--quantize", "0.1,-128", "--reference", "a.wav"], "drop --reference"),
    (["--frontend", "fbank", "a.wav"], "--frontend"),
    (["--format", "csv", "a.wav"], "--format"),
  ])
  func usageErrors(arguments: [String], message: String) throws {
    let r = try KwsBinary.run(["features"] + arguments)
    #expect(r.status == 64, "\(arguments): status \(r.status)")
    #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
  }
}

@Suite struct FeaturesCLIBadInput {
  /// Each bad input: exit status 1 and a message on stderr naming the file and the problem.
  @Test func badFilesAreNamed() throws {
    try withTemporaryDirectory { dir in
      func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try WAVBytes.write(bytes, to: url)
        return url.path
      }
      let good = try file("good.wav", WAVBytes.pcm16([Int16](repeating: 100, count: 16_000)))
      let text = try file("notes.wav", Array("not audio\n".utf8))
      let cut = try file(
        "cut.wav",
        WAVBytes.riff([
          WAVBytes.chunk("fmt ", WAVBytes.fmt()),
          WAVBytes.chunk("data", [UInt8](repeating: 0, count: 100), declaredSize: 640_000),
        ]))
      let noData = try file("nodata.wav", WAVBytes.riff([WAVBytes.chunk("fmt ", WAVBytes.fmt())]))
      let missing = dir.appendingPathComponent("missing.wav").path
      let cases: [([String], String, String)] = [
        ([good, missing], missing, "no such file"),
        ([good, text], text, "not an audio file"),
        ([cut], cut, "declares 640000 bytes"),
        ([noData], noData, "without a 'data' chunk"),
        ([dir.path], dir.path, "is a directory"),
      ]
      for (arguments, named, problem) in cases {
        let r = try KwsBinary.run(["features"] + arguments)
        #expect(r.status == 1, "\(arguments): status \(r.status)")
        #expect(
          r.stderr.contains("\(named): "),
          "\(arguments): stderr does not name the file: \(r.stderr)")
        #expect(r.stderr.contains(problem), "\(arguments): \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(arguments): wrote output despite the error")
      }
    }
  }

  @Test func noResampleRefusesOtherRates() throws {
    try withTemporaryDirectory { dir in
      let path = dir.appendingPathComponent("t8k.wav").path
      try sox(["-n", "-r", "8000", "-b", "16", path, "synth", "0.5", "sine", "300"])
      let r = try KwsBinary.run(["features", "--no-resample", path])
      #expect(r.status == 1)
      #expect(r.stderr.contains(path) && r.stderr.contains("8000 Hz"), "\(r.stderr)")
    }
  }

  @Test func filesFromNamesTheBadEntry() throws {
    try withTemporaryDirectory { dir in
      let good = dir.appendingPathComponent("a.wav")
      try WAVBytes.write(WAVBytes.pcm16([Int16](repeating: 5, count: 4_000)), to: good)
      let list = dir.appendingPathComponent("list.txt")
      try "# training list\n\(good.path)\n\n  gone.wav  \n".write(
        to: list, atomically: true, encoding: .utf8)
      let r = try KwsBinary.run(["features", "--files-from", list.path], in: dir)
      #expect(r.status == 1)
      #expect(r.stderr.contains("gone.wav: no such file"), "\(r.stderr)")
      let missingList = try KwsBinary.run([
        "features", "--files-from", dir.appendingPathComponent("nolist").path,
      ])
      #expect(missingList.status == 1 && missingList.stderr.contains("nolist"))
    }
  }

  @Test func rawClipsMustBeWhole() throws {
    try withTemporaryDirectory { dir in
      let raw = dir.appendingPathComponent("clips.raw")
      try Data(count: 2 * 16_000 * 2 + 6).write(to: raw)
      let out = dir.appendingPathComponent("x.npy").path
      let r = try KwsBinary.run(["features", "--raw-clips", raw.path, "-o", out])
      #expect(r.status == 1)
      #expect(
        r.stderr.contains(raw.path) && r.stderr.contains("6 bytes are left over"), "\(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "a failed run left \(out) behind")
      let empty = dir.appendingPathComponent("empty.raw")
      try Data().write(to: empty)
      let e = try KwsBinary.run(["features", "--raw-clips", empty.path, "-o", out])
      #expect(e.status == 1 && e.stderr.contains("empty"))
    }
  }
}
