// FloatMFCC: the MLPerf Tiny DS-CNN MFCC features with TensorFlow's semantics, in float,
// on FFTW. The ideal that the fixed-point `MFCCFrontend` approximates. Host only.
//
// Which precision where, and why: TensorFlow builds the Hann window and the mel weight
// matrix in float32, so those tables are built here in Float with the same operations in
// the same order (tf.linspace, HTK mel 1127 ln(1 + f/700), slopes, min/max). Everything per
// frame (FFT, magnitude, mel sum, log, DCT) is Double: the exact value TensorFlow's
// float32 arithmetic approximates. Tests/Reference/mfcc_ref.py is the independent numpy
// oracle for this file.
import Foundation
import Frontend

/// TensorFlow-exact MFCC in float (REFERENCE §1b).
///
///     let mfcc = FloatMFCC()
///     let x = try FloatMFCC.peakNormalized(clip)   // 16,000 int16 samples -> x / max(x)
///     let features = mfcc.mfcc(x)                  // 49 frames x 10, frame-major
///
/// The input is in whatever units the caller picks; the MLPerf model sees the clip divided
/// by its positive peak. For int16 samples taken as plain numbers (no 1/32768), the
/// features of `x / p` equal those of `x` with epsilon `1e-6 * p`, minus `sqrt(80) ln p` on c0.
public final class FloatMFCC {
  public static let sampleRate = 16_000
  /// 30 ms at 16 kHz.
  public static let frameLength = 480
  /// 20 ms at 16 kHz.
  public static let frameStep = 320
  /// Next power of two >= frameLength (tf.signal.stft's default).
  public static let fftLength = 512
  public static let binCount = fftLength / 2 + 1
  public static let melBinCount = 40
  public static let lowerEdgeHertz: Float = 20
  public static let upperEdgeHertz: Float = 4000
  public static let coefficientCount = 10

  /// The periodic Hann window as TensorFlow computes it in float32.
  public let window: [Float]
  /// TensorFlow's `linear_to_mel_weight_matrix(40, 257, 16000, 20, 4000)` in float32,
  /// row-major [binCount][melBinCount]; row 0 (DC) is zero.
  public let melMatrix: [Float]
  /// The offset inside `log(mel + epsilon)`, in the input's units.
  public let epsilon: Double
  private let fft = FloatRealFFT(length: FloatMFCC.fftLength)

  public init(epsilon: Double = 1e-6) {
    self.epsilon = epsilon
    window = Self.tensorFlowHannWindow(length: Self.frameLength)
    melMatrix = Self.tensorFlowMelMatrix(
      melBinCount: Self.melBinCount, binCount: Self.binCount, sampleRate: Float(Self.sampleRate),
      lowerEdgeHertz: Self.lowerEdgeHertz, upperEdgeHertz: Self.upperEdgeHertz)
  }

  /// tf.signal.stft without end padding: `1 + (count - 480) / 320` frames (49 for 1 s).
  public static func frameCount(sampleCount: Int) -> Int {
    sampleCount < frameLength ? 0 : 1 + (sampleCount - frameLength) / frameStep
  }

  /// `x / max(x)` for an int16 clip, as the MLPerf data pipeline does before the STFT.
  /// A clip whose maximum is zero or negative has no positive peak to divide by.
  public static func peakNormalized(_ samples: [Int16]) throws(MFCCError) -> [Double] {
    guard let peak = samples.max(), peak > 0 else {
      throw MFCCError.noPositivePeak(sampleCount: samples.count)
    }
    return samples.map { Double($0) / Double(peak) }
  }

  /// |STFT| per frame: frames x 257, frame-major.
  public func magnitudes(_ x: [Double]) -> [Double] {
    let frames = Self.frameCount(sampleCount: x.count)
    var out = [Double]()
    out.reserveCapacity(frames * Self.binCount)
    var frame = [Double](repeating: 0, count: Self.frameLength)
    for t in 0..<frames {
      for n in 0..<Self.frameLength { frame[n] = x[t * Self.frameStep + n] * Double(window[n]) }
      out += fft.magnitudes(of: frame)
    }
    return out
  }

  /// `log(|STFT| . melMatrix + epsilon)`: frames x 40, frame-major.
  public func logMel(_ x: [Double]) -> [Double] {
    let mags = magnitudes(x)
    let frames = mags.count / Self.binCount
    var out = [Double](repeating: 0, count: frames * Self.melBinCount)
    for t in 0..<frames {
      for j in 0..<Self.melBinCount {
        var sum = 0.0
        for k in 0..<Self.binCount {
          sum += mags[t * Self.binCount + k] * Double(melMatrix[k * Self.melBinCount + j])
        }
        out[t * Self.melBinCount + j] = Foundation.log(sum + epsilon)
      }
    }
    return out
  }

  /// `mfccs_from_log_mel_spectrograms(logMel)[..., :10]`: frames x 10, frame-major.
  public func mfcc(_ x: [Double]) -> [Double] {
    Self.dct(logMel: logMel(x))
  }

  /// The DCT-II of tf.signal.mfccs_from_log_mel_spectrograms, `2 sum_n x_n cos(pi k (2n+1) /
  /// 2N)` times `rsqrt(2N)` (i.e. sqrt(2/N) for every k), first 10 of N = 40.
  public static func dct(logMel: [Double]) -> [Double] {
    let n = melBinCount
    let frames = logMel.count / n
    var out = [Double](repeating: 0, count: frames * coefficientCount)
    let scale = 2.0 / (2.0 * Double(n)).squareRoot()
    for t in 0..<frames {
      for k in 0..<coefficientCount {
        var sum = 0.0
        for i in 0..<n {
          sum +=
            logMel[t * n + i] * Foundation.cos(Double.pi * Double(k * (2 * i + 1)) / Double(2 * n))
        }
        out[t * coefficientCount + k] = sum * scale
      }
    }
    return out
  }

  /// tf.signal.hann_window(length, periodic: true) in float32:
  /// `0.5 - 0.5 cos(float32(2 pi) * n / length)`, the cosine correctly rounded (TF's
  /// Eigen cosine is within 1 float32 ulp of it).
  public static func tensorFlowHannWindow(length: Int) -> [Float] {
    let twoPi = Float(2 * Double.pi)
    return (0..<length).map { n in
      let arg = twoPi * Float(n) / Float(length)
      return Float(0.5) - Float(0.5) * Float(Foundation.cos(Double(arg)))
    }
  }

  /// tf.linspace in float32: `start + i * step`, `step = (stop - start) / (num - 1)`, the
  /// last point set to `stop` exactly.
  public static func tensorFlowLinspace(_ start: Float, _ stop: Float, _ count: Int) -> [Float] {
    let step = (stop - start) / Float(count - 1)
    var out = (0..<count).map { start + Float($0) * step }
    out[count - 1] = stop
    return out
  }

  /// HTK mel in float32, `1127 ln(1 + f / 700)`, the log correctly rounded to float32
  /// (float64 log, then rounded; glibc's logf misses by an ulp at 20 Hz). TensorFlow's own
  /// float32 log (Eigen) is not correctly rounded either: against tensorflow-cpu 2.21, 29
  /// of the 257 bin mels differ by an ulp, its weights by up to 4.8e-6 (see mfcc_ref.py).
  public static func hertzToMel(_ hertz: Float) -> Float {
    let inner = Float(1) + hertz / Float(700)
    return Float(1127) * Float(Foundation.log(Double(inner)))
  }

  /// tf.signal.linear_to_mel_weight_matrix in float32, row-major [binCount][melBinCount].
  public static func tensorFlowMelMatrix(
    melBinCount: Int, binCount: Int, sampleRate: Float, lowerEdgeHertz: Float, upperEdgeHertz: Float
  ) -> [Float] {
    let nyquist = sampleRate / 2
    let linear = tensorFlowLinspace(0, nyquist, binCount)
    let edges = tensorFlowLinspace(
      hertzToMel(lowerEdgeHertz), hertzToMel(upperEdgeHertz), melBinCount + 2)
    var matrix = [Float](repeating: 0, count: binCount * melBinCount)
    // Row 0 is the DC bin, which HTK excludes (TF pads it back as zeros).
    for k in 1..<binCount {
      let mel = hertzToMel(linear[k])
      for j in 0..<melBinCount {
        let lower = (mel - edges[j]) / (edges[j + 1] - edges[j])
        let upper = (edges[j + 2] - mel) / (edges[j + 2] - edges[j + 1])
        matrix[k * melBinCount + j] = max(0, min(lower, upper))
      }
    }
    return matrix
  }
}
