// Builds a running spotter from model manifests: loads each model with its own arena
// (`ModelRunner`), maps labels to output indices, and checks that each model fits its
// front end. Keeps the models alive as long as the session.
import Frontend
import Inference
import Spotter

public struct SessionError: Error, CustomStringConvertible {
  public let source: String
  public let problem: String
  public var description: String { "\(source): \(problem)" }
}

public final class SpotterSession {
  public let manifests: [ModelManifest]
  public let spotter: Spotter
  public let runners: [ModelRunner]

  /// - Parameter classifierStrideFrames: invoke classifier models every this many frames
  ///   (default: the manifest's `stride_frames`, else a tenth of the window).
  public init(manifests: [ModelManifest], classifierStrideFrames: Int? = nil) throws(SessionError) {
    self.manifests = manifests
    var runners: [ModelRunner] = []
    var models: [(Interpreter, SpotterModelConfig)] = []
    for manifest in manifests {
      let runner: ModelRunner
      do {
        runner = try ModelRunner(path: manifest.modelPath)
      } catch {
        throw SessionError(source: manifest.source, problem: error.message(after: manifest.source))
      }
      runners.append(runner)
      models.append(
        (
          runner.interpreter,
          try SpotterSession.config(
            for: manifest, interpreter: runner.interpreter, classifierStrideFrames: classifierStrideFrames)
        ))
    }
    do {
      spotter = try Spotter(models: models)
    } catch {
      let source = {
        switch error {
        case .inputMismatch(let m, _, _, _), .unsupportedTensor(let m, _), .badConfig(let m, _),
          .inference(let m, _):
          return manifests[m].source
        case .frontend: return "front end"
        }
      }()
      throw SessionError(source: source, problem: "\(error)")
    }
    self.runners = runners
  }

  /// The keyword name of a detection.
  public func keyword(of detection: Detection) -> String {
    let manifest = manifests[detection.model]
    return manifest.labels.count == 1 ? manifest.labels[0] : manifest.labels[detection.label]
  }

  static func config(
    for manifest: ModelManifest, interpreter: Interpreter, classifierStrideFrames: Int?
  ) throws(SessionError) -> SpotterModelConfig {
    guard interpreter.inputCount == 1, interpreter.outputCount == 1 else {
      throw SessionError(
        source: manifest.source,
        problem: "the spotter runs models with one input and one output; this one has \(interpreter.inputCount) and \(interpreter.outputCount)")
    }
    let outputs = interpreter.output(0).shape.elementCount
    // A model with resource variables keeps state between invocations: streaming.
    let kind = manifest.kind ?? (interpreter.variableBytes > 0 ? .streaming : .classifier)
    guard manifest.labels.count == outputs else {
      throw SessionError(
        source: manifest.source, problem: "\(manifest.labels.count) labels but the model has \(outputs) outputs")
    }
    let keywords = manifest.keywords.map { k in
      (label: manifest.labels.firstIndex(of: k)!, settings: manifest.detectionSettings(for: k))
    }
    let input = interpreter.input(0).shape
    let windowFrames = input.rank >= 2 ? input[1] : 1
    if let declared = manifest.windowFrames, declared != windowFrames {
      throw SessionError(
        source: manifest.source,
        problem: "window_frames is \(declared) but the model's input holds \(windowFrames) frames")
    }
    return SpotterModelConfig(
      kind: kind, frontend: manifest.frontend,
      strideFrames: classifierStrideFrames ?? manifest.strideFrames ?? max(1, windowFrames / 10),
      inputScale: manifest.inputScale, inputZeroPoint: manifest.inputZeroPoint.map { Int32($0) },
      keywords: keywords, clipPeakNormalization: manifest.normalization == .clipPeak && kind == .classifier)
  }
}
