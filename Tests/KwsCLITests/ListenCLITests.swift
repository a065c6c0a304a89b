// `kws listen` through the real ALSA API with no sound card: ALSA's `file` plugin plays a
// clip into the capture stream (REFERENCE §7). The live path must give exactly the
// detections `kws detect` gives on the same audio.
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct ListenCLITests {
  struct Hit: Decodable, Equatable {
    let keyword: String
    let model: String
    let start: Double
    let end: Double
    let score: Double
  }

  @Test func listenHearsWhatDetectHears() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let manifest = try WakeWordClips.modelsFolder() + "/okay_nabu.json"
    let clip = try WakeWordClips.make("okay nabu", in: dir, name: "listen")
    let raw = dir.appendingPathComponent("clip.raw").path
    _ = try TestSupport.run("/usr/bin/sox", [clip, "-t", "raw", "-e", "signed", "-b", "16", "-r", "16000", "-c", "1", raw])
    let samples = try FileManager.default.attributesOfItem(atPath: raw)[.size] as! Int / 2
    let conf = dir.appendingPathComponent("asound.conf").path
    try """
    pcm.filemic { type file; slave.pcm "null"; file "/dev/null"; infile "\(raw)"; format "raw" }
    """.write(toFile: conf, atomically: true, encoding: .utf8)
    let saved = dir.appendingPathComponent("saved").path

    let live = try KwsBinary.run(
      ["listen", "--device", "filemic", "--model", manifest, "--json", "--duration", "\(Double(samples) / 16000)",
       "--save", saved],
      environment: ["ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf:\(conf)"])
    #expect(live.status == 0, "\(live.stderr)")
    let file = try KwsBinary.run(["detect", "--model", manifest, "--json", clip])
    #expect(file.status == 0, "\(file.stderr)")
    func hits(_ r: KwsResult) throws -> [Hit] {
      try r.text.split(separator: "\n").map { try JSONDecoder().decode(Hit.self, from: Data($0.utf8)) }
    }
    let heard = try hits(live)
    #expect(!heard.isEmpty, "the clip says okay nabu twice")
    #expect(heard == (try hits(file)))
    // One WAV clip saved per detection, 2 s long (1.5 s before the end, 0.5 s after).
    let clips = try FileManager.default.contentsOfDirectory(atPath: saved).filter { $0.hasSuffix(".wav") }
    #expect(clips.count == heard.count)
    for name in clips {
      let size = try FileManager.default.attributesOfItem(atPath: saved + "/" + name)[.size] as! Int
      #expect(size <= 44 + 2 * 32000 && size > 44 + 32000, "\(name): \(size) bytes")
    }
  }

  @Test func missingDeviceIsAClearError() throws {
    let manifest = try WakeWordClips.modelsFolder() + "/okay_nabu.json"
    let r = try KwsBinary.run(["listen", "--device", "no_such_device_kws", "--model", manifest])
    #expect(r.status == 1)
    #expect(r.stderr.contains("audio device \"no_such_device_kws\": cannot open for capture"), "\(r.stderr)")
    #expect(r.stderr.contains("capture devices"))
  }
}
