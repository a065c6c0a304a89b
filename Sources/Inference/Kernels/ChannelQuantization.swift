import FixedPoint

// Per-output-channel requantization shared by CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED: one multiplier and shift per output channel, made once at prepare.
//
// Each channel's constants are stored once (RAM on the M4 is the budget): either as
// the plain multiplier and shift arrays (8 B per channel), or, for conv and depthwise
// layers whose every channel folds, as the `ChannelRounding` table alone (16 B per
// channel), which also holds the multiplier and, as r - 1, the shift. The M4 paths
// read the table directly; every other path reads either form through
// `ChannelConstants`.

/// Multipliers and shifts per output channel (arrays allocated once, at prepare).
public struct ChannelMultipliers: Sendable {
  /// The plain constants; empty when the layer keeps `roundings` instead.
  private(set) var multipliers: [Int32]
  private(set) var shifts: [Int32]
  /// The same per-channel requantization folded for the M4 paths (`ChannelRounding`),
  /// with the output zero point; empty unless made by `folding` with every channel
  /// foldable (the M4 paths then hand the layer to the generic ones).
  private(set) var roundings: [ChannelRounding] = []

  /// Output channels (computed: one word less per layer than a stored count).
  public var count: Int { roundings.isEmpty ? multipliers.count : roundings.count }

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
      let q = ChannelMultipliers.quantized(
        c, input: input, filterScales: filterScales, output: output)
      multipliers[c] = q.multiplier
      shifts[c] = q.shift
    }
  }

  /// The same constants, folded with output zero point `outputOffset` into the
  /// `ChannelRounding` table when every channel allows it (then no plain arrays are
  /// kept or even allocated: the firmware's heap does not reuse freed blocks), else
  /// the plain arrays as `init(input:filterScales:output:channels:)` makes them.
  ///
  ///     ChannelMultipliers.folding(
  ///       input: 0.5, filterScales: [0.01], output: 0.1, channels: 8, outputOffset: -3)
  ///     // 0.05 = 0.8 * 2^-4 folds (r = 4): 8 * 16 = 128 B of table, no arrays
  static func folding(
    input: Float, filterScales: [Float], output: Float, channels: Int, outputOffset: Int32
  ) -> ChannelMultipliers {
    func rounding(_ c: Int) -> ChannelRounding? {
      let q = quantized(c, input: input, filterScales: filterScales, output: output)
      return ChannelRounding(multiplier: q.multiplier, shift: q.shift, outputOffset: outputOffset)
    }
    // A first pass that allocates nothing decides the form.
    for c in 0..<channels where rounding(c) == nil {
      return ChannelMultipliers(
        input: input, filterScales: filterScales, output: output, channels: channels)
    }
    var table: [ChannelRounding] = []
    table.reserveCapacity(channels)
    for c in 0..<channels {
      // Every channel folds (the first pass).
      if let r = rounding(c) { table.append(r) }
    }
    return ChannelMultipliers(roundings: table)
  }

  /// The folded form alone.
  private init(roundings: [ChannelRounding]) {
    multipliers = []
    shifts = []
    self.roundings = roundings
  }

  /// Channel `c`'s Q31 multiplier and shift, as `quantizeMultiplier` gives them.
  static func quantized(
    _ c: Int, input: Float, filterScales: [Float], output: Float
  ) -> (multiplier: Int32, shift: Int32) {
    let filterScale = filterScales.count == 1 ? filterScales[0] : filterScales[c]
    let q = quantizeMultiplier(Double(input) * Double(filterScale) / Double(output))
    return (q.multiplier, q.shift)
  }

  /// Channel `c`'s multiplier (Q31), whichever form the layer keeps.
  ///
  ///     channels.multiplier(0)   // 1_717_986_918 for a real multiplier of 0.05
  public func multiplier(_ c: Int) -> Int32 {
    withConstants { $0.multiplier(c) }
  }

  /// Channel `c`'s shift (TFLM's: negative means a right shift), whichever form the
  /// layer keeps. A folded zero multiplier reads back as shift -1 (any shift gives 0).
  ///
  ///     channels.shift(0)   // -4 for a real multiplier of 0.05 = 0.8 * 2^-4
  public func shift(_ c: Int) -> Int32 {
    withConstants { $0.shift(c) }
  }

  /// Validates the scales for `op` (one per channel, or one for all) and builds; with
  /// `outputOffset`, folded where possible (`folding`).
  static func checked(
    op: StaticString, input: Float, filterScales: [Float], output: Float, channels: Int,
    outputOffset: Int32? = nil
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
    guard let outputOffset else {
      return ChannelMultipliers(
        input: input, filterScales: filterScales, output: output, channels: channels)
    }
    return ChannelMultipliers.folding(
      input: input, filterScales: filterScales, output: output, channels: channels,
      outputOffset: outputOffset)
  }
}

extension ChannelMultipliers {
  /// Given constants, kept plain (one multiplier and shift per channel; the same count).
  init(multipliers: [Int32], shifts: [Int32]) {
    self.multipliers = multipliers
    self.shifts = shifts
  }

  /// Runs `body` with a `ChannelConstants` view of whichever form the layer keeps
  /// (pointers valid for the call only; nothing is allocated). The one branch is
  /// per call, not per channel.
  @inline(__always)
  func withConstants<R>(_ body: (ChannelConstants) -> R) -> R {
    if roundings.isEmpty {
      return multipliers.withUnsafeBytes { m in
        shifts.withUnsafeBytes { s in
          body(
            ChannelConstants(
              multipliers: m.baseAddress!, shifts: s.baseAddress!,
              stride: MemoryLayout<Int32>.stride, shiftMask: 0))
        }
      }
    }
    return roundings.withUnsafeBytes { r in
      let entry = r.baseAddress!
      return body(
        ChannelConstants(
          multipliers: entry + ChannelRounding.multiplierOffset,
          shifts: entry + ChannelRounding.shiftOffset,
          stride: MemoryLayout<ChannelRounding>.stride, shiftMask: -1))
    }
  }

  /// Runs `body` with this eval's `ChannelOutput` (pointers into the constants, valid
  /// for the call only; nothing is allocated).
  @inline(__always)
  func withOutput(
    offset: Int32, activation: ActivationRange, _ body: (ChannelOutput) -> Void
  ) {
    withConstants { constants in
      body(
        ChannelOutput(
          constants: constants, offset: offset, min: activation.min, max: activation.max))
    }
  }
}

/// Per-channel multipliers and shifts as the non-M4 paths read them, from either
/// form `ChannelMultipliers` keeps: the plain arrays (4-byte stride, shifts as TFLM
/// has them) or the `ChannelRounding` entries (16-byte stride; the shift word holds
/// r - 1 for TFLM's shift -r, and ~(r - 1) = -r, so one XOR with all ones gives it
/// back). Made by `ChannelMultipliers.withConstants`; valid inside its body only.
///
///     // a rounding entry for shift -4 stores 3; 3 ^ -1 = -4
///     channels.withConstants { k in k.shift(0) }   // -4 in both forms
struct ChannelConstants {
  /// Channel 0's multiplier and shift words.
  let multipliers: UnsafeRawPointer
  let shifts: UnsafeRawPointer
  /// Bytes from one channel's words to the next channel's.
  let stride: Int
  /// XORed into the stored shift word: 0 for the plain arrays, -1 for the table.
  let shiftMask: Int32

  /// Channel `c`'s Q31 multiplier.
  @inline(__always)
  func multiplier(_ c: Int) -> Int32 {
    multipliers.load(fromByteOffset: c &* stride, as: Int32.self)
  }

  /// Channel `c`'s shift (negative: right).
  @inline(__always)
  func shift(_ c: Int) -> Int32 {
    shifts.load(fromByteOffset: c &* stride, as: Int32.self) ^ shiftMask
  }

  /// Channels c...c+3's multipliers.
  @inline(__always)
  func multipliers4(_ c: Int) -> SIMD4<Int32> {
    SIMD4(multiplier(c), multiplier(c &+ 1), multiplier(c &+ 2), multiplier(c &+ 3))
  }

  /// Channels c...c+3's shifts.
  @inline(__always)
  func shifts4(_ c: Int) -> SIMD4<Int32> {
    SIMD4(shift(c), shift(c &+ 1), shift(c &+ 2), shift(c &+ 3))
  }
}

/// One eval's view of the per-output-channel requantization, as the reference conv,
/// depthwise and FC loops read it: the channel constants, the output zero point, the
/// clamp range. Made by `ChannelMultipliers.withOutput`; valid inside its body only.
/// (The M4 paths read the `ChannelRounding` table themselves: routed through a view,
/// they took 2-4% more instructions per MAC under QEMU.)
///
///     p.channels.withOutput(offset: p.outputOffset, activation: p.activation) { q in
///       out[c] = q.requantize(acc, c)   // channel c's int32 sum to int8
///     }
struct ChannelOutput {
  let constants: ChannelConstants
  /// The output zero point.
  let offset: Int32
  let min: Int32
  let max: Int32

  /// Channel `c`'s accumulator to int8 (`requantize`).
  @inline(__always)
  func requantize(_ acc: Int32, _ c: Int) -> Int8 {
    Inference.requantize(
      acc, multiplier: constants.multiplier(c), shift: constants.shift(c), outputOffset: offset,
      min: min, max: max)
  }
}
