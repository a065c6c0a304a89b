// `kws detect FILE...`: run the streaming spotter over audio files, as it would run on
// a microphone, and print what it hears.
import ArgumentParser
import Foundation
import Host
import Inference
import Spotter

struct DetectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "detect",
    abstract: "Spot keywords in audio files with the streaming spotter.",
    discussion: """
      Each file streams through the same path as the microphone (front end, models at
      their cadence, smoothing, thresholds, refractory period), from a fresh state.
      A file that cannot be read is reported and skipped; the exit status is 1 if any was.

      Examples:
        kws detect clip.wav
        kws detect --model okay_nabu.json --json *.wav
        kws detect --model m.tflite --frontend mfcc --labels yes,no,silence,unknown a.wav
      """)

  @OptionGroup var models: ModelOptions

  @Flag(help: "One JSON object per detection: {\"file\", \"model\", \"keyword\", \"start\", \"end\", \"score\"}.")
  var json = false

  @Flag(help: "Also print every model invocation's raw output (JSON lines with --json).")
  var scores = false

  @Option(help: "Invoke classifier models every N frames (default: the manifest's stride_frames).")
  var stride: Int?

  @Argument(help: "Audio files (any format libsndfile reads; resampled to 16 kHz mono).")
  var files: [String]

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one audio file") }
    if let stride, stride < 1 { throw ValidationError("--stride must be at least 1") }
  }

  func run() throws {
    let session = try models.session(classifierStrideFrames: stride)
    var failed = 0
    for file in files {
      do {
        try detect(file, session: session)
      } catch let error as AudioError {
        failed += 1
        FileHandle.standardError.write(Data("kws detect: \(error.description) (skipped)\n".utf8))
      }
    }
    if failed > 0 { throw ExitCode(1) }
  }

  private func detect(_ file: String, session: SpotterSession) throws {
    let reader = try AudioFileReader(path: file)
    for warning in reader.warnings {
      FileHandle.standardError.write(Data("kws detect: \(warning.description)\n".utf8))
    }
    let spotter = session.spotter
    spotter.reset()
    var found = 0
    var invocation = [Int](repeating: 0, count: session.manifests.count)
    while let block = try reader.nextBlock() {
      try block.withUnsafeBufferPointer { chunk in
        try spotter.process(chunk) { event in
          switch event {
          case .detection(let d):
            found += 1
            let record = DetectionRecord(file: file, session: session, detection: d)
            print(json ? record.json : record.text)
          case .invocation(let model, let output):
            invocation[model] += 1
            guard scores else { return }
            let values = Self.values(output, type: session.runners[model].interpreter.output(0).type)
            if json {
              print(
                "{\"file\":\(jsonString(file)),\"model\":\(jsonString(session.manifests[model].name)),"
                  + "\"invocation\":\(invocation[model] - 1),\"output\":[\(values.map(String.init).joined(separator: ","))]}")
            } else {
              print("\(file)\t\(session.manifests[model].name)\t#\(invocation[model] - 1)\t\(values)")
            }
          case .features:
            break
          }
        }
      }
    }
    if found == 0 && !json { print("\(file)\t-") }
  }

  static func values(_ output: UnsafeRawBufferPointer, type: TensorType) -> [Int] {
    type == .int8 ? output.map { Int(Int8(bitPattern: $0)) } : output.map { Int($0) }
  }

}
