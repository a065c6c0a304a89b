// The tables MicroFrontend builds from floats at init, against the ones the live C
// library builds (read out of its state through ctypes): a table off by one entry
// would only show in the features on some inputs, so check them directly.
import FixedPoint
import Foundation
import Frontend
import TestSupport
import Testing

private typealias Support = MicroFrontendTestSupport

@Suite("MicroFrontend tables vs the live C library")
struct MicroFrontendTableTests {
  static var configs: [(String, MicroFrontendConfig)] {
    var tflmDefaults = MicroFrontendConfig()  // the C's *FillConfigWithDefaults values
    tflmDefaults.windowMs = 25
    tflmDefaults.channelCount = 32
    var wide = MicroFrontendConfig()
    wide.windowMs = 64
    wide.channelCount = 80
    wide.lowerBandHz = 20
    wide.upperBandHz = 7900
    wide.pcanStrength = 0.5
    wide.pcanOffset = 3.5
    wide.pcanGainBits = 24
    return [("microWakeWord", .microWakeWord), ("TFLM defaults", tflmDefaults), ("wide", wide)]
  }

  static func ints(_ value: Any?) -> [Int] {
    (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
  }

  @Test("window, FFT, filterbank, noise reduction and PCAN tables", arguments: configs.map(\.0))
  func tables(_ name: String) throws {
    let config = Self.configs.first { $0.0 == name }!.1
    let c = try Support.referenceTables(config)
    let window = MicroWindow(size: config.windowSamples, step: config.stepSamples)
    #expect(
      window.coefficients.map(Int.init) == Self.ints(c["window_coefficients"]), "Hann window (Q12)")

    let fft = KissFFT(inputSize: config.windowSamples)
    #expect(fft.fftSize == c["fft_size"] as? Int)
    let twiddles = fft.twiddles.flatMap { [Int($0.real), Int($0.imag)] }
    let cTwiddles = ((c["kiss_twiddles"] as? [[Int]]) ?? []).flatMap { $0 }
    #expect(twiddles == cTwiddles, "kissfft twiddles")
    let split = fft.splitTwiddles.flatMap { [Int($0.real), Int($0.imag)] }
    #expect(
      split == ((c["kiss_super_twiddles"] as? [[Int]]) ?? []).flatMap { $0 },
      "kiss_fftr super twiddles")

    let bank = try MicroFilterBank(
      channelCount: config.channelCount, lowerBandHz: config.lowerBandHz,
      upperBandHz: config.upperBandHz,
      sampleRate: config.sampleRate, spectrumSize: fft.spectrumSize)
    #expect(bank.startIndex == c["filterbank_start_index"] as? Int)
    #expect(bank.endIndex == c["filterbank_end_index"] as? Int)
    // The C pads each channel's weights to aligned blocks of 4 (zeros outside the band);
    // unpack them to (bin -> weight) per band and compare with ours.
    let frequencyStarts = Self.ints(c["filterbank_channel_frequency_starts"])
    let weightStarts = Self.ints(c["filterbank_channel_weight_starts"])
    let widths = Self.ints(c["filterbank_channel_widths"])
    let cWeights = Self.ints(c["filterbank_weights"])
    let cUnweights = Self.ints(c["filterbank_unweights"])
    var mismatches: [String] = []
    for band in 0...config.channelCount {
      let bins = Int(bank.bandStarts[band])..<Int(bank.bandStarts[band + 1])
      for bin in bins {
        let offset = bin - frequencyStarts[band]
        let inPaddedRange = offset >= 0 && offset < widths[band]
        let cWeight = inPaddedRange ? cWeights[weightStarts[band] + offset] : -1
        let cUnweight = inPaddedRange ? cUnweights[weightStarts[band] + offset] : -1
        let j = bin - bank.startIndex
        if Int(bank.weights[j]) != cWeight || Int(bank.unweights[j]) != cUnweight {
          mismatches.append(
            "band \(band) bin \(bin): ours \(bank.weights[j])/\(bank.unweights[j]) C \(cWeight)/\(cUnweight)"
          )
        }
      }
      // Everything the C has outside our band must be zero weight (padding).
      for offset in 0..<widths[band] where !bins.contains(frequencyStarts[band] + offset) {
        let k = weightStarts[band] + offset
        if cWeights[k] != 0 || cUnweights[k] != 0 {
          mismatches.append(
            "band \(band): C weight at bin \(frequencyStarts[band] + offset) outside our band")
        }
      }
    }
    #expect(
      mismatches.count == 0, "filterbank weights:\n\(mismatches.prefix(12).joined(separator: "\n"))"
    )

    let nr = NoiseReduction(
      channelCount: config.channelCount, smoothingBits: config.smoothingBits,
      evenSmoothing: config.evenSmoothing,
      oddSmoothing: config.oddSmoothing, minSignalRemaining: config.minSignalRemaining)
    #expect(Int(nr.evenSmoothing) == c["noise_even_smoothing"] as? Int)
    #expect(Int(nr.oddSmoothing) == c["noise_odd_smoothing"] as? Int)
    #expect(Int(nr.minSignalRemaining) == c["noise_min_signal_remaining"] as? Int)

    let pcan = PCANGainControl(
      channelCount: config.channelCount, strength: config.pcanStrength, offset: config.pcanOffset,
      gainBits: config.pcanGainBits, smoothingBits: config.smoothingBits,
      correctionBits: LogScale.correctionBits(fftSize: fft.fftSize))
    #expect(pcan.snrShift == c["pcan_snr_shift"] as? Int)
    let cLUT = (c["pcan_gain_lut"] as? [Any]) ?? []
    #expect(cLUT.count == PCANGainControl.tableSize)
    for (i, entry) in cLUT.enumerated() {
      guard let value = (entry as? NSNumber)?.intValue else { continue }  // unused slot
      #expect(Int(pcan.gainTable[i]) == value, "PCAN gain table entry \(i)")
    }
  }

  @Test("log2 correction table equals the C's kLogLut and its formula")
  func logTable() throws {
    let c = Self.ints(try Support.referenceTables(.microWakeWord)["log_lut"])
    #expect(c.count == 130)
    // Entry 129 is padding the C never reads (the segment index tops out at 127, + 1).
    // At a segment start x = 2^16 (1 + k/128) the interpolation adds nothing, so
    // log2(x) - 16.0 - k/128 (all Q16) is our table entry k.
    var ours: [Int] = []
    for k in 0...128 {
      let x = UInt32(128 + k) << 9
      let entry = Int(FixedPointLog.log2(x)) - (16 << 16) - (k << 9)
      ours.append(entry)
    }
    #expect(Array(c.prefix(129)) == ours)
    for k in 0...128 {
      let exact = 65536 * (log2(1 + Double(k) / 128) - Double(k) / 128)
      #expect(Int(c[k]) == Int(exact.rounded()), "formula at \(k)")
    }
  }
}
