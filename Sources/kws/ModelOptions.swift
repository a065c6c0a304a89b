// The model options shared by `detect`, `listen` and `eval`: which models, and how to
// read a bare .tflite. The default is the shipped model, found next to the tool.
import ArgumentParser
import Foundation
import Host
import Spotter

struct ModelOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "A model manifest (.json: kws or microWakeWord v2) or a bare .tflite (then give --frontend and --labels). Repeat for several models.",
      valueName: "model"))
  var model: [String] = []

  @Option(help: "Front end of a bare .tflite: microfrontend, micro-speech or mfcc.")
  var frontend: String?

  @Option(help: "Labels of a bare .tflite, in output order, comma-separated (silence/unknown never fire).")
  var labels: String?

  @Option(help: "Override every keyword's detection threshold (probability 0...1).")
  var threshold: Double?

  func validate() throws {
    if let threshold, !(0...1).contains(threshold) {
      throw ValidationError("--threshold must be between 0 and 1")
    }
  }

  /// The shipped model's manifest: `$KWS_MODEL`, else `Models/kws-speech-commands.json`
  /// in the first folder above the executable that has one (a build tree or an install).
  static func defaultManifest() -> String? {
    if let path = ProcessInfo.processInfo.environment["KWS_MODEL"] { return path }
    var url = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]).deletingLastPathComponent()
    while url.path != "/" {
      let candidate = url.appendingPathComponent("Models/kws-speech-commands.json").path
      if FileManager.default.fileExists(atPath: candidate) { return candidate }
      url.deleteLastPathComponent()
    }
    return nil
  }

  /// Reads every manifest (or bare model) named, or the default one.
  func manifests() throws -> [ModelManifest] {
    var paths = model
    if paths.isEmpty {
      guard let path = Self.defaultManifest() else {
        throw CommandFailure("no --model given and the shipped model (Models/kws-speech-commands.json) was not found")
      }
      paths = [path]
    }
    var result: [ModelManifest] = []
    for path in paths {
      var manifest: ModelManifest
      do {
        if path.hasSuffix(".tflite") {
          guard let frontend, let labels else {
            throw CommandFailure("\(path): a bare .tflite needs --frontend NAME and --labels a,b,c")
          }
          manifest = try ModelManifest.bare(
            modelPath: path, frontend: frontend,
            labels: labels.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) },
            detection: DetectionSettings(threshold: threshold ?? 0.8, smoothingWindow: 3, refractoryMs: 1000))
        } else {
          manifest = try ModelManifest.load(path: path)
        }
      } catch let error as ManifestError {
        throw CommandFailure(error.description)
      }
      if let threshold {
        manifest.detection.threshold = threshold
        for k in manifest.keywordDetection.keys { manifest.keywordDetection[k]?.threshold = threshold }
      }
      result.append(manifest)
    }
    return result
  }

  func session(classifierStrideFrames: Int? = nil) throws -> SpotterSession {
    do {
      return try SpotterSession(manifests: try manifests(), classifierStrideFrames: classifierStrideFrames)
    } catch let error as SessionError {
      throw CommandFailure(error.description)
    }
  }
}

/// A detection as printed: seconds in the stream.
struct DetectionRecord: Encodable {
  var file: String
  var model: String
  var keyword: String
  var start: Double
  var end: Double
  var score: Double

  init(file: String, session: SpotterSession, detection: Detection) {
    self.file = file
    model = session.manifests[detection.model].name
    keyword = session.keyword(of: detection)
    start = Double(detection.startSample) / 16000
    end = Double(detection.endSample) / 16000
    score = detection.score
  }

  var json: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
  }

  var text: String {
    "\(file)\t\(keyword)\t\(String(format: "%.2f-%.2f s", start, end))\tscore \(String(format: "%.3f", score))\t(\(model))"
  }
}
