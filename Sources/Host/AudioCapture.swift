// Microphone capture through ALSA (libasound), 16 kHz mono int16.
//
// The device is asked for 16 kHz mono S16_LE with ALSA's own conversion allowed
// (`soft_resample`), so `default` and `plughw:` devices convert and resample in
// ALSA's plug layer. A raw `hw:` device that cannot deliver that format is reopened
// through `plughw:` (same card, ALSA converting). Overruns (xruns) are recovered with
// `snd_pcm_recover` and counted; the stream carries on, and the caller learns how many
// samples were lost so stream time stays right.
import CALSA

#if canImport(Glibc)
  import Glibc
#endif

/// A capture device ALSA knows about.
public struct CaptureDevice: Sendable, Equatable {
  public let name: String
  public let description: String
}

public struct CaptureError: Error, CustomStringConvertible {
  public let device: String
  public let problem: String
  /// The capture devices that exist, for the message.
  public let available: [CaptureDevice]

  public var description: String {
    var text = "audio device \"\(device)\": \(problem)"
    if available.isEmpty {
      text += "\nno capture devices found (is there a sound card, or an ALSA configuration?)"
    } else {
      text += "\ncapture devices:"
      for d in available { text += "\n  \(d.name)\(d.description.isEmpty ? "" : "  (\(d.description))")" }
    }
    return text
  }
}

public final class AudioCapture {
  public let device: String
  public let sampleRate: Int
  /// Overruns recovered so far.
  public private(set) var overruns = 0
  /// ALSA's period in samples: reads are issued in pieces of at most this size
  /// (some plugins, ALSA's `file` among them, refuse reads longer than their buffer).
  public private(set) var periodSamples = 0
  private var pcm: OpaquePointer?

  /// Opens `device` for 16 kHz (or `sampleRate`) mono int16 capture.
  /// - Parameter latencyMs: the ALSA buffer length; reads return in periods of a quarter of it.
  public init(device: String = "default", sampleRate: Int = 16000, latencyMs: Int = 200) throws(CaptureError) {
    self.device = device
    self.sampleRate = sampleRate
    kws_alsa_silence_diagnostics()
    var result = AudioCapture.open(device, sampleRate: sampleRate, latencyMs: latencyMs)
    if case .failure = result, device.hasPrefix("hw:") {
      // A raw device that cannot do 16 kHz mono: let ALSA's plug layer convert.
      result = AudioCapture.open("plug" + device, sampleRate: sampleRate, latencyMs: latencyMs)
    }
    switch result {
    case .success(let handle):
      pcm = handle
      var bufferSize: snd_pcm_uframes_t = 0
      var periodSize: snd_pcm_uframes_t = 0
      if snd_pcm_get_params(handle, &bufferSize, &periodSize) >= 0, periodSize > 0 {
        periodSamples = Int(periodSize)
      } else {
        periodSamples = sampleRate / 100
      }
    case .failure(let message):
      throw CaptureError(device: device, problem: message, available: AudioCapture.captureDevices())
    }
  }

  deinit { close() }

  private enum OpenResult {
    case success(OpaquePointer)
    case failure(String)
  }

  private static func open(_ name: String, sampleRate: Int, latencyMs: Int) -> OpenResult {
    var handle: OpaquePointer?
    var err = snd_pcm_open(&handle, name, SND_PCM_STREAM_CAPTURE, 0)
    guard err >= 0, let handle else { return .failure("cannot open for capture: \(alsaMessage(err))") }
    err = snd_pcm_set_params(
      handle, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, 1, UInt32(sampleRate),
      1, UInt32(latencyMs * 1000))
    guard err >= 0 else {
      snd_pcm_close(handle)
      return .failure("cannot capture \(sampleRate) Hz mono 16-bit: \(alsaMessage(err))")
    }
    return .success(handle)
  }

  static func alsaMessage(_ code: Int32) -> String {
    guard let text = snd_strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }

  /// Fills `buffer` with the next samples, blocking until it is full, the stream ends or
  /// a signal interrupts the wait. Returns the number of samples read (fewer than asked
  /// only when interrupted). An overrun is recovered and counted in `overruns`; the
  /// samples ALSA dropped are gone, and the stream carries on after the gap.
  public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(CaptureError) -> Int {
    guard let pcm else { throw CaptureError(device: device, problem: "the device is closed", available: []) }
    var filled = 0
    while filled < buffer.count {
      let want = min(buffer.count - filled, periodSamples)
      let n = snd_pcm_readi(pcm, buffer.baseAddress! + filled, snd_pcm_uframes_t(want))
      if n > 0 {
        filled += Int(n)
        continue
      }
      let code = Int32(n)
      if code == -EINTR { return filled }
      if code == -EPIPE || code == -ESTRPIPE {
        overruns += 1
        let recovered = snd_pcm_recover(pcm, code, 1)
        if recovered >= 0 { continue }
        throw CaptureError(device: device, problem: "cannot recover from an overrun: \(AudioCapture.alsaMessage(recovered))", available: [])
      }
      if n == 0 { return filled }
      throw CaptureError(device: device, problem: "read failed: \(AudioCapture.alsaMessage(code))", available: [])
    }
    return filled
  }

  public func close() {
    if let pcm { snd_pcm_close(pcm) }
    pcm = nil
  }

  /// Makes ALSA read its configuration again (after `ALSA_CONFIG_PATH` changed).
  public static func reloadConfiguration() {
    snd_config_update_free_global()
  }

  /// The PCM devices that can capture, as ALSA's name hints list them.
  public static func captureDevices() -> [CaptureDevice] {
    var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    guard snd_device_name_hint(-1, "pcm", &hints) >= 0, let hints else { return [] }
    defer { snd_device_name_free_hint(hints) }
    var devices: [CaptureDevice] = []
    var i = 0
    while let hint = hints[i] {
      i += 1
      func field(_ id: String) -> String? {
        guard let value = snd_device_name_get_hint(hint, id) else { return nil }
        defer { free(value) }
        return String(cString: value)
      }
      // IOID is absent for devices that do both directions.
      if let io = field("IOID"), io != "Input" { continue }
      guard let name = field("NAME"), name != "null" else { continue }
      let description = (field("DESC") ?? "").split(separator: "\n").joined(separator: ", ")
      devices.append(CaptureDevice(name: name, description: description))
    }
    return devices
  }
}
