/// What turns one keyword's scores into detections, in the units a person sets them.
///
/// A detection fires when the mean of the last `smoothingWindow` scores is strictly
/// above `threshold` for `minimumCount` invocations in a row, outside the refractory
/// period of the previous detection. After a detection the score window is cleared
/// (as ESPHome does), so the next one needs `smoothingWindow` fresh scores.
public struct DetectionSettings: Equatable, Sendable {
  /// Probability in 0...1; the smoothed score must be strictly above it.
  public var threshold: Double
  /// Number of consecutive model invocations averaged (1 = no smoothing).
  public var smoothingWindow: Int
  /// Time after a detection during which the keyword cannot fire again, in ms.
  public var refractoryMs: Int
  /// Consecutive smoothed scores above the threshold needed to fire.
  public var minimumCount: Int

  public init(threshold: Double, smoothingWindow: Int = 1, refractoryMs: Int = 1000, minimumCount: Int = 1) {
    self.threshold = threshold
    self.smoothingWindow = smoothingWindow
    self.refractoryMs = refractoryMs
    self.minimumCount = minimumCount
  }
}

/// Streaming post-processing for one keyword, integer-only per invocation.
///
/// Scores arrive as the model's quantized output codes `q`, whose real value is
/// `(q - zeroPoint) * scale`. The window keeps the integer sum of `q - zeroPoint`;
/// the threshold is turned once, at init, into the smallest sum that fires, found
/// with the same double arithmetic a float implementation would use
/// (`Double(sum) * scale / Double(window) > threshold`). For microWakeWord outputs
/// (scale 1/256, zero point 0) this equals pymicro-wakeword's `statistics.mean` of the
/// dequantized probabilities compared with its cutoff, bit for bit.
///
///     var d = KeywordDetector(
///       settings: DetectionSettings(threshold: 0.85, smoothingWindow: 5, refractoryMs: 1000),
///       scoreScale: 1.0 / 256, scoreZeroPoint: 0, invocationMs: 30)
///     d.push(250)   // false: the window needs 5 scores first
public struct KeywordDetector {
  public let settings: DetectionSettings
  /// The smallest window sum of `q - zeroPoint` that counts as above the threshold.
  public let firingSum: Int32
  /// The refractory period in invocations (rounded up).
  public let refractoryInvocations: Int

  /// The smoothed score (0...1) of the last detection, for reports.
  public private(set) var lastFiredScore: Double = 0

  private let zeroPoint: Int32
  private let scale: Double
  private var ring: [Int32]
  private var head = 0
  private var filled = 0
  private var sum: Int32 = 0
  private var aboveInARow = 0
  private var refractoryLeft = 0

  /// - Parameters:
  ///   - scoreScale, scoreZeroPoint: the quantization of the score codes.
  ///   - scoreRange: the codes the output type can hold (-128...127 for int8, 0...255 for uint8).
  ///   - invocationMs: stream time between two invocations, for the refractory period.
  public init(
    settings: DetectionSettings, scoreScale: Double, scoreZeroPoint: Int32,
    scoreRange: ClosedRange<Int32> = 0...255, invocationMs: Double
  ) {
    precondition(settings.smoothingWindow >= 1 && settings.minimumCount >= 1)
    precondition(invocationMs > 0)
    self.settings = settings
    self.zeroPoint = scoreZeroPoint
    self.scale = scoreScale
    ring = Array(repeating: 0, count: settings.smoothingWindow)
    let n = Int32(settings.smoothingWindow)
    // The window sum is monotonic in the codes, so binary search the firing boundary.
    var low = n * (scoreRange.lowerBound - scoreZeroPoint)
    var high = n * (scoreRange.upperBound - scoreZeroPoint) + 1  // "never fires"
    func fires(_ s: Int32) -> Bool {
      Double(s) * scoreScale / Double(n) > settings.threshold
    }
    while low < high {
      let mid = low + (high - low) / 2
      if fires(mid) { high = mid } else { low = mid + 1 }
    }
    firingSum = low
    let invocations = Double(settings.refractoryMs) / invocationMs
    var rounded = Int(invocations)
    if Double(rounded) < invocations { rounded += 1 }
    refractoryInvocations = rounded
  }

  /// The mean of the current window as a probability (0 until the window is full),
  /// for reports; detection itself never uses floats.
  public var smoothedScore: Double {
    filled < ring.count ? 0 : Double(sum) * scale / Double(ring.count)
  }

  /// Adds one invocation's score code; returns true when the keyword fires.
  public mutating func push(_ code: Int32) -> Bool {
    let value = code - zeroPoint
    if filled == ring.count {
      sum -= ring[head]
    } else {
      filled += 1
    }
    ring[head] = value
    sum += value
    head += 1
    if head == ring.count { head = 0 }

    if refractoryLeft > 0 { refractoryLeft -= 1 }
    guard filled == ring.count, sum >= firingSum else {
      aboveInARow = 0
      return false
    }
    aboveInARow += 1
    guard aboveInARow >= settings.minimumCount, refractoryLeft == 0 else { return false }
    lastFiredScore = Double(sum) * scale / Double(ring.count)
    clearWindow()
    refractoryLeft = refractoryInvocations
    return true
  }

  /// Forgets all scores and the refractory period (a new stream).
  public mutating func reset() {
    clearWindow()
    refractoryLeft = 0
  }

  private mutating func clearWindow() {
    for i in 0..<ring.count { ring[i] = 0 }
    head = 0
    filled = 0
    sum = 0
    aboveInARow = 0
  }
}
