import FixedPoint

// Per-output-channel requantization shared by CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED: one multiplier and shift per output channel, made once at prepare.

/// Multipliers and shifts per output channel (arrays allocated once, at prepare).
public struct ChannelMultipliers: Sendable {
  public var multipliers: [Int32]
  public var shifts: [Int32]

  public var count: Int { multipliers.count }

  /// TFLM `PopulateConvolutionQuantizationParams`: for each output channel,
  /// Double(inputScale) * Double(filterScale[c]) / Double(outputScale), quantized with
  /// `quantizeMultiplier`. A single filter scale is broadcast to every channel.
  ///
  ///     ChannelMultipliers(input: 0.5, filterScales: [0.01, 0.02], output: 0.1, channels: 2)
  ///     // real multipliers 0.05 and 0.1
  public init(input: Float, filterScales: [Float], output: Float, channels: Int) {
    multipliers = [Int32](repeating: 0, count: channels)
    shifts = [Int32](repeating: 0, count: channels)
    for c in 0..<channels {
      let filterScale = filterScales.count == 1 ? filterScales[0] : filterScales[c]
      let real = Double(input) * Double(filterScale) / Double(output)
      let q = quantizeMultiplier(real)
      multipliers[c] = q.multiplier
      shifts[c] = q.shift
    }
  }

  /// Validates the scales for `op` (one per channel, or one for all) and builds.
  static func checked(
    op: StaticString, input: Float, filterScales: [Float], output: Float, channels: Int
  ) throws(KernelError) -> ChannelMultipliers {
    try checkScale(input, op: op, what: "input scale must be positive and finite")
    try checkScale(output, op: op, what: "output scale must be positive and finite")
    guard filterScales.count == 1 || filterScales.count == channels else {
      throw KernelError(
        op, "filter scale count is neither 1 nor the output channel count",
        value: filterScales.count)
    }
    for s in filterScales {
      try checkScale(s, op: op, what: "filter scale must be positive and finite")
    }
    return ChannelMultipliers(
      input: input, filterScales: filterScales, output: output, channels: channels)
  }
}
