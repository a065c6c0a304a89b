// Single stages against the C library's own functions over the whole input range (not
// only the values speech happens to produce): the log and the PCAN gain curve.
import Foundation
import Frontend
import TestSupport
import Testing

private typealias Support = MicroFrontendTestSupport

@Suite("MicroFrontend stages vs the C functions")
struct MicroFrontendStageTests {
  /// Every power of two and its neighbours, small values, then pseudo-random values
  /// spread evenly over the octaves.
  static let inputs: [UInt32] = {
    var values: [UInt32] = Array(0...4100)
    for bit in 0..<32 {
      let p = UInt32(1) << UInt32(bit)
      values += [p &- 1, p, p &+ 1, p | (p >> 1)]
    }
    values += [UInt32.max, UInt32.max - 1, 0x7FFF_FFFF, 0x8000_0001]
    var state: UInt64 = 12345
    for _ in 0..<60_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let bits = UInt32(state >> 59)  // octave 0...31
      values.append(UInt32(truncatingIfNeeded: state >> 16) >> (31 - bits))
    }
    return values
  }()

  static func bytes(_ values: [UInt32]) -> Data { values.withUnsafeBytes { Data($0) } }

  @Test("LogScale equals LogScaleApply", arguments: [(6, 3), (6, 0), (8, -2), (0, 5)])
  func logScale(_ scaleShift: Int, _ correctionBits: Int) throws {
    let data = try TestSupport.reference(
      "microfrontend_ref.py",
      ["log", "--scale-shift", "\(scaleShift)", "--correction-bits", "\(correctionBits)"],
      stdin: Self.bytes(Self.inputs))
    let theirs = Support.uint16s(data)
    let stage = LogScale(enabled: true, scaleShift: scaleShift, correctionBits: correctionBits)
    var ours = [UInt16](repeating: 0, count: Self.inputs.count)
    Self.inputs.withUnsafeBufferPointer { input in
      ours.withUnsafeMutableBufferPointer { stage.apply(input, into: $0) }
    }
    #expect(theirs.count == Self.inputs.count)
    let bad = (0..<min(ours.count, theirs.count)).filter { ours[$0] != theirs[$0] }
    #expect(
      bad.count == 0,
      "\(bad.count) differ, e.g. \(bad.prefix(5).map { (Self.inputs[$0], ours[$0], theirs[$0]) })")
  }

  @Test("PCAN gain curve equals WideDynamicFunction")
  func pcanGain() throws {
    for config in [MicroFrontendConfig.microWakeWord, MicroFrontendStreamingTests.variants.last!.1]
    {
      let data = try TestSupport.reference(
        "microfrontend_ref.py", ["pcan-gain"] + Support.referenceArguments(config),
        stdin: Self.bytes(Self.inputs))
      let theirs = data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
      let pcan = PCANGainControl(
        channelCount: 1, strength: config.pcanStrength, offset: config.pcanOffset,
        gainBits: config.pcanGainBits,
        smoothingBits: config.smoothingBits,
        correctionBits: LogScale.correctionBits(
          fftSize: KissFFT.fftSize(forInput: config.windowSamples)))
      let ours = Self.inputs.map { pcan.gain(forNoise: $0) }
      let bad = (0..<min(ours.count, theirs.count)).filter { ours[$0] != theirs[$0] }
      #expect(theirs.count == Self.inputs.count)
      #expect(
        bad.count == 0,
        "\(bad.count) differ, e.g. \(bad.prefix(5).map { (Self.inputs[$0], ours[$0], theirs[$0]) })"
      )
    }
  }
}
