import Foundation
import Host
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Capture through the real ALSA API, with no sound card: ALSA's `file` plugin reads a
/// raw clip as if it were a microphone (REFERENCE §7).
@Suite(.serialized) struct AudioCaptureTests {
  @Test func capturesTheSamplesOfAFileDevice() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var samples = [Int16](repeating: 0, count: 24_000)
    for i in samples.indices { samples[i] = Int16(truncatingIfNeeded: (i &* 7919) % 65536 - 32768) }
    let raw = dir.appendingPathComponent("clip.raw")
    try samples.withUnsafeBytes { try Data($0).write(to: raw) }
    let conf = dir.appendingPathComponent("asound.conf")
    try """
    pcm.filemic { type file; slave.pcm "null"; file "/dev/null"; infile "\(raw.path)"; format "raw" }
    """.write(to: conf, atomically: true, encoding: .utf8)
    setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:\(conf.path)", 1)
    AudioCapture.reloadConfiguration()
    defer {
      unsetenv("ALSA_CONFIG_PATH")
      AudioCapture.reloadConfiguration()
    }

    #expect(AudioCapture.captureDevices().contains { $0.name == "filemic" })
    let capture = try AudioCapture(device: "filemic")
    var got = [Int16](repeating: 0, count: samples.count)
    // Read in uneven pieces, as a listener would.
    var offset = 0
    for size in [1, 160, 1000, 4321, 18518] {
      let n = try got.withUnsafeMutableBufferPointer { buffer in
        try capture.read(into: UnsafeMutableBufferPointer(rebasing: buffer[offset..<offset + size]))
      }
      #expect(n == size)
      offset += n
    }
    #expect(offset == samples.count)
    let firstDifference = got.indices.first { got[$0] != samples[$0] }
    #expect(firstDifference == nil, "first differing sample: \(firstDifference ?? -1)")
    #expect(capture.overruns == 0)
  }

  @Test func missingDeviceListsTheDevicesThatExist() throws {
    do {
      _ = try AudioCapture(device: "no_such_device_kws")
      Issue.record("opened a device that does not exist")
    } catch {
      #expect(error.device == "no_such_device_kws")
      #expect(error.problem.contains("cannot open for capture"))
      #expect(error.description.contains("capture devices") || error.description.contains("no capture devices found"))
    }
  }
}
