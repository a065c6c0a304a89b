// Stage 3 of the microfrontend: power spectrum -> triangular mel channels -> square
// root (TFLM filterbank.c / filterbank_util.c semantics).
import FixedPoint

/// Mel filterbank over the int16 spectrum, with int64 accumulation and a rounded
/// integer square root per channel.
///
/// Bins are split into `channelCount + 1` consecutive bands by mel centre; each bin's
/// energy goes into its own band's channel with weight `w` and into the next
/// channel with `1 - w` (both Q12), so channel `c` is the triangle spanning bands
/// `c` and `c + 1`. With the microWakeWord setup (512-point FFT, 125...7500 Hz, 40
/// channels) bins 5..<241 are used (31.25 Hz each).
public struct MicroFilterBank {
  /// Fraction bits of the weights: Q12 (4096 = 1.0).
  public static let weightBits = 12

  public let channelCount: Int
  /// First FFT bin used (DC is always excluded).
  public let startIndex: Int
  /// One past the last FFT bin used.
  public let endIndex: Int
  /// Band `b` covers bins `bandStarts[b]..<bandStarts[b + 1]`, b = 0...channelCount
  /// (a band may be empty).
  public let bandStarts: [Int32]
  /// Weight of bin `startIndex + j` in its own band's channel, Q12.
  public let weights: [Int16]
  /// Weight of bin `startIndex + j` in the next channel (about 4096 - weight), Q12.
  public let unweights: [Int16]

  /// Builds the bands and weights exactly as the C does, in Float: mel(f) =
  /// 1127 ln(1 + f/700), centres equally spaced in mel, weights quantized as
  /// floor(w * 4096 + 1/2).
  public init(
    channelCount: Int, lowerBandHz: Float, upperBandHz: Float, sampleRate: Int, spectrumSize: Int
  ) throws(MicroFrontendConfigError) {
    self.channelCount = channelCount
    func mel(_ hz: Float) -> Float { 1127 * TableMath.log1p(hz / 700) }

    let melLow = mel(lowerBandHz)
    let melSpacing = (mel(upperBandHz) - melLow) / Float(channelCount + 1)
    var centers = [Float](repeating: 0, count: channelCount + 1)
    for i in 0...channelCount {
      centers[i] = melLow + melSpacing * Float(i + 1)
    }
    let hzPerBin = 0.5 * Float(sampleRate) / (Float(spectrumSize) - 1)
    // Float to int truncates, as the C's assignment does.
    let startIndex = Int(1.5 + lowerBandHz / hzPerBin)

    var bandStarts = [Int32](repeating: 0, count: channelCount + 2)
    var bin = startIndex
    for band in 0...channelCount {
      bandStarts[band] = Int32(bin)
      while mel(Float(bin) * hzPerBin) <= centers[band] {
        bin += 1
        if bin >= spectrumSize {
          throw MicroFrontendConfigError(
            parameter: .upperBandHz,
            requirement:
              "puts mel channel \(band) beyond the spectrum (\(spectrumSize) bins); lower it")
        }
      }
    }
    bandStarts[channelCount + 1] = Int32(bin)
    self.startIndex = startIndex
    endIndex = bin
    self.bandStarts = bandStarts

    let scale = Float(1 << Self.weightBits)
    var weights = [Int16](repeating: 0, count: bin - startIndex)
    var unweights = [Int16](repeating: 0, count: bin - startIndex)
    for band in 0...channelCount {
      let previousCenter = band == 0 ? melLow : centers[band - 1]
      for b in Int(bandStarts[band])..<Int(bandStarts[band + 1]) {
        let weight = (centers[band] - mel(Float(b) * hzPerBin)) / (centers[band] - previousCenter)
        weights[b - startIndex] = Int16(TableMath.floor(weight * scale + 0.5))
        unweights[b - startIndex] = Int16(TableMath.floor((1 - weight) * scale + 0.5))
      }
    }
    self.weights = weights
    self.unweights = unweights
  }

  /// Channel magnitudes of one spectrum: `sqrt(sum of weight * |X[bin]|^2)` rounded,
  /// then shifted right by `scaleDownShift` (undoing the FFT input's auto-scaling).
  ///
  /// |X|^2 is formed in int32 like the C (so the one overflowing case, both parts
  /// -32768, wraps to -2^31 and is then sign-extended into the uint64 sums).
  public func apply(
    _ spectrum: UnsafeBufferPointer<ComplexInt16>, scaleDownShift: Int,
    into output: UnsafeMutableBufferPointer<UInt32>
  ) {
    precondition(spectrum.count >= endIndex && output.count >= channelCount)
    let shift = UInt32(scaleDownShift)
    let channelCount = channelCount
    let startIndex = startIndex
    bandStarts.withUnsafeBufferPointer { bandStarts in
      weights.withUnsafeBufferPointer { weights in
        unweights.withUnsafeBufferPointer { unweights in
          var carried: UInt64 = 0  // the previous band's unweighted sum
          for band in 0...channelCount {
            var weighted = carried
            var unweighted: UInt64 = 0
            var b = Int(bandStarts[band])
            let end = Int(bandStarts[band &+ 1])
            while b < end {
              let x = spectrum[b]
              let re = Int32(x.real)
              let im = Int32(x.imag)
              // Signed 32 x 32 -> 64-bit products (one SMLAL on a Cortex-M4) have the
              // same bits as the C's uint64 products of the sign-extended values.
              let energy = Int64(re &* re &+ im &* im)
              weighted &+= UInt64(bitPattern: Int64(weights[b &- startIndex]) &* energy)
              unweighted &+= UInt64(bitPattern: Int64(unweights[b &- startIndex]) &* energy)
              b &+= 1
            }
            if band > 0 {
              output[band &- 1] = weighted.roundedSquareRoot >> shift
            }
            carried = unweighted
          }
        }
      }
    }
  }
}
