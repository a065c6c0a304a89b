import Frontend
import Inference

/// How a model consumes features.
public enum ModelKind: String, Equatable, Sendable {
  /// Looks at a sliding window of frames (a DS-CNN over 1 s, say), invoked every
  /// `strideFrames` frames; one score per label.
  case classifier
  /// Keeps its own state (resource variables) and takes `stride` new frames per
  /// invocation, as microWakeWord models do; one probability out.
  case streaming
}

/// What one model needs around it in the spotter.
public struct SpotterModelConfig: Sendable {
  public var kind: ModelKind
  public var frontend: FrontendKind
  /// Classifier cadence: invoke every this many new frames (once the window is full).
  public var strideFrames: Int
  /// Input quantization override; nil = the model's input tensor's own.
  public var inputScale: Double?
  public var inputZeroPoint: Int32?
  /// The output index of each keyword and its post-processing. Labels left out
  /// (silence, unknown) never fire.
  public var keywords: [(label: Int, settings: DetectionSettings)]

  public init(
    kind: ModelKind, frontend: FrontendKind, strideFrames: Int = 1, inputScale: Double? = nil,
    inputZeroPoint: Int32? = nil, keywords: [(label: Int, settings: DetectionSettings)]
  ) {
    self.kind = kind
    self.frontend = frontend
    self.strideFrames = strideFrames
    self.inputScale = inputScale
    self.inputZeroPoint = inputZeroPoint
    self.keywords = keywords
  }
}

/// A keyword heard: which model and label, where in the stream, how sure.
public struct Detection: Equatable, Sendable {
  public var model: Int
  public var label: Int
  /// Stream position of the first sample of the evidence, and one past the last (samples).
  public var startSample: Int
  public var endSample: Int
  /// The smoothed score that fired, 0...1.
  public var score: Double
}

/// What the spotter reports while it runs. The buffers are valid during the call only.
public enum SpotterEvent {
  /// A front end produced a frame (front end index, codes).
  case features(frontend: Int, codes: UnsafeBufferPointer<Int32>)
  /// A model was invoked; its raw output tensor bytes.
  case invocation(model: Int, output: UnsafeRawBufferPointer)
  case detection(Detection)
}

public enum SpotterError: Error, CustomStringConvertible {
  case inputMismatch(model: Int, what: StaticString, expected: Int, found: Int)
  case unsupportedTensor(model: Int, what: StaticString)
  case badConfig(model: Int, what: StaticString)
  case inference(model: Int, InterpreterError)
  case frontend(FrontendError)

  public var description: String {
    switch self {
    case .inputMismatch(let model, let what, let expected, let found):
      return "model \(model): its input does not fit its front end: \(what) is \(found), the front end gives \(expected)"
    case .unsupportedTensor(let model, let what):
      return "model \(model): \(what)"
    case .badConfig(let model, let what):
      return "model \(model): \(what)"
    case .inference(let model, let error):
      return "model \(model): \(error)"
    case .frontend(let error):
      return "front end: \(error)"
    }
  }
}

/// The streaming keyword spotter: audio in any chunk size -> shared front ends ->
/// models at their cadence -> smoothing and thresholds -> detections.
///
/// Everything is allocated in `init`; `process` allocates nothing, so it runs in the
/// firmware's steady state as it does on Linux.
///
///     let spotter = try Spotter(models: [(interpreter, config)])
///     samples.withUnsafeBufferPointer { chunk in
///       spotter.process(chunk) { event in
///         if case .detection(let d) = event { print(d.label, d.endSample) }
///       }
///     }
public final class Spotter {
  final class Stage {
    var extractor: FeatureExtractor
    let kind: FrontendKind
    /// Frames produced so far.
    var frames = 0
    init(kind: FrontendKind) throws(FrontendError) {
      self.kind = kind
      extractor = try FeatureExtractor(kind)
    }
  }

  final class Slot {
    let interpreter: Interpreter
    let config: SpotterModelConfig
    let stage: Int
    let quantizer: FeatureQuantizer
    let input: TensorView
    let output: TensorView
    /// Frames per invocation (streaming) or in the window (classifier).
    let frames: Int
    let features: Int
    var window: FeatureWindow
    var quantized: [Int8]
    var pending = 0
    var sinceInvoke = 0
    var detectors: [KeywordDetector]
    let outputScale: Double
    let outputZeroPoint: Int32

    init(interpreter: Interpreter, config: SpotterModelConfig, index: Int, stage: Int, featureCount: Int,
         frameMs: Double) throws(SpotterError) {
      self.interpreter = interpreter
      self.config = config
      self.stage = stage
      input = interpreter.input(0)
      output = interpreter.output(0)
      guard input.type == .int8 else {
        throw .unsupportedTensor(model: index, what: "input tensor must be int8")
      }
      guard output.type == .int8 || output.type == .uint8 else {
        throw .unsupportedTensor(model: index, what: "output tensor must be int8 or uint8")
      }
      // [1, frames, features] or [1, frames, features, 1].
      let shape = input.shape
      guard shape.rank >= 3, shape[0] == 1, shape.rank == 3 || (shape.rank == 4 && shape[3] == 1) else {
        throw .unsupportedTensor(model: index, what: "input must be [1, frames, features] or [1, frames, features, 1]")
      }
      guard shape[2] == featureCount else {
        throw .inputMismatch(model: index, what: "features per frame", expected: featureCount, found: shape[2])
      }
      frames = shape[1]
      features = featureCount
      let scale = config.inputScale ?? Double(input.scale)
      let zeroPoint = config.inputZeroPoint ?? input.zeroPoint
      guard scale > 0 else { throw .unsupportedTensor(model: index, what: "input tensor is not quantized") }
      do {
        quantizer = try FeatureQuantizer(
          scale: Float(scale), zeroPoint: zeroPoint, codeUnit: config.frontend.codeUnit)
      } catch {
        throw .unsupportedTensor(model: index, what: "input quantization is out of range for int8 features")
      }
      window = FeatureWindow(frameCount: config.kind == .classifier ? frames : 1, featureCount: featureCount)
      quantized = Array(repeating: 0, count: featureCount)
      guard config.strideFrames >= 1 else { throw .badConfig(model: index, what: "stride must be at least 1 frame") }
      outputScale = Double(output.scale)
      outputZeroPoint = output.zeroPoint
      let labels = output.shape.elementCount
      let invocationMs = frameMs * Double(config.kind == .classifier ? config.strideFrames : frames)
      var detectors: [KeywordDetector] = []
      for keyword in config.keywords {
        guard keyword.label >= 0, keyword.label < labels else {
          throw .badConfig(model: index, what: "keyword label index outside the model's outputs")
        }
        detectors.append(
          KeywordDetector(
            settings: keyword.settings, scoreScale: outputScale, scoreZeroPoint: outputZeroPoint,
            scoreRange: output.type == .int8 ? -128...127 : 0...255, invocationMs: invocationMs))
      }
      self.detectors = detectors
    }
  }

  let stages: [Stage]
  let slots: [Slot]
  /// Samples consumed since the start (or the last reset).
  public private(set) var samplesSeen = 0

  /// - Parameter models: each interpreter (built over its own arena) with its settings.
  ///   Models on the same front end share one.
  public init(models: [(Interpreter, SpotterModelConfig)]) throws(SpotterError) {
    var stages: [Stage] = []
    var slots: [Slot] = []
    for (index, (interpreter, config)) in models.enumerated() {
      var stageIndex = -1
      for (i, s) in stages.enumerated() where s.kind == config.frontend { stageIndex = i }
      if stageIndex < 0 {
        do {
          stages.append(try Stage(kind: config.frontend))
        } catch {
          throw .frontend(error)
        }
        stageIndex = stages.count - 1
      }
      let extractor = stages[stageIndex].extractor
      let frameMs = Double(extractor.stepSamples) * 1000 / 16000
      slots.append(
        try Slot(
          interpreter: interpreter, config: config, index: index, stage: stageIndex,
          featureCount: extractor.featureCount, frameMs: frameMs))
    }
    self.stages = stages
    self.slots = slots
  }

  /// Feeds audio (16 kHz mono int16, any chunk size); reports frames, invocations and
  /// detections through `onEvent`, in stream order.
  public func process(
    _ samples: UnsafeBufferPointer<Int16>, onEvent: (SpotterEvent) -> Void
  ) throws(SpotterError) {
    var failure: SpotterError? = nil
    for (stageIndex, stage) in stages.enumerated() {
      let step = stage.extractor.stepSamples
      let windowLength = stage.extractor.windowSamples
      stage.extractor.process(samples) { codes in
        guard failure == nil else { return }
        onEvent(.features(frontend: stageIndex, codes: codes))
        let frameIndex = stage.frames
        stage.frames += 1
        for (modelIndex, slot) in slots.enumerated() where slot.stage == stageIndex {
          do throws(SpotterError) {
            try feed(slot, model: modelIndex, codes: codes, frameIndex: frameIndex, step: step,
                     windowLength: windowLength, onEvent: onEvent)
          } catch {
            failure = error
            return
          }
        }
      }
    }
    samplesSeen += samples.count
    if let failure { throw failure }
  }

  private func feed(
    _ slot: Slot, model: Int, codes: UnsafeBufferPointer<Int32>, frameIndex: Int, step: Int,
    windowLength: Int, onEvent: (SpotterEvent) -> Void
  ) throws(SpotterError) {
    slot.quantized.withUnsafeMutableBufferPointer { q in
      for i in 0..<slot.features { q[i] = slot.quantizer.quantize(codes[i]) }
    }
    switch slot.config.kind {
    case .streaming:
      // Rows of the input tensor fill up in time order; invoke when all are new.
      let row = slot.input.data.assumingMemoryBound(to: Int8.self) + slot.pending * slot.features
      slot.quantized.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: slot.features) }
      slot.pending += 1
      guard slot.pending == slot.frames else { return }
      slot.pending = 0
    case .classifier:
      slot.quantized.withUnsafeBufferPointer { slot.window.push($0) }
      slot.sinceInvoke += 1
      guard slot.window.isFull, slot.sinceInvoke >= slot.config.strideFrames else { return }
      slot.sinceInvoke = 0
      slot.window.copy(into: slot.input.data.assumingMemoryBound(to: Int8.self))
    }
    do {
      try slot.interpreter.invoke()
    } catch {
      throw .inference(model: model, error)
    }
    onEvent(.invocation(model: model, output: UnsafeRawBufferPointer(start: slot.output.data, count: slot.output.byteCount)))
    let endSample = frameIndex * step + windowLength
    for (k, keyword) in slot.config.keywords.enumerated() {
      let code: Int32 =
        slot.output.type == .int8
        ? Int32(slot.output.data.load(fromByteOffset: keyword.label, as: Int8.self))
        : Int32(slot.output.data.load(fromByteOffset: keyword.label, as: UInt8.self))
      guard slot.detectors[k].push(code) else { continue }
      // Evidence: the frames behind the averaged invocations.
      let framesBehind =
        slot.config.kind == .classifier
        ? slot.frames + (keyword.settings.smoothingWindow - 1) * slot.config.strideFrames
        : keyword.settings.smoothingWindow * slot.frames
      let firstFrame = max(0, frameIndex - framesBehind + 1)
      onEvent(
        .detection(
          Detection(
            model: model, label: keyword.label, startSample: firstFrame * step, endSample: endSample,
            score: slot.detectors[k].lastFiredScore)))
    }
  }

  /// Back to the start of a stream: front ends, windows, detectors and every model's
  /// state (resource variables) reset, without reloading anything.
  public func reset() {
    for stage in stages {
      stage.extractor.reset()
      stage.frames = 0
    }
    for slot in slots {
      slot.window.reset()
      slot.pending = 0
      slot.sinceInvoke = 0
      for k in slot.detectors.indices { slot.detectors[k].reset() }
      slot.interpreter.reset()
    }
    samplesSeen = 0
  }
}
