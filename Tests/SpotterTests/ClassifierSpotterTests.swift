// The spotter's classifier path (sliding window, cadence, clip-peak normalization,
// quantization) against the same computation done by hand: the MFCC front end over the
// samples, the window's c0 correction, the quantizer, and a second interpreter.
import Foundation
import Frontend
import Host
import Inference
import Spotter
import TestSupport
import Testing

@Suite struct ClassifierSpotterTests {
  static let model = TestSupport.path("Tests/InferenceTests/Models/dscnn_random.tflite")

  /// 2.5 s of deterministic audio: noise with a moving tone and a loud burst.
  static func samples() -> [Int16] {
    var rng = SplitMix64(seed: 7)
    return (0..<40_000).map { i in
      let t = Double(i) / 16000
      let tone = 6000 * sin(2 * Double.pi * (300 + 400 * t) * t)
      let burst = (i / 4000) % 3 == 1 ? 9000 * sin(2 * Double.pi * 1200 * t) : 0
      let noise = Double(Int(rng.next() % 2001) - 1000)
      return Int16(max(-32768, min(32767, tone + burst + noise)))
    }
  }

  func spotterOutputs(normalize: Bool, stride: Int, chunk: Int) throws -> [[Int8]] {
    let runner = try ModelRunner(path: Self.model)
    let config = SpotterModelConfig(
      kind: .classifier, frontend: .mfcc, strideFrames: stride,
      keywords: [(label: 0, settings: DetectionSettings(threshold: 0.99))], clipPeakNormalization: normalize)
    let spotter = try Spotter(models: [(runner.interpreter, config)])
    var outputs: [[Int8]] = []
    let audio = Self.samples()
    var start = 0
    while start < audio.count {
      let end = min(audio.count, start + chunk)
      try audio[start..<end].withUnsafeBufferPointer { part in
        try spotter.process(part) { event in
          if case .invocation(_, let output) = event { outputs.append(output.map { Int8(bitPattern: $0) }) }
        }
      }
      start = end
    }
    return outputs
  }

  /// The same by hand: every frame, then each window's codes -> normalized -> quantized -> model.
  func handOutputs(normalize: Bool, stride: Int) throws -> [[Int8]] {
    let audio = Self.samples()
    var frontend = try MFCCFrontend(config: MFCCConfig())
    var frames: [[Int32]] = []
    audio.withUnsafeBufferPointer { all in frontend.process(all) { frames.append(Array($0)) } }
    let runner = try ModelRunner(path: Self.model)
    let input = runner.interpreter.input(0)
    let quantizer = try FeatureQuantizer(
      scale: input.scale, zeroPoint: input.zeroPoint, codeUnit: FrontendKind.mfcc.codeUnit)
    var outputs: [[Int8]] = []
    var last = 48
    while last < frames.count {
      let first = last - 48
      var correction: Int32 = 0
      if normalize {
        // Positive peak of the samples the 49 frames cover: [first * 320, last * 320 + 480).
        let covered = audio[(first * 320)..<(last * 320 + 480)]
        correction = frontend.c0Correction(peak: max(1, covered.max()!))
      }
      var values: [Int8] = []
      for f in first...last {
        for (c, code) in frames[f].enumerated() { values.append(quantizer.quantize(code - (c == 0 ? correction : 0))) }
      }
      let out = try values.withUnsafeBytes { try runner.run(ArraySlice($0)) }
      outputs.append(out.map { Int8(bitPattern: $0) })
      last += stride
    }
    return outputs
  }

  @Test(arguments: [(false, 1), (true, 1), (true, 7), (false, 10)])
  func windowsEqualTheHandComputation(normalize: Bool, stride: Int) throws {
    let expected = try handOutputs(normalize: normalize, stride: stride)
    #expect(expected.count == (124 - 49) / stride + 1)
    for chunk in [1, 333, 16000] {
      let ours = try spotterOutputs(normalize: normalize, stride: stride, chunk: chunk)
      #expect(ours.count == expected.count, "chunk \(chunk)")
      let first = ours.indices.first { $0 < expected.count && ours[$0] != expected[$0] }
      #expect(first == nil, "chunk \(chunk): invocation \(first ?? -1) differs")
    }
  }

  @Test func normalizationChangesTheInput() throws {
    // A loud clip: the correction is large, so the two must differ somewhere.
    #expect(try handOutputs(normalize: true, stride: 5) != (try handOutputs(normalize: false, stride: 5)))
  }
}
