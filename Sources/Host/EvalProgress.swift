// A one-line progress bar on stderr with rate and ETA, drawn only when stderr is a
// terminal (quiet when piped or redirected), redrawn at most every 100 ms.
import Foundation

public final class EvalProgress: @unchecked Sendable {
  let total: Int
  let label: String
  let enabled: Bool
  let start = Date()
  var lastDraw = Date.distantPast
  let lock = NSLock()

  public init(total: Int, label: String, enabled: Bool = isatty(2) != 0) {
    self.total = total
    self.label = label
    self.enabled = enabled && total > 0
  }

  /// Reports `done` items finished (any thread).
  public func update(_ done: Int) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard done == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    FileHandle.standardError.write(
      Data(
        Self.line(label: label, done: done, total: total, seconds: now.timeIntervalSince(start))
          .utf8))
    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  /// `\r` + "clips [######------]  120/400  35.2/s  ETA 8s".
  public static func line(label: String, done: Int, total: Int, seconds: Double) -> String {
    let width = 30
    let filled = total == 0 ? width : done * width / total
    let rate = seconds > 0 ? Double(done) / seconds : 0
    let eta = rate > 0 ? Int((Double(total - done) / rate).rounded(.up)) : 0
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    return "\r\(label) [\(bar)] \(done)/\(total)  \(String(format: "%.1f", rate))/s  ETA \(eta)s "
  }
}
