// The firmware runs the same Frontend source files as the host, compiled with
// Embedded Swift for a Cortex-M4F. This test builds it, streams a clip through it
// under QEMU, and compares every feature frame with the host's own MicroFrontend,
// bit for bit. (Firmware/tests/run.sh also compares the firmware with the live
// TFLM microfrontend; this one pins firmware == host directly.)
import Foundation
import Frontend
import TestSupport
import Testing

@Suite struct FirmwareParityTests {
  /// 2.5 s at 16 kHz: a chirp whose loudness swells and fades, over deterministic
  /// noise, with a stretch of digital silence and a few full-scale clipped samples.
  static func clip() -> [Int16] {
    var samples = [Int16](repeating: 0, count: 40_000)
    var noise: UInt32 = 12345
    for i in 0..<samples.count {
      noise = noise &* 1_664_525 &+ 1_013_904_223  // LCG: same clip on every run
      let t = Double(i) / 16_000
      let envelope = 0.5 - 0.5 * cos(2 * Double.pi * t / 2.5)
      let chirp = sin(2 * Double.pi * (200 + 1500 * t) * t) * 20_000 * envelope
      let hiss = Double(Int32(noise >> 16) - 32_768) / 16
      samples[i] = Int16(clamping: Int(chirp + hiss))
    }
    for i in 16_000..<20_000 { samples[i] = 0 }
    for i in stride(from: 30_000, to: 30_400, by: 2) {
      samples[i] = .min
      samples[i + 1] = .max
    }
    return samples
  }

  @Test func firmwareFramesEqualHostFrames() throws {
    _ = try TestSupport.run("/usr/bin/env", ["make", "-s", "-C", TestSupport.path("Firmware")])
    let folder = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let clipURL = folder.appendingPathComponent("clip.raw")
    let framesURL = folder.appendingPathComponent("frames.bin")
    let samples = Self.clip()
    try samples.withUnsafeBytes { Data($0) }.write(to: clipURL)

    // 97-sample chunks on the firmware, one call on the host: chunking must not matter.
    let console = try TestSupport.run(
      TestSupport.path("Firmware/run-qemu.sh"),
      [
        TestSupport.path("Firmware/build/kws-firmware.elf"), "features", clipURL.path,
        framesURL.path, "97",
      ])
    let text = String(decoding: console, as: UTF8.self)
    #expect(text.contains(" 0 after start-up"), "the firmware allocated while streaming:\n\(text)")

    let bytes = try Data(contentsOf: framesURL)
    let firmware = stride(from: 0, to: bytes.count - 1, by: 2).map {
      UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8
    }
    var frontend = try MicroFrontend(config: .microWakeWord)
    var host: [UInt16] = []
    samples.withUnsafeBufferPointer { all in
      frontend.process(all) { host.append(contentsOf: $0) }
    }

    #expect(host.count == 40 * 248, "expected 248 frames of 40 features on the host")
    #expect(
      firmware.count == host.count,
      "firmware \(firmware.count / 40) frames, host \(host.count / 40)")
    let mismatches = zip(firmware, host).enumerated().filter { $0.element.0 != $0.element.1 }
    for (index, pair) in mismatches.prefix(10) {
      Issue.record("frame \(index / 40) channel \(index % 40): firmware \(pair.0), host \(pair.1)")
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) feature values differ")
  }
}
