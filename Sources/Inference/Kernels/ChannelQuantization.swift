import FixedPoint

// Per-output-channel requantization shared by CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED: one multiplier and shift per output channel, made once at prepare.

/// Multipliers and shifts per output channel (arrays allocated once, at prepare).
public struct ChannelMultipliers: Sendable {
  public var multipliers: [Int32]
  public var shifts: [Int32]
  /// The same per-channel requantization folded for the M4 paths (`ChannelRounding`),
  /// with the output zero point; empty until `foldRoundings`, or when a channel
  /// cannot be folded (then the M4 paths hand the layer to the generic ones).
  var roundings: [ChannelRounding] = []

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

/// One eval's view of the per-output-channel requantization, as the reference conv,
/// depthwise and FC loops read it: the multipliers and shifts as pointers, the output
/// zero point, the clamp range. Made by `ChannelMultipliers.withOutput`; valid inside
/// its body only. (The fast paths keep their own locals: routed through this view,
/// the M4 paths took 2-4% more instructions per MAC under QEMU.)
///
///     p.channels.withOutput(offset: p.outputOffset, activation: p.activation) { q in
///       out[c] = q.requantize(acc, c)   // channel c's int32 sum to int8
///     }
struct ChannelOutput {
  let multiplier: UnsafePointer<Int32>
  let shift: UnsafePointer<Int32>
  /// The output zero point.
  let offset: Int32
  let min: Int32
  let max: Int32

  /// Channel `c`'s accumulator to int8 (`requantize`).
  @inline(__always)
  func requantize(_ acc: Int32, _ c: Int) -> Int8 {
    Inference.requantize(
      acc, multiplier: multiplier[c], shift: shift[c], outputOffset: offset, min: min, max: max)
  }
}

extension ChannelMultipliers {
  /// Runs `body` with this eval's `ChannelOutput` (pointers into the arrays, valid
  /// for the call only; nothing is allocated).
  @inline(__always)
  func withOutput(
    offset: Int32, activation: ActivationRange, _ body: (ChannelOutput) -> Void
  ) {
    multipliers.withUnsafeBufferPointer { m in
      shifts.withUnsafeBufferPointer { s in
        body(
          ChannelOutput(
            multiplier: m.baseAddress!, shift: s.baseAddress!, offset: offset,
            min: activation.min, max: activation.max))
      }
    }
  }
}
