// Stage 6 of the microfrontend: fixed-point natural log, scaled, saturated to 16 bits
// (TFLM log_scale.c semantics).
import FixedPoint

/// `round(ln(x << correctionBits) * 2^scaleShift)` per channel in integer arithmetic,
/// 0 for x <= 1, at most 65535. With the defaults (scale shift 6) a feature of 64 is
/// one unit of ln, and microWakeWord's features run 0...about 670.
public struct LogScale {
  public let enabled: Bool
  /// The log is scaled by 2^scaleShift.
  public let scaleShift: Int
  /// The filterbank's output is shifted up (or down, if negative) by this much first.
  public let correctionBits: Int

  /// The extra scale of the spectrum the filterbank sees, in bits:
  /// `log2(fftSize) - 1 - weightBits / 2` (3 for a 512-point FFT).
  public static func correctionBits(fftSize: Int) -> Int {
    UInt32(fftSize).significantBitCount - 1 - MicroFilterBank.weightBits / 2
  }

  public init(enabled: Bool, scaleShift: Int, correctionBits: Int) {
    self.enabled = enabled
    self.scaleShift = scaleShift
    self.correctionBits = correctionBits
  }

  /// Log-compresses `signal` into `output` (or just saturates it when disabled).
  public func apply(
    _ signal: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<UInt16>
  ) {
    precondition(output.count >= signal.count)
    let half = UInt32(1) << UInt32(FixedPointLog.fractionBits - 1)
    let fractionBits = UInt32(FixedPointLog.fractionBits)
    let scaleShift = UInt32(scaleShift)
    for i in 0..<signal.count {
      var value = signal[i]
      if enabled {
        // uint32 shifts: bits shifted out are lost, as in the C.
        value =
          correctionBits < 0 ? value >> UInt32(-correctionBits) : value << UInt32(correctionBits)
        if value > 1 {
          let ln = FixedPointLog.naturalLog(value)  // Q16
          value = ((ln << scaleShift) &+ half) >> fractionBits
        } else {
          value = 0
        }
      }
      output[i] = value < 0xFFFF ? UInt16(value) : 0xFFFF
    }
  }
}
