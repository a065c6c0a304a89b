// `kws validate --firmware`: the firmware under QEMU against the host, bit for bit, on
// speech, noise, digital silence and overdriven (clipped, full-scale) audio, with the shipped
// DS-CNN linked in flash and with okay_nabu (microWakeWord) loaded at run time. The
// negative proofs: firmware and host given different settings (a classifier stride,
// a detection threshold) must exit non-zero naming the first differing record; a bad
// clip or a failing QEMU is reported and the batch goes on.
//
// The firmware comes from $KWS_FIRMWARE_ELF, else `make -C Firmware` is run (a no-op
// when up to date; `make test` builds it before `swift test`). A failed build is an
// error, never a skip.
import Foundation
import TestSupport
import Testing

enum FirmwareELF {
  private static let built: Result<String, KwsBinary.Failure> = {
    if let path = ProcessInfo.processInfo.environment["KWS_FIRMWARE_ELF"] {
      return FileManager.default.fileExists(atPath: path)
        ? .success(path)
        : .failure(KwsBinary.Failure(description: "KWS_FIRMWARE_ELF=\(path): no such file"))
    }
    do {
      _ = try TestSupport.run(
        "/usr/bin/make", ["-s", "-C", TestSupport.path("Firmware"), "KWS=\(try KwsBinary.path())"])
      return .success(TestSupport.path("Firmware/build/kws-firmware.elf"))
    } catch {
      return .failure(
        KwsBinary.Failure(
          description:
            "could not build the firmware (make -C Firmware, or set KWS_FIRMWARE_ELF): \(error)"))
    }
  }()

  static func path() throws -> String { try built.get() }
}

@Suite(.serialized) struct ValidateCLITests {
  struct ClipLine: Decodable {
    let clip: String
    let status: String
    let frames: Int
    let invocations: Int
    let detections: Int
  }

  /// Short clips (a few seconds in all: the host runs the debug build).
  final class Clips {
    let dir: URL
    init() throws { dir = try TestSupport.temporaryDirectory() }
    deinit { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func sox(_ arguments: [String]) throws { _ = try TestSupport.run("/usr/bin/sox", arguments) }

    /// speech (the keywords sample: "yes", "no"), pink noise, all-zero silence, and
    /// the keywords 30 dB overdriven (clipped at full scale) at 22,050 Hz, so that the
    /// resampler runs too.
    func common() throws -> [String] {
      let keywords = TestSupport.path("Audio/samples/keywords.wav")
      try sox([keywords, path("speech.wav"), "trim", "0", "2.5"])
      try sox([
        "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", path("noise.wav"), "synth", "1.5",
        "pinknoise", "vol", "0.3",
      ])
      try sox(["-n", "-r", "16000", "-c", "1", "-b", "16", path("silence.wav"), "trim", "0", "1.2"])
      try sox([
        "-R", keywords, "-r", "22050", path("clipping.wav"), "trim", "2.4", "1.5", "gain", "30",
      ])
      return ["speech.wav", "noise.wav", "silence.wav", "clipping.wav"].map(path)
    }

    /// "Okay nabu" in noise (the bundled sample's first 3.5 s).
    func nabu() throws -> String {
      try sox([
        TestSupport.path("Audio/samples/okay-nabu-in-noise.wav"), path("nabu.wav"), "trim", "0",
        "3.5",
      ])
      return path("nabu.wav")
    }

    /// A copy of `manifest` with `change` applied to its JSON (model path made absolute).
    func manifest(from manifest: String, name: String, _ change: (inout [String: Any]) -> Void)
      throws -> String
    {
      var json =
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest)))
        as! [String: Any]
      let model = json["model"] as! String
      json["model"] =
        URL(fileURLWithPath: manifest).deletingLastPathComponent().appendingPathComponent(model)
        .path
      change(&json)
      let out = path(name)
      try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: out))
      return out
    }
  }

  func lines(_ result: KwsResult) throws -> [ClipLine] {
    try result.text.split(separator: "\n").filter { !$0.hasPrefix("{\"total\"") }.map {
      try JSONDecoder().decode(ClipLine.self, from: Data($0.utf8))
    }
  }

  @Test func shippedModelLinkedInFlash() throws {
    let clips = try Clips()
    let files = try clips.common()
    let result = try KwsBinary.run(
      ["validate", "--firmware", try FirmwareELF.path(), "--json"] + files)
    #expect(result.status == 0, "\(result.text)\n\(result.stderr)")
    let results = try lines(result)
    #expect(results.map(\.clip) == files)
    #expect(results.allSatisfy { $0.status == "identical" }, "\(result.text)")
    // 2.5 s of MFCC at 20 ms: 124 frames; the first invocation once 49 are in, then every 5.
    #expect(results[0].frames == 124 && results[0].invocations == 16)
    #expect(results[0].detections >= 1, "the keywords sample says yes and no")
    #expect(results[2].invocations > 0, "silence still runs the model")
    #expect(
      result.text.contains("\"total\":{\"clips\":4,\"identical\":4,\"different\":0,\"failed\":0"))
  }

  @Test func okayNabuLoadedAtRunTime() throws {
    let clips = try Clips()
    // Plus a square wave driven past full scale: its samples sit at +-32767 (-32768).
    try clips.sox([
      "-R", "-D", "-n", "-r", "16000", "-c", "1", "-b", "16", clips.path("square.wav"), "synth",
      "1", "square", "300",
      "gain", "6",
    ])
    let files = [try clips.nabu()] + (try clips.common()).dropFirst() + [clips.path("square.wav")]
    let manifest = try WakeWordClips.modelsFolder() + "/okay_nabu.json"
    let result = try KwsBinary.run(
      ["validate", "--firmware", try FirmwareELF.path(), "--model", manifest, "--jobs", "2"] + files
    )
    #expect(result.status == 0, "\(result.text)\n\(result.stderr)")
    let text = result.text.split(separator: "\n").map(String.init)
    #expect(text.count == files.count + 1)
    for (line, file) in zip(text, files) {
      #expect(line.hasPrefix("\(file): ") && line.hasSuffix(": identical"), "\(line)")
    }
    #expect(text[0].contains(" 1 detection:"), "okay nabu is heard once: \(text[0])")
    #expect(text.last == "validate: 5 clips, 5 identical, 0 different, 0 failed (okay_nabu)")
  }

  @Test func aDifferentClassifierStrideIsCaught() throws {
    let clips = try Clips()
    let shipped = TestSupport.path("Models/kws-speech-commands.json")
    let other = try clips.manifest(from: shipped, name: "stride4.json") { $0["stride_frames"] = 4 }
    let pack = try KwsBinary.run(["pack-model", other, "--settings", clips.path("stride4.kwss")])
    #expect(pack.status == 0, "\(pack.stderr)")
    _ = try clips.common()
    let result = try KwsBinary.run([
      "validate", "--firmware", try FirmwareELF.path(), "--model", shipped,
      "--firmware-settings", clips.path("stride4.kwss"), clips.path("noise.wav"),
    ])
    #expect(result.status == 1)
    // Both invoke after frame 48 (a full 49-frame window); then the firmware after
    // 4 more frames, the host after 5: after 53 frame records and one invocation
    // (records 0...53), the firmware invokes where the host has frame 53.
    #expect(
      result.text.contains(
        "noise.wav: 74 frames, 6 invocations, 0 detections (host): DIFFERENT at record 54 (invocation 1 of model 0): "
          + "firmware has invocation 1 of model 0, host has frame 53 of front end 0"),
      "\(result.text)")
    #expect(result.text.contains("0 identical, 1 different, 0 failed"))
  }

  @Test func aDifferentThresholdIsCaught() throws {
    let clips = try Clips()
    let manifest = try WakeWordClips.modelsFolder() + "/okay_nabu.json"
    let strict = try clips.manifest(from: manifest, name: "strict.json") { json in
      var micro = json["micro"] as! [String: Any]
      micro["probability_cutoff"] = 0.999
      json["micro"] = micro
    }
    let pack = try KwsBinary.run(["pack-model", strict, "--settings", clips.path("strict.kwss")])
    #expect(pack.status == 0, "\(pack.stderr)")
    let nabu = try clips.nabu()
    let result = try KwsBinary.run([
      "validate", "--firmware", try FirmwareELF.path(), "--model", manifest,
      "--firmware-settings", clips.path("strict.kwss"), "--json", nabu,
    ])
    #expect(result.status == 1)
    #expect(result.text.contains("\"status\":\"different\""), "\(result.text)")
    #expect(result.text.contains("host has detection 0 of model 0"), "\(result.text)")
  }

  @Test func badClipsAndFailingRunsAreReportedAndTheBatchGoesOn() throws {
    let clips = try Clips()
    let files = try clips.common()
    let bad = clips.path("bad.wav")
    try Data("not audio at all".utf8).write(to: URL(fileURLWithPath: bad))
    let elf = try FirmwareELF.path()
    let mixed = try KwsBinary.run(["validate", "--firmware", elf, bad, files[2]])
    #expect(mixed.status == 1)
    let text = mixed.text.split(separator: "\n").map(String.init)
    #expect(text.count == 3)
    #expect(text[0].hasPrefix("\(bad): FAILED: "), "\(text[0])")
    #expect(text[1].hasSuffix(": identical"))
    #expect(text[2].hasPrefix("validate: 2 clips, 1 identical, 0 different, 1 failed"))

    // Not a firmware at all: QEMU fails on every clip; each is reported.
    let notELF = clips.path("not-firmware.elf")
    try Data(repeating: 0, count: 64).write(to: URL(fileURLWithPath: notELF))
    let nabu = try WakeWordClips.modelsFolder() + "/okay_nabu.json"
    let broken = try KwsBinary.run([
      "validate", "--firmware", notELF, "--model", nabu, "--timeout", "20", files[1], files[2],
    ])
    #expect(broken.status == 1)
    let brokenLines = broken.text.split(separator: "\n").map(String.init)
    #expect(
      brokenLines.count == 3 && brokenLines[0].contains(": FAILED: ")
        && brokenLines[1].contains(": FAILED: "))
    #expect(
      brokenLines.last?.hasPrefix("validate: 2 clips, 0 identical, 0 different, 2 failed") == true)

    let missing = try KwsBinary.run(["validate", "--firmware", clips.path("nowhere.elf"), files[2]])
    #expect(
      missing.status != 0 && missing.stderr.contains("no firmware ELF there"), "\(missing.stderr)")
    let noQEMU = try KwsBinary.run([
      "validate", "--firmware", elf, "--qemu", "/nonexistent/qemu-system-arm", files[2],
    ])
    #expect(noQEMU.status != 0 && noQEMU.stderr.contains("QEMU not found"), "\(noQEMU.stderr)")
  }
}
