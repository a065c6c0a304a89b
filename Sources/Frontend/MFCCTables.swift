// MFCC tables: the float work done once at init (window, twiddles, mel weights, DCT, log2
// table). The embedded core has no libm: logs come from FixedPoint's TableMath, and the
// cosines of rational angles and a square root are here. Nothing in this file runs per
// frame.
import FixedPoint

/// Double-precision helpers for table building (accurate to a few ulp,
/// far below the Q15/Q30 quantization of every table built from them).
enum MFCCMath {
  static let ln2 = 0.693_147_180_559_945_309_417_232_121_458

  /// cos(2 pi * numerator / denominator), with the angle reduced exactly in integers
  /// and by symmetry to [0, pi/4] before a Taylor series.
  ///
  ///     MFCCMath.cosTurns(1, 4)   // cos(pi/2) = 0
  static func cosTurns(_ numerator: Int, _ denominator: Int) -> Double {
    precondition(denominator > 0)
    var r = numerator % denominator
    if r < 0 { r += denominator }
    // Work in units of 1/(8 * denominator) turn so every symmetry point is an integer.
    let full = 8 * denominator
    var x = 8 * r  // in [0, full)
    if x > full / 2 { x = full - x }  // cos(2 pi (1 - t)) = cos(2 pi t)
    var sign = 1.0
    if x > full / 4 {  // cos(2 pi (1/2 - t)) = -cos(2 pi t)
      x = full / 2 - x
      sign = -1
    }
    if x > full / 8 {  // cos(2 pi t) = sin(2 pi (1/4 - t))
      return sign * sinSmall(2 * Double.pi * Double(full / 4 - x) / Double(full))
    }
    return sign * cosSmall(2 * Double.pi * Double(x) / Double(full))
  }

  /// sin(2 pi * numerator / denominator) = cos(2 pi (4 numerator - denominator) / (4 denominator)).
  static func sinTurns(_ numerator: Int, _ denominator: Int) -> Double {
    cosTurns(4 * numerator - denominator, 4 * denominator)
  }

  /// Taylor series for |x| <= pi/4: terms fall below 1e-17 after 11 of them.
  private static func cosSmall(_ x: Double) -> Double {
    var term = 1.0
    var sum = 1.0
    for i in stride(from: 2, through: 26, by: 2) {
      term *= -x * x / Double((i - 1) * i)
      sum += term
    }
    return sum
  }

  private static func sinSmall(_ x: Double) -> Double {
    var term = x
    var sum = x
    for i in stride(from: 3, through: 27, by: 2) {
      term *= -x * x / Double((i - 1) * i)
      sum += term
    }
    return sum
  }

  /// Square root for x >= 0 by Newton's method from a power-of-two start (Double's own
  /// squareRoot() becomes a libm `sqrtl` call on the Cortex-M4 target, which has none).
  static func squareRoot(_ x: Double) -> Double {
    precondition(x >= 0 && x.isFinite)
    if x == 0 { return 0 }
    // 2^(e/2) is within a factor 2 of the root; Newton doubles the correct bits each step.
    var r = Double(sign: .plus, exponent: x.exponent / 2, significand: 1)
    for _ in 0..<8 { r = 0.5 * (r + x / r) }
    return r
  }

  /// Round half away from zero, as an Int64 (no libm `round` in the embedded core; Int64
  /// because Int is 32 bits on the Cortex-M4).
  static func roundToInt(_ x: Double) -> Int64 {
    x >= 0 ? Int64(x + 0.5) : -Int64(-x + 0.5)
  }

  /// TensorFlow's float32 HTK mel, 1127 ln(1 + f/700), each operation rounded to Float as
  /// TF does (the log correctly rounded).
  static func hertzToMelFloat32(_ hertz: Float) -> Float {
    let inner = Float(1) + hertz / Float(700)
    return Float(1127) * Float(TableMath.log(Double(inner)))
  }

  /// tf.linspace in float32: start + i * step, step = (stop - start) / (count - 1), the
  /// last point exactly stop.
  static func linspaceFloat32(_ start: Float, _ stop: Float, _ count: Int) -> [Float] {
    let step = (stop - start) / Float(count - 1)
    var out = [Float](repeating: 0, count: count)
    for i in 0..<count { out[i] = start + Float(i) * step }
    out[count - 1] = stop
    return out
  }
}

/// The sparse mel filterbank: for band j, weights for FFT bins firstBin[j] ..< firstBin[j] +
/// binCount[j], stored from weightStart[j] in `weights`.
struct MFCCMelBands {
  /// Q-format of the mel weights: 1.0 = 2^15 (a weight of exactly 1 is 32768, hence UInt16).
  static let weightFractionBits = 15

  var firstBin: [Int]
  var binCount: [Int]
  var weightStart: [Int]
  var weights: [UInt16]
  /// The lowest and highest FFT bin any band uses (the FFT only computes these).
  var lowestBin: Int
  var highestBin: Int

  /// TensorFlow's `linear_to_mel_weight_matrix` (float32, as TF computes it), quantized
  /// to Q15 by rounding.
  init(config: MFCCConfig) throws(MFCCError) {
    let bins = config.fftLength / 2 + 1
    let nyquist = Float(config.sampleRate) / 2
    let linear = MFCCMath.linspaceFloat32(0, nyquist, bins)
    let edges = MFCCMath.linspaceFloat32(
      MFCCMath.hertzToMelFloat32(Float(config.lowerEdgeHertz)),
      MFCCMath.hertzToMelFloat32(Float(config.upperEdgeHertz)), config.melBinCount + 2)
    // The mel of every bin, DC excluded (HTK; TF zeroes row 0).
    var binMel = [Float](repeating: 0, count: bins)
    for k in 1..<bins { binMel[k] = MFCCMath.hertzToMelFloat32(linear[k]) }

    firstBin = []
    binCount = []
    weightStart = []
    weights = []
    lowestBin = bins
    highestBin = 0
    let one = Float(1 << Self.weightFractionBits)
    for j in 0..<config.melBinCount {
      var first = -1
      var last = -1
      var bandWeights: [UInt16] = []
      for k in 1..<bins {
        let lower = (binMel[k] - edges[j]) / (edges[j + 1] - edges[j])
        let upper = (edges[j + 2] - binMel[k]) / (edges[j + 2] - edges[j + 1])
        let w = max(0, min(lower, upper))
        let q = UInt16(MFCCMath.roundToInt(Double(w * one)))
        guard q > 0 else { continue }
        if first < 0 { first = k }
        // Bins between first and last with a zero weight cannot occur for a triangle.
        last = k
        bandWeights.append(q)
      }
      guard first >= 0 else { throw MFCCError.emptyMelBand(band: j) }
      firstBin.append(first)
      binCount.append(last - first + 1)
      weightStart.append(weights.count)
      weights += bandWeights
      lowestBin = min(lowestBin, first)
      highestBin = max(highestBin, last)
    }
  }
}

/// The DCT-II of tf.signal.mfccs_from_log_mel_spectrograms, `sqrt(2/N) cos(pi k (2n+1) / 2N)`,
/// as Q28 Int32, row-major [coefficient][band].
enum MFCCDCTTable {
  /// Q-format of the DCT coefficients: 1.0 = 2^28. Q15 was tried first: its rounding is a
  /// fixed error per coefficient that the 40 log-mel values (up to ~20 each for loud
  /// audio) multiply, 2.2e-3 max on loud speech (SNR 93 dB); Q28 gives 5e-4 (113 dB) at
  /// the same cost (one 32x32->64 multiply-accumulate either way). Bound: |entry| <= 0.224
  /// * 2^28 and |ln mel| < 45 (Q24) keep 40 products below 2^61.
  static let fractionBits = 28

  static func build(melBinCount n: Int, coefficientCount: Int) -> [Int32] {
    let scale = MFCCMath.squareRoot(2.0 / Double(n)) * Double(1 << fractionBits)
    var table = [Int32](repeating: 0, count: coefficientCount * n)
    for k in 0..<coefficientCount {
      for i in 0..<n {
        // cos(pi k (2i+1) / 2n) = cos(2 pi * k (2i+1) / 4n)
        table[k * n + i] = Int32(
          MFCCMath.roundToInt(scale * MFCCMath.cosTurns(k * (2 * i + 1), 4 * n)))
      }
    }
    return table
  }
}
