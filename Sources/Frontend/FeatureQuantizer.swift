// FeatureQuantizer: front-end feature codes -> a model's int8 input, exactly as the float
// reference computes it, without float per value.
//
// The reference (numpy in pymicro-wakeword, the MLPerf/TFLite converters) computes
//   q = round_half_to_even(real / scale + zeroPoint), real = code * codeUnit,
// in double, with `scale` a float32 widened to double, then clamps to int8 (pymicro-wakeword
// forgets to clamp: its astype(int8) wraps). That map is monotonic in the code (each step
// is a correctly rounded, monotonic operation), so it is fully described by the 255 codes
// where the output steps up. They are found once at init on the very same double
// expression (checked around an estimate, bisection where that misses); per value a
// binary search over them (8 comparisons) gives the exact same int8, integer-only.

/// Exact int8 quantization of integer feature codes.
///
///     // microfrontend: uint16 codes, real = v * 0.0390625, scale float32(26/255), zp -128
///     let q = try FeatureQuantizer(scale: 0.101960786, zeroPoint: -128, codeUnit: 0.0390625)
///     q.quantize(100)     // round(3.90625 / 0.10196078568696976 - 128) = -90
///     // MFCC: Int32 Q16 codes, real = code / 65536
///     let m = try FeatureQuantizer(scale: 0.5847029, zeroPoint: 83, codeUnit: 1.0 / 65536)
public struct FeatureQuantizer: Sendable {
  public enum Error: Swift.Error, Equatable {
    /// scale must be positive and finite, codeUnit positive and finite, zeroPoint in -128...127.
    case badParameters(scale: Float, zeroPoint: Int32, codeUnit: Double)
  }

  public let scale: Float
  public let zeroPoint: Int32
  public let codeUnit: Double
  /// thresholds[i] = the smallest code whose output is >= -127 + i (Int64 so that "no code
  /// reaches this level" can be Int32.max + 1). Non-decreasing.
  private let thresholds: [Int64]

  public init(scale: Float, zeroPoint: Int32, codeUnit: Double) throws(Error) {
    guard scale > 0, scale.isFinite, codeUnit > 0, codeUnit.isFinite, zeroPoint >= -128,
      zeroPoint <= 127
    else {
      throw Error.badParameters(scale: scale, zeroPoint: zeroPoint, codeUnit: codeUnit)
    }
    self.scale = scale
    self.zeroPoint = zeroPoint
    self.codeUnit = codeUnit
    let reaches = { (code: Int64, level: Double) -> Bool in
      Self.reference(code: code, scale: scale, zeroPoint: zeroPoint, codeUnit: codeUnit) >= level
    }
    let lowest = Int64(Int32.min)
    let beyond = Int64(Int32.max) + 1
    var t = [Int64](repeating: 0, count: 255)
    for i in 0..<255 {
      let level = Double(-127 + i)
      // The step is near (level - 1/2 - zeroPoint) * scale / codeUnit: try the few codes
      // around that first (a step is a code that reaches the level while the one below
      // does not; by monotonicity there is exactly one), and bisect only if none is it.
      let estimate = (level - 0.5 - Double(zeroPoint)) * Double(scale) / codeUnit
      var step: Int64? = nil
      if estimate > Double(lowest + 4) && estimate < Double(beyond - 4) {
        let center = Int64(estimate)
        for code in (center - 2)...(center + 3)
        where reaches(code, level) && !reaches(code - 1, level) {
          step = code
          break
        }
      }
      if let step {
        t[i] = step
        continue
      }
      // Smallest code in [Int32.min, Int32.max + 1] that reaches the level.
      var low = lowest
      var high = beyond
      while low < high {
        let mid = low + (high - low) / 2
        if reaches(mid, level) { high = mid } else { low = mid + 1 }
      }
      t[i] = low
    }
    thresholds = t
  }

  /// The float expression being reproduced, unclamped:
  /// `(Double(code) * codeUnit / Double(scale) + Double(zeroPoint)).rounded(.toNearestOrEven)`.
  public static func reference(code: Int64, scale: Float, zeroPoint: Int32, codeUnit: Double)
    -> Double
  {
    roundHalfToEven(Double(code) * codeUnit / Double(scale) + Double(zeroPoint))
  }

  /// numpy's round (ties to even), by hand: `rounded(.toNearestOrEven)` is a libm call
  /// (`rint`) that the Cortex-M4 firmware does not have.
  static func roundHalfToEven(_ v: Double) -> Double {
    // From 2^52 on every double is an integer (and Int64 would not hold all of them).
    guard v.magnitude < 4_503_599_627_370_496 else { return v }
    let whole = Int64(v)  // toward zero, exact
    let fraction = (v - Double(whole)).magnitude  // exact for |v| < 2^52
    let away: Int64 = v < 0 ? -1 : 1
    if fraction > 0.5 || (fraction == 0.5 && whole & 1 != 0) { return Double(whole + away) }
    return Double(whole)
  }

  /// The int8 for one code: the number of thresholds at or below it, from -128.
  @inline(__always)
  public func quantize(_ code: Int32) -> Int8 {
    let c = Int64(code)
    var low = 0
    var high = thresholds.count
    thresholds.withUnsafeBufferPointer { t in
      while low < high {
        let mid = (low + high) >> 1
        if t[mid] <= c { low = mid + 1 } else { high = mid }
      }
    }
    return Int8(-128 + low)
  }

  /// Quantizes the first min(codes.count, output.count) codes into `output`; returns how
  /// many it wrote.
  @discardableResult
  public func quantize(
    _ codes: UnsafeBufferPointer<Int32>, into output: UnsafeMutableBufferPointer<Int8>
  ) -> Int {
    let n = min(codes.count, output.count)
    for i in 0..<n { output[i] = quantize(codes[i]) }
    return n
  }

  /// Quantizes uint16 codes (the microfrontend's), as above.
  @discardableResult
  public func quantize(
    _ codes: UnsafeBufferPointer<UInt16>, into output: UnsafeMutableBufferPointer<Int8>
  ) -> Int {
    let n = min(codes.count, output.count)
    for i in 0..<n { output[i] = quantize(Int32(codes[i])) }
    return n
  }

  /// The 255 codes where the output steps up (for tests and inspection): element i is the
  /// smallest code quantized to -127 + i or more; Int32.max + 1 if none is.
  public var stepCodes: [Int64] { thresholds }
}
