// `kws eval`: batch accuracy over folders of audio, in two modes.
// - Classification: DIR in the Speech Commands layout, one inference per 1 s clip.
// - Detection: --positives / --negatives folders streamed through the spotter; FRR,
//   false accepts per hour, and the DET curve over thresholds.
import ArgumentParser
import Foundation
import Host

struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Measure a model's accuracy over folders of audio.",
    discussion: """
      Classification (a folder per label, Speech Commands layout):
        kws eval --model m.json DIR [--split testing] [--json r.json] [--report r.html]
      Words the model lacks (and _unknown_) count as unknown; silence/_silence_ hold
      silence clips; _background_noise_ recordings are cut into 1 s silence clips. Each
      clip is trimmed or zero-padded at the end to 1 s, one inference, argmax.

      Detection (streaming spotter, the model's own threshold and smoothing):
        kws eval --model okay_nabu.json --positives P --negatives N [--target-fa-per-hour 0.5]
      A file that cannot be read is reported and skipped; results do not depend on --jobs.
      """)

  @OptionGroup var models: ModelOptions

  @Argument(help: "Classification: the folder with a subfolder per label.")
  var directory: String?

  @Option(help: "Classification: only the clips in DIR/<split>_list.txt (testing or validation).")
  var split: String?

  @Option(help: "Detection: folder of files that each contain the keyword.")
  var positives: String?

  @Option(help: "Detection: folder of recordings without the keyword.")
  var negatives: String?

  @Option(help: "Detection: the false accepts per hour to find a threshold for.")
  var targetFaPerHour: Double = 0.5

  @Option(help: "Write the results as JSON to this file.")
  var json: String?

  @Option(help: "Write a self-contained HTML report to this file.")
  var report: String?

  @Option(help: "Parallel workers (default: all cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    let detection = positives != nil || negatives != nil
    if detection {
      guard positives != nil, negatives != nil else {
        throw ValidationError("detection mode needs both --positives and --negatives")
      }
      guard directory == nil else {
        throw ValidationError("give either DIR or --positives/--negatives, not both")
      }
    } else {
      guard directory != nil else {
        throw ValidationError("give DIR (classification) or --positives/--negatives")
      }
    }
    if let split, EvalSplit(rawValue: split) == nil {
      throw ValidationError("--split must be testing or validation")
    }
    guard targetFaPerHour >= 0 else {
      throw ValidationError("--target-fa-per-hour must not be negative")
    }
  }

  func run() throws {
    let manifests = try models.manifests()
    guard manifests.count == 1 else { throw CommandFailure("eval takes one model") }
    let manifest = manifests[0]
    do {
      if let positives, let negatives {
        try detection(manifest, positives: positives, negatives: negatives)
      } else if let directory {
        try classification(manifest, directory: directory)
      }
    } catch let error as EvalError {
      throw CommandFailure(error.description)
    }
  }

  private func warn(_ text: String) {
    FileHandle.standardError.write(Data("kws eval: \(text)\n".utf8))
  }

  private func write(_ data: Data, to path: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: path))
    } catch {
      throw CommandFailure("\(path): cannot write (\(error.localizedDescription))")
    }
  }

  private func classification(_ manifest: ModelManifest, directory: String) throws {
    let dataset = try EvalDataset(
      directory: directory, labels: manifest.labels, split: split.flatMap(EvalSplit.init(rawValue:))
    )
    let items = dataset.items
    let progress = EvalProgress(total: items.count, label: "clips")
    let results = try EvalParallel.map(
      count: items.count, jobs: jobs, makeWorker: { try EvalClassifier(manifest: manifest) },
      progress: { progress.update($0) }
    ) { (worker: EvalClassifier, i: Int) -> Result<[Double], EvalError> in
      do throws(EvalError) {
        let codes = try worker.classify(items[i])
        return .success(codes.map { Double($0 - worker.outputZeroPoint) * worker.outputScale })
      } catch {
        return .failure(error)
      }
    }
    var metrics = ClassificationMetrics(labels: manifest.labels)
    var skipped = dataset.skipped
    for (item, result) in zip(items, results) {
      switch result {
      case .success(let scores): metrics.add(name: item.name, truth: item.truth, scores: scores)
      case .failure(let error):
        warn("\(item.name): \(error.description) (skipped)")
        skipped.append(EvalSkip(file: item.name, reason: error.description))
      }
    }
    let summary = ClassificationReport(model: manifest.name, metrics: metrics, skipped: skipped)
    print(EvalText.classification(summary))
    if let json { try write(summary.json(), to: json) }
    if let report { try write(Data(EvalHTML.classification(summary).utf8), to: report) }
  }

  private func detection(_ manifest: ModelManifest, positives: String, negatives: String) throws {
    var skipped: [EvalSkip] = []
    func files(_ folder: String) throws -> [String] {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw CommandFailure("\(folder): not a folder")
      }
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
      return names.filter { !$0.hasPrefix(".") }.map {
        URL(fileURLWithPath: folder).appendingPathComponent($0).path
      }
    }
    let positiveFiles = try files(positives)
    let negativeFiles = try files(negatives)
    let all = positiveFiles + negativeFiles
    let progress = EvalProgress(total: all.count, label: "files")
    let setup = try EvalStreamer(manifest: manifest).setup
    let results = try EvalParallel.map(
      count: all.count, jobs: jobs, makeWorker: { try EvalStreamer(manifest: manifest) },
      progress: { progress.update($0) }
    ) { (worker: EvalStreamer, i: Int) -> Result<RecordedScores, EvalError> in
      do throws(EvalError) { return .success(try worker.record(path: all[i])) } catch {
        return .failure(error)
      }
    }
    var recordedPositives: [RecordedScores] = []
    var recordedNegatives: [RecordedScores] = []
    for (i, result) in results.enumerated() {
      switch result {
      case .success(let r):
        if i < positiveFiles.count {
          recordedPositives.append(r)
        } else {
          recordedNegatives.append(r)
        }
      case .failure(let error):
        warn("\(all[i]): \(error.description) (skipped)")
        skipped.append(EvalSkip(file: all[i], reason: error.description))
      }
    }
    let summary = DetectionReport(
      model: manifest.name, setup: setup, positives: recordedPositives,
      negatives: recordedNegatives,
      targetFAPerHour: targetFaPerHour, skipped: skipped)
    print(EvalText.detection(summary))
    if let json { try write(summary.json(), to: json) }
    if let report { try write(Data(EvalHTML.detection(summary).utf8), to: report) }
  }
}
