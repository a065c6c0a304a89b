// `kws listen`: spot keywords live on an ALSA capture device.
//
// The capture loop reads ALSA periods, feeds the spotter the same way `kws detect` feeds
// it a file, and prints each detection as it happens. A terminal also gets a live input
// level meter on stderr. Ctrl-C / SIGTERM end the run cleanly (the current read
// returns, files are closed); overruns are recovered and reported, never fatal.
import ArgumentParser
import Foundation
import Host
import Spotter
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Set by SIGINT / SIGTERM; the capture loop checks it after every read.
private let stopRequested = Atomic<Bool>(false)

struct ListenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "listen",
    abstract: "Spot keywords live on a microphone (ALSA).",
    discussion: """
      Opens the capture device as 16 kHz mono 16-bit (ALSA converts and resamples from \
      the device's native format where needed) and prints each detection as it happens. \
      Ctrl-C or SIGTERM stops.

      Examples:
        kws listen
        kws listen --device plughw:1,0 --model okay_nabu.json --json
        kws listen --save clips/            # the audio around each detection, as WAV
        kws listen --list-devices
      """)

  @Option(help: "ALSA capture device.")
  var device = "default"

  @OptionGroup var models: ModelOptions

  @Flag(help: "One JSON object per detection (JSON lines).")
  var json = false

  @Flag(help: "List the capture devices and exit.")
  var listDevices = false

  @Option(help: "Write the audio around each detection into this folder as WAV clips.")
  var save: String?

  @Flag(help: "With --save, also record the whole session to one WAV file.")
  var saveAll = false

  @Option(help: "Seconds of audio kept before a detection in saved clips.")
  var before = 1.5

  @Option(help: "Seconds of audio after a detection in saved clips.")
  var after = 0.5

  @Option(help: "Stop after this many seconds of audio (default: run until Ctrl-C).")
  var duration: Double?

  @Flag(help: "No level meter, even on a terminal.")
  var quiet = false

  func validate() throws {
    if saveAll && save == nil { throw ValidationError("--save-all needs --save DIR") }
    if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
    if before < 0 || after < 0 { throw ValidationError("--before and --after must not be negative") }
  }

  func run() throws {
    if listDevices {
      let devices = AudioCapture.captureDevices()
      if devices.isEmpty { print("no capture devices found") }
      for d in devices { print(d.description.isEmpty ? d.name : "\(d.name)\t\(d.description)") }
      return
    }
    let session = try models.session()
    let capture: AudioCapture
    do {
      capture = try AudioCapture(device: device)
    } catch {
      throw CommandFailure(error.description)
    }
    var saver: DetectionClipSaver? = nil
    if let save {
      saver = try DetectionClipSaver(
        folder: save, beforeSamples: Int(before * 16000), afterSamples: Int(after * 16000), recordAll: saveAll)
    }
    installStopHandlers()
    let meter = LevelMeter(enabled: !quiet && isatty(STDERR_FILENO) != 0)
    let limit = duration.map { Int($0 * 16000) }
    let spotter = session.spotter
    spotter.reset()
    var buffer = [Int16](repeating: 0, count: max(capture.periodSamples, 160))
    var position = 0
    var overrunsSeen = 0
    FileHandle.standardError.write(
      Data("kws listen: \(device), \(session.manifests.map(\.name).joined(separator: ", ")); Ctrl-C stops\n".utf8))
    while !stopRequested.load(ordering: .relaxed) {
      var want = buffer.count
      if let limit { want = min(want, limit - position) }
      if want <= 0 { break }
      let n: Int
      do {
        n = try buffer.withUnsafeMutableBufferPointer { b in
          try capture.read(into: UnsafeMutableBufferPointer(rebasing: b[0..<want]))
        }
      } catch {
        meter.clear()
        throw CommandFailure("\(error)")
      }
      if capture.overruns > overrunsSeen {
        overrunsSeen = capture.overruns
        meter.clear()
        FileHandle.standardError.write(Data("kws listen: overrun \(overrunsSeen) (audio dropped, recovered)\n".utf8))
      }
      guard n > 0 else { continue }
      try buffer.withUnsafeBufferPointer { all in
        let chunk = UnsafeBufferPointer(rebasing: all[0..<n])
        try saver?.append(chunk)
        try spotter.process(chunk) { event in
          guard case .detection(let d) = event else { return }
          meter.clear()
          let record = DetectionRecord(file: device, session: session, detection: d)
          let clock = ISO8601DateFormatter().string(from: Date())
          if json {
            print(record.json.dropLast() + ",\"time\":\"\(clock)\"}")
          } else {
            print("\(clock)\t\(record.keyword)\t\(String(format: "%.2f s", record.end))\tscore \(String(format: "%.3f", record.score))\t(\(record.model))")
          }
          fflush(nil)  // each detection shows at once, even through a pipe
          saver?.mark(detection: d, keyword: record.keyword)
        }
        meter.show(chunk)
      }
      position += n
    }
    meter.clear()
    try saver?.finish()
    capture.close()
    if overrunsSeen > 0 {
      FileHandle.standardError.write(Data("kws listen: \(overrunsSeen) overrun(s) during the session\n".utf8))
    }
  }

  private func installStopHandlers() {
    // No SA_RESTART: a blocked ALSA read returns at once with what it has.
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in stopRequested.store(true, ordering: .relaxed) }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
    sigaction(SIGTERM, &action, nil)
  }
}

/// A one-line input level meter (dBFS, RMS of the last chunk) redrawn in place on stderr.
final class LevelMeter {
  let enabled: Bool
  private var drawn = false
  private var lastDraw = 0.0

  init(enabled: Bool) { self.enabled = enabled }

  func show(_ samples: UnsafeBufferPointer<Int16>) {
    guard enabled, !samples.isEmpty else { return }
    let now = Date().timeIntervalSince1970
    guard now - lastDraw >= 0.1 else { return }
    lastDraw = now
    var sum = 0.0
    for s in samples { sum += Double(s) * Double(s) }
    let rms = (sum / Double(samples.count)).squareRoot() / 32768
    let db = rms > 0 ? max(-90, 20 * log10(rms)) : -90
    let width = 40
    let filled = Int((db + 90) / 90 * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    FileHandle.standardError.write(Data("\r[\(bar)] \(String(format: "%6.1f", db)) dBFS ".utf8))
    drawn = true
  }

  func clear() {
    guard drawn else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    drawn = false
  }
}

/// `--save`: keeps the last seconds of audio in memory and writes a WAV clip around each
/// detection (`before` seconds ahead of its end, `after` seconds past it); with
/// `--save-all` also the whole session.
final class DetectionClipSaver {
  let folder: URL
  let beforeSamples: Int
  let afterSamples: Int
  private var history: [Int16] = []
  private var position = 0  // stream samples seen
  private var pending: [(name: String, start: Int, end: Int)] = []
  private var whole: WAVWriter?

  init(folder: String, beforeSamples: Int, afterSamples: Int, recordAll: Bool) throws {
    self.folder = URL(fileURLWithPath: folder)
    self.beforeSamples = beforeSamples
    self.afterSamples = afterSamples
    do {
      try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
    } catch {
      throw CommandFailure("--save \(folder): cannot create the folder (\(error.localizedDescription))")
    }
    if recordAll {
      do {
        whole = try WAVWriter(path: self.folder.appendingPathComponent("session-\(Self.stamp()).wav").path)
      } catch {
        throw CommandFailure(error.description)
      }
    }
  }

  static func stamp() -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    return f.string(from: Date())
  }

  func append(_ samples: UnsafeBufferPointer<Int16>) throws {
    do { try whole?.append(samples) } catch { throw CommandFailure(error.description) }
    history.append(contentsOf: samples)
    position += samples.count
    try flushReady()
    // Keep what a clip may still need: `before` + `after` seconds, plus slack.
    let keep = beforeSamples + afterSamples + 16000
    if history.count > 2 * keep { history.removeFirst(history.count - keep) }
  }

  func mark(detection: Detection, keyword: String) {
    let safe = keyword.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
    let name = "\(Self.stamp())-\(String(safe))-\(detection.endSample).wav"
    pending.append((name, max(0, detection.endSample - beforeSamples), detection.endSample + afterSamples))
  }

  private func flushReady(force: Bool = false) throws {
    let historyStart = position - history.count
    var kept: [(name: String, start: Int, end: Int)] = []
    for clip in pending {
      guard force || clip.end <= position else {
        kept.append(clip)
        continue
      }
      let from = max(clip.start, historyStart) - historyStart
      let to = min(clip.end, position) - historyStart
      do {
        let writer = try WAVWriter(path: folder.appendingPathComponent(clip.name).path)
        try writer.append(Array(history[from..<to]))
        try writer.close()
      } catch {
        throw CommandFailure(error.description)
      }
    }
    pending = kept
  }

  func finish() throws {
    try flushReady(force: true)
    do { try whole?.close() } catch { throw CommandFailure(error.description) }
  }
}
