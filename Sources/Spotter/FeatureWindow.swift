/// The last `frameCount` quantized feature frames of a stream, oldest first on copy-out.
///
/// A classifier model (for example a DS-CNN over 49 frames = 1 s) looks at a sliding
/// window of frames; the ring keeps them without moving memory per frame and writes
/// them in time order into the model's input tensor when it is time to invoke.
///
///     var w = FeatureWindow(frameCount: 49, featureCount: 10)
///     w.push(frame)          // 10 int8 values
///     w.isFull               // after 49 pushes
///     w.copy(into: input)    // 490 bytes, oldest frame first
public struct FeatureWindow {
  public let frameCount: Int
  public let featureCount: Int
  /// Frames pushed since the last reset (saturates at `frameCount`).
  public private(set) var filled = 0
  private var storage: [Int8]
  private var head = 0  // index of the oldest frame once full

  public init(frameCount: Int, featureCount: Int) {
    precondition(frameCount >= 1 && featureCount >= 1)
    self.frameCount = frameCount
    self.featureCount = featureCount
    storage = Array(repeating: 0, count: frameCount * featureCount)
  }

  public var isFull: Bool { filled == frameCount }

  /// Appends one frame of `featureCount` values, dropping the oldest when full.
  public mutating func push(_ frame: UnsafeBufferPointer<Int8>) {
    precondition(frame.count == featureCount)
    let slot = filled < frameCount ? filled : head
    storage.withUnsafeMutableBufferPointer { s in
      let base = s.baseAddress! + slot * featureCount
      base.update(from: frame.baseAddress!, count: featureCount)
    }
    if filled < frameCount {
      filled += 1
    } else {
      head = head + 1 == frameCount ? 0 : head + 1
    }
  }

  /// Writes the window, oldest frame first, into `destination`
  /// (`frameCount * featureCount` bytes).
  public func copy(into destination: UnsafeMutablePointer<Int8>) {
    storage.withUnsafeBufferPointer { s in
      let tail = (frameCount - head) * featureCount
      destination.update(from: s.baseAddress! + head * featureCount, count: tail)
      destination.advanced(by: tail).update(from: s.baseAddress!, count: head * featureCount)
    }
  }

  public mutating func reset() {
    filled = 0
    head = 0
  }
}
