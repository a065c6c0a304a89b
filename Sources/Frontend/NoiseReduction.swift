// Stage 4 of the microfrontend: per-channel spectral subtraction of a slowly tracked
// noise floor (TFLM noise_reduction.c semantics).

/// Stationary-noise removal: each channel keeps a low-passed estimate of itself and
/// loses that much, but always keeps at least `minSignalRemaining` of its value.
///
/// Coefficients are Q14 fractions truncated from Float as the C does:
/// 0.025 -> 409, 0.06 -> 983, 0.05 -> 819 (of 16384).
///
///     var nr = NoiseReduction(channelCount: 2, smoothingBits: 10, evenSmoothing: 0.025,
///                             oddSmoothing: 0.06, minSignalRemaining: 0.05)
///     // a constant input of 1000 in channel 0: the estimate (in 1/1024 units) rises
///     // by 2.5 % of the gap each frame, and the output decays from 975 toward 50.
public struct NoiseReduction {
  /// Fraction bits of the smoothing coefficients: Q14.
  public static let coefficientBits = 14

  public let channelCount: Int
  /// Signals are scaled up by 2^smoothingBits while tracking (extra precision).
  public let smoothingBits: Int
  /// Q14 weight of the new value in even / odd channels' estimates.
  public let evenSmoothing: UInt32
  public let oddSmoothing: UInt32
  /// Q14 fraction of the signal that always remains.
  public let minSignalRemaining: UInt32
  /// The noise estimate per channel, in signal units * 2^smoothingBits (PCAN reads it).
  public private(set) var estimate: [UInt32]

  /// `enabled: false` keeps tracking the estimate (PCAN needs it) but outputs the
  /// signal unchanged: it is the C with `min_signal_remaining = 1.0`.
  public init(
    channelCount: Int, smoothingBits: Int, evenSmoothing: Float, oddSmoothing: Float,
    minSignalRemaining: Float, enabled: Bool = true
  ) {
    self.channelCount = channelCount
    self.smoothingBits = smoothingBits
    // Float * 16384 truncated to uint16, as the C's assignment does.
    let one = Float(1 << Self.coefficientBits)
    self.evenSmoothing = UInt32(UInt16(evenSmoothing * one))
    self.oddSmoothing = UInt32(UInt16(oddSmoothing * one))
    self.minSignalRemaining = UInt32(UInt16((enabled ? minSignalRemaining : 1) * one))
    estimate = [UInt32](repeating: 0, count: channelCount)
  }

  /// Updates the estimates with `signal` and replaces `signal` by what remains.
  public mutating func apply(_ signal: UnsafeMutableBufferPointer<UInt32>) {
    precondition(signal.count >= channelCount)
    let bits = UInt32(smoothingBits)
    let q = UInt64(Self.coefficientBits)
    let channelCount = channelCount
    let even = evenSmoothing
    let odd = oddSmoothing
    let floorFraction = UInt64(minSignalRemaining)
    estimate.withUnsafeMutableBufferPointer { estimate in
      for i in 0..<channelCount {
        let smoothing = i & 1 == 0 ? even : odd
        let keep = (1 << UInt32(q)) &- smoothing
        // uint32 shift: the C drops the bits shifted out, and so do we.
        let scaledUp = signal[i] << bits
        var noise = UInt32(
          truncatingIfNeeded: (UInt64(scaledUp) &* UInt64(smoothing) &+ UInt64(estimate[i])
            &* UInt64(keep)) >> q)
        estimate[i] = noise
        if noise > scaledUp { noise = scaledUp }  // never subtract more than there is
        let floor = UInt32(truncatingIfNeeded: (UInt64(signal[i]) &* floorFraction) >> q)
        let subtracted = (scaledUp &- noise) >> bits
        signal[i] = subtracted > floor ? subtracted : floor
      }
    }
  }

  /// Forgets the noise estimate.
  public mutating func reset() {
    for i in 0..<channelCount { estimate[i] = 0 }
  }
}
