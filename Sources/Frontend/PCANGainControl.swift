// Stage 5 of the microfrontend: per-channel energy normalization (PCAN, "Trainable
// frontend for robust and far-field keyword spotting", Wang et al. 2017; TFLM
// pcan_gain_control.c semantics). Each channel is divided by (noise + offset)^strength
// via a piecewise-quadratic gain table, then compressed.
import FixedPoint

/// PCAN gain control: `signal * gain(noise estimate)`, then a soft-knee shrink.
///
/// The gain curve `2^gainBits * (x + offset)^-strength` is tabulated at init from Float
/// (as the C does) at 3 points per octave of the noise estimate and evaluated in integer
/// arithmetic as a quadratic through them. With the defaults (strength 0.95, offset 80,
/// 21 gain bits) the gain is 32636 for a silent channel; for loud noise it halves about
/// every 1.05 octaves (a factor 2^0.95 = 1.93 per octave).
public struct PCANGainControl {
  /// Fraction bits of the signal-to-noise value that enters the shrink: Q12.
  public static let snrBits = 12
  /// Fraction bits kept in the output: Q6.
  public static let outputBits = 6
  /// Octaves covered by the gain table (the whole uint32 range).
  public static let octaves = 32
  /// Entries: gain at 0 and 1, then (value, slope, curvature) per octave 2...32; the
  /// slot after each triple is unused.
  public static let tableSize = 4 * octaves - 3

  public let channelCount: Int
  /// The signal * gain product is shifted down by this much to land in Q12.
  public let snrShift: Int
  /// See `tableSize`.
  public let gainTable: [Int16]

  /// - Parameters:
  ///   - smoothingBits: the noise estimate's extra scale (from ``NoiseReduction``).
  ///   - correctionBits: the spectrum's extra scale (`LogScale.correctionBits`).
  public init(
    channelCount: Int, strength: Float, offset: Float, gainBits: Int, smoothingBits: Int,
    correctionBits: Int
  ) {
    self.channelCount = channelCount
    snrShift = gainBits - correctionBits - Self.snrBits
    let inputBits = smoothingBits - correctionBits
    // The C's PcanGainLookupFunction: Float all the way, clamped to int16, + 1/2 and
    // truncated.
    func gain(_ x: UInt32) -> Int16 {
      let xAsFloat = Float(x) / Float(UInt32(1) << UInt32(inputBits))
      let value = Float(UInt32(1) << UInt32(gainBits)) * TableMath.pow(xAsFloat + offset, -strength)
      if value > Float(Int16.max) { return Int16.max }
      return Int16(value + 0.5)
    }
    var table = [Int16](repeating: 0, count: Self.tableSize)
    table[0] = gain(0)
    table[1] = gain(1)
    for octave in 2...Self.octaves {
      // Samples at the octave's start, middle and end (the last octave ends at 2^32 - 1).
      let x0 = UInt32(1) << UInt32(octave - 1)
      let x1 = x0 + (x0 >> 1)
      let x2 = octave == Self.octaves ? x0 + (x0 - 1) : 2 * x0
      let y0 = gain(x0)
      let y1 = gain(x1)
      let y2 = gain(x2)
      let diff1 = Int32(y1) - Int32(y0)
      let diff2 = Int32(y2) - Int32(y0)
      let slope = 4 * diff1 - diff2
      let curvature = diff2 - slope
      let entry = 4 * octave - 6
      table[entry] = y0
      table[entry + 1] = Int16(truncatingIfNeeded: slope)
      table[entry + 2] = Int16(truncatingIfNeeded: curvature)
    }
    gainTable = table
  }

  /// The gain for noise estimate `x`, Q(gainBits): the octave's quadratic evaluated at
  /// the next 10 bits below x's top bit (the C's `WideDynamicFunction`).
  public func gain(forNoise x: UInt32) -> Int16 {
    gainTable.withUnsafeBufferPointer { Self.gain(forNoise: x, table: $0) }
  }

  @inline(__always)
  static func gain(forNoise x: UInt32, table: UnsafeBufferPointer<Int16>) -> Int16 {
    if x <= 2 { return table[Int(x)] }
    let octave = x.significantBitCount
    let entry = 4 &* octave &- 6
    let position = Int32(
      (octave < 11 ? x << UInt32(11 &- octave) : x >> UInt32(octave &- 11)) & 0x3FF)
    var result = (Int32(table[entry &+ 2]) &* position) >> 5
    result &+= Int32(table[entry &+ 1]) << 5
    result = result &* position
    result = (result &+ (1 << 14)) >> 15
    result &+= Int32(table[entry])
    return Int16(truncatingIfNeeded: result)
  }

  /// Soft knee: quadratic below 2.0 (Q12), linear minus 1.0 above; Q12 in, Q6 out.
  @inline(__always)
  static func shrink(_ x: UInt32) -> UInt32 {
    if x < (2 << UInt32(snrBits)) {
      return (x &* x) >> UInt32(2 + 2 * snrBits - outputBits)
    }
    return (x >> UInt32(snrBits - outputBits)) &- (1 << UInt32(outputBits))
  }

  /// Normalizes `signal` in place by the gain of each channel's noise estimate.
  public func apply(
    _ signal: UnsafeMutableBufferPointer<UInt32>, noiseEstimate: UnsafeBufferPointer<UInt32>
  ) {
    precondition(signal.count >= channelCount && noiseEstimate.count >= channelCount)
    let shift = UInt64(snrShift)
    let channelCount = channelCount
    gainTable.withUnsafeBufferPointer { table in
      for i in 0..<channelCount {
        // int16 -> uint32 sign-extends, as in the C (a negative gain becomes huge).
        let gain = UInt32(bitPattern: Int32(Self.gain(forNoise: noiseEstimate[i], table: table)))
        let snr = UInt32(truncatingIfNeeded: (UInt64(signal[i]) &* UInt64(gain)) >> shift)
        signal[i] = Self.shrink(snr)
      }
    }
  }
}
