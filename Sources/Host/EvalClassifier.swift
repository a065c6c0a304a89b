// One evaluation worker for classifier models: a 1 s clip in, the model's scores out.
// Each worker owns its front end, quantizer and interpreter (its own arena), so workers
// run in parallel without sharing state, and a clip's scores never depend on which
// worker ran it or what it ran before (the front end starts fresh for every clip).
import Frontend
import Inference

public final class EvalClassifier {
  /// Samples per clip: 1 s at 16 kHz.
  public static let clipSamples = 16_000

  public let manifest: ModelManifest
  let runner: ModelRunner
  let quantizer: FeatureQuantizer
  let frames: Int
  let features: Int
  var extractor: FeatureExtractor
  var mfcc: MFCCFrontend?
  var codes: [Int32]
  var clip: [Int16]
  public let outputScale: Double
  public let outputZeroPoint: Int32

  public init(manifest: ModelManifest) throws(EvalError) {
    self.manifest = manifest
    do {
      runner = try ModelRunner(path: manifest.modelPath)
    } catch {
      throw EvalError("\(manifest.source): \(error.message(after: manifest.source))")
    }
    let interpreter = runner.interpreter
    guard interpreter.inputCount == 1, interpreter.outputCount == 1 else {
      throw EvalError("\(manifest.source): eval runs models with one input and one output")
    }
    let input = interpreter.input(0)
    let output = interpreter.output(0)
    guard input.type == .int8, output.type == .int8 || output.type == .uint8 else {
      throw EvalError("\(manifest.source): eval needs an int8 input and an int8 or uint8 output")
    }
    guard output.shape.elementCount == manifest.labels.count else {
      throw EvalError(
        "\(manifest.source): \(manifest.labels.count) labels but the model has \(output.shape.elementCount) outputs"
      )
    }
    do {
      extractor = try FeatureExtractor(manifest.frontend)
      if manifest.normalization == .clipPeak { mfcc = try MFCCFrontend() }
    } catch {
      throw EvalError("\(manifest.source): front end: \(error)")
    }
    let shape = input.shape
    guard shape.rank >= 3, shape[0] == 1, shape[2] == extractor.featureCount else {
      throw EvalError(
        "\(manifest.source): the input \(shape) is not [1, frames, \(extractor.featureCount)(, 1)] for the \(manifest.frontend.name) front end"
      )
    }
    frames = shape[1]
    features = shape[2]
    let scale = manifest.inputScale ?? Double(input.scale)
    let zeroPoint = manifest.inputZeroPoint.map { Int32($0) } ?? input.zeroPoint
    do {
      quantizer = try FeatureQuantizer(
        scale: Float(scale), zeroPoint: zeroPoint, codeUnit: manifest.frontend.codeUnit)
    } catch {
      throw EvalError(
        "\(manifest.source): input quantization (\(scale), \(zeroPoint)) does not fit int8 features"
      )
    }
    outputScale = Double(output.scale)
    outputZeroPoint = output.zeroPoint
    // Room for every frame a 1 s clip can give (the MFCC gives 49, the microfrontend 98).
    codes = Array(repeating: 0, count: (Self.clipSamples / extractor.stepSamples + 1) * features)
    clip = Array(repeating: 0, count: Self.clipSamples)
  }

  /// The model's output codes for one clip (raw int8/uint8 values as Int32).
  ///
  /// The clip is trimmed or zero-padded at the end to 1 s. (No training recipe ships
  /// yet that says otherwise; Speech Commands clips are 1 s or a little shorter.)
  public func classify(_ samples: [Int16]) throws(EvalError) -> [Int32] {
    let n = min(samples.count, Self.clipSamples)
    for i in 0..<Self.clipSamples { clip[i] = i < n ? samples[i] : 0 }
    var produced = 0
    let capacity = codes.count / features
    if let mfcc, MFCCFrontend.positivePeak(clip.withUnsafeBufferPointer { $0 }) != nil {
      var frontend = mfcc
      let count: Int
      do {
        count = try clip.withUnsafeBufferPointer { s throws(MFCCError) in
          try codes.withUnsafeMutableBufferPointer { c throws(MFCCError) in
            try frontend.normalizedClipFeatures(s, into: c)
          }
        }
      } catch {
        throw EvalError("MFCC clip-peak normalization: \(error)")
      }
      self.mfcc = frontend
      produced = count
    } else {
      // Without normalization, or for a clip with no positive sample (x / max(x) is
      // undefined there; such a clip is fed as it is).
      extractor.reset()
      let f = features
      codes.withUnsafeMutableBufferPointer { c in
        clip.withUnsafeBufferPointer { s in
          extractor.process(s) { frame in
            guard produced < capacity else { return }
            for i in 0..<f { c[produced * f + i] = frame[i] }
            produced += 1
          }
        }
      }
    }
    guard produced >= frames else {
      throw EvalError("1 s gives \(produced) frames but the model wants \(frames)")
    }
    let interpreter = runner.interpreter
    interpreter.reset()
    let input = interpreter.input(0).data.assumingMemoryBound(to: Int8.self)
    codes.withUnsafeBufferPointer { c in
      for i in 0..<(frames * features) { input[i] = quantizer.quantize(c[i]) }
    }
    do {
      try interpreter.invoke()
    } catch {
      throw EvalError("inference: \(error)")
    }
    let output = interpreter.output(0)
    let count = manifest.labels.count
    if output.type == .int8 {
      return (0..<count).map { Int32(output.data.load(fromByteOffset: $0, as: Int8.self)) }
    }
    return (0..<count).map { Int32(output.data.load(fromByteOffset: $0, as: UInt8.self)) }
  }

  /// Reads and classifies one item.
  public func classify(_ item: EvalItem) throws(EvalError) -> [Int32] {
    switch item.source {
    case .cut(let samples):
      return try classify(samples)
    case .file(let path):
      let clip: AudioClip
      do {
        clip = try AudioClip.read(path: path)
      } catch {
        throw EvalError(error.description)
      }
      return try classify(clip.samples)
    }
  }
}
