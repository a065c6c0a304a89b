// Stage 1 of the microfrontend: gather samples into overlapping windows and apply a
// Hann window in Q12 (TFLM window.c / window_util.c semantics).
import FixedPoint

/// Streaming framer + Hann window.
///
/// Collects `size` samples, then emits `coefficient * sample >> 12` for each and shifts
/// the buffer down by `step`. With the microWakeWord setup (480 / 160 samples) the first
/// frame is ready after 480 samples, then one per 160 more:
///
///     var window = MicroWindow(size: 480, step: 160)
///     // consume(...) returns ready == true at samples 480, 640, 800, ...
public struct MicroWindow {
  /// Fraction bits of the window coefficients: Q12 (4096 = 1.0).
  public static let coefficientBits = 12
  /// Smallest window accepted: the FFT needs at least 64 points.
  public static let minimumSize = 33
  /// Largest window accepted (128 ms at 16 kHz). Up to here the Q12 coefficients are
  /// checked equal to glibc-cosf-built ones for every size; above it, 5 sizes between
  /// 2379 and 3638 samples differ in one coefficient (glibc's cosf is not correctly
  /// rounded, ours is).
  public static let maximumSize = 2048

  /// Window length in samples.
  public let size: Int
  /// Hop in samples.
  public let step: Int
  /// Hann window in Q12: floor(4096 * (0.5 - 0.5 cos(2 pi (i + 1/2) / size)) + 1/2),
  /// computed in Float as the C does (symmetric, never exactly 0 at the ends).
  public let coefficients: [Int16]

  /// The samples gathered so far, as a ring: `filled` samples starting at `oldest`
  /// (wrapping). A ring instead of the C's shift-down buffer: stepping moves no data.
  var ring: [Int16]
  var oldest = 0
  var filled = 0
  /// The last windowed frame, and the largest |value| in it (for the FFT's scaling).
  public private(set) var output: [Int16]
  public private(set) var maxAbsOutput: Int16 = 0

  public init(size: Int, step: Int) {
    precondition(size >= 1 && step >= 1 && step <= size, "MicroWindow: need 1 <= step <= size")
    self.size = size
    self.step = step
    // All Float, like the C: (float)M_PI (the nearest float to pi, not Float.pi which is
    // rounded toward zero), cosf, and floorf(v * 4096 + 0.5f).
    let pi = Float(Double.pi)
    let arg = pi * 2 / Float(size)
    let scale = Float(1 << Self.coefficientBits)
    var coefficients = [Int16](repeating: 0, count: size)
    for i in 0..<size {
      let value = 0.5 - 0.5 * TableMath.cos(arg * (Float(i) + 0.5))
      coefficients[i] = Int16(TableMath.floor(value * scale + 0.5))
    }
    self.coefficients = coefficients
    ring = [Int16](repeating: 0, count: size)
    output = [Int16](repeating: 0, count: size)
  }

  /// Takes samples from `samples[start...]` until the window is full or the samples run
  /// out. Returns how many it took and whether a windowed frame is now in `output`
  /// (the window has then already moved on by `step`).
  public mutating func consume(_ samples: UnsafeBufferPointer<Int16>, from start: Int) -> (
    taken: Int, frameReady: Bool
  ) {
    let taken = min(size - filled, samples.count - start)
    if taken > 0 {
      let size = size
      var write = oldest + filled
      if write >= size { write -= size }
      let first = min(taken, size - write)  // up to the end of the ring, then from 0
      ring.withUnsafeMutableBufferPointer { ring in
        let source = samples.baseAddress! + start
        (ring.baseAddress! + write).update(from: source, count: first)
        if taken > first { ring.baseAddress!.update(from: source + first, count: taken - first) }
      }
      filled += taken
    }
    guard filled == size else { return (taken, false) }
    applyWindowAndAdvance()
    return (taken, true)
  }

  /// Windows the full ring into `output` (oldest sample first), then drops the oldest
  /// `step` samples.
  mutating func applyWindowAndAdvance() {
    let size = size
    let oldest = oldest
    var maxAbs: Int16 = 0
    coefficients.withUnsafeBufferPointer { coefficients in
      ring.withUnsafeBufferPointer { ring in
        output.withUnsafeMutableBufferPointer { output in
          // Two runs: ring[oldest..<size] -> output[0...], then ring[0..<oldest].
          let tail = size - oldest
          Self.window(
            ring.baseAddress! + oldest, coefficients.baseAddress!, output.baseAddress!, count: tail,
            maxAbs: &maxAbs)
          Self.window(
            ring.baseAddress!, coefficients.baseAddress! + tail, output.baseAddress! + tail,
            count: oldest, maxAbs: &maxAbs)
        }
      }
    }
    maxAbsOutput = maxAbs
    self.oldest = oldest + step >= size ? oldest + step - size : oldest + step
    filled -= step
  }

  /// `output[i] = input[i] * coefficients[i] >> 12`, tracking the largest |output|.
  @inline(__always)
  static func window(
    _ input: UnsafePointer<Int16>, _ coefficients: UnsafePointer<Int16>,
    _ output: UnsafeMutablePointer<Int16>, count: Int, maxAbs: inout Int16
  ) {
    var largest = maxAbs
    for i in 0..<count {
      // Q0 * Q12 >> 12; the C stores into int16, so a 4096 coefficient on -32768
      // stays -32768.
      let value = Int16(truncatingIfNeeded: (Int32(input[i]) &* Int32(coefficients[i])) >> 12)
      output[i] = value
      // The C negates in int16, so |-32768| wraps to -32768 and never raises the
      // maximum; keep that.
      let magnitude = value < 0 ? 0 &- value : value
      if magnitude > largest { largest = magnitude }
    }
    maxAbs = largest
  }

  /// Back to an empty window (as after init).
  public mutating func reset() {
    for i in 0..<size {
      ring[i] = 0
      output[i] = 0
    }
    oldest = 0
    filled = 0
    maxAbsOutput = 0
  }
}
