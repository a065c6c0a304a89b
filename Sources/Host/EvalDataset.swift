// The clips of a classification evaluation, from a folder in the Speech Commands layout:
//
//   DIR/yes/0a7c2a8d_nohash_0.wav     truth "yes" if the model has that label
//   DIR/bed/...                       a word the model lacks: truth "unknown"
//   DIR/_unknown_/..., DIR/unknown/   truth "unknown"
//   DIR/_silence_/..., DIR/silence/   truth "silence"
//   DIR/_background_noise_/*.wav      long recordings cut into 1 s "silence" clips
//   DIR/testing_list.txt              with --split testing: only the clips listed
//
// List entries are compared without their extension (the lists name .wav files; a
// FLAC copy of the set keeps the names), so `yes/0a7c2a8d_nohash_0.wav` selects
// `yes/0a7c2a8d_nohash_0.flac` too. Background recordings count in every split, as the
// Speech Commands training script draws silence from them for every split.
import Foundation

public enum EvalSplit: String, CaseIterable, Sendable {
  case testing, validation
  var listName: String { "\(rawValue)_list.txt" }
}

/// Where one clip's samples come from.
public enum EvalSource: Sendable {
  /// A whole file (one clip).
  case file(String)
  /// A 1 s cut of a background recording, already read (16 kHz mono).
  case cut([Int16])
}

public struct EvalItem: Sendable {
  /// The name in reports: the path relative to DIR, `#k` for the k-th cut of a recording.
  public var name: String
  public var source: EvalSource
  /// Index of the truth label among the model's labels.
  public var truth: Int
}

public struct EvalDataset: Sendable {
  public var items: [EvalItem]
  /// Files and folders that could not be used, with the reason.
  public var skipped: [EvalSkip]

  static let audioExtensions: Set<String> = [
    "wav", "flac", "ogg", "aiff", "aif", "au", "w64", "caf",
  ]
  static let silenceFolders: Set<String> = ["silence", "_silence_"]
  static let unknownFolders: Set<String> = ["unknown", "_unknown_"]
  static let backgroundFolder = "_background_noise_"

  /// Reads the layout under `directory` for a model with `labels`.
  ///
  /// - Parameter clipSamples: length of a background cut (16,000 = 1 s).
  public init(
    directory: String, labels: [String], split: EvalSplit?, clipSamples: Int = 16_000
  ) throws(EvalError) {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw EvalError("\(directory): not a folder (expected a folder per label)")
    }
    let root = URL(fileURLWithPath: directory)
    var selected: Set<String>? = nil
    if let split {
      let list = root.appendingPathComponent(split.listName).path
      if let text = try? String(contentsOfFile: list, encoding: .utf8) {
        selected = Set(text.split(whereSeparator: \.isNewline).map { Self.stem(String($0)) })
      } else {
        throw EvalError("\(list): --split \(split.rawValue) needs this list, which cannot be read")
      }
    }
    let silence = labels.firstIndex { Self.silenceFolders.contains($0) }
    let unknown = labels.firstIndex { Self.unknownFolders.contains($0) }
    let folders = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    var items: [EvalItem] = []
    var skipped: [EvalSkip] = []
    for folder in folders {
      let path = root.appendingPathComponent(folder).path
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        continue
      }
      let files = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter {
        Self.audioExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased())
      }.sorted()
      if folder == Self.backgroundFolder {
        guard let silence else {
          skipped.append(EvalSkip(file: folder, reason: "the model has no silence label"))
          continue
        }
        for file in files {
          let name = "\(folder)/\(file)"
          do {
            let clip = try AudioClip.read(path: root.appendingPathComponent(name).path)
            var start = 0
            var k = 0
            while start + clipSamples <= clip.samples.count {
              items.append(
                EvalItem(
                  name: "\(name)#\(k)",
                  source: .cut(Array(clip.samples[start..<(start + clipSamples)])),
                  truth: silence))
              start += clipSamples
              k += 1
            }
          } catch {
            skipped.append(EvalSkip(file: name, reason: error.description))
          }
        }
        continue
      }
      let truth: Int?
      if Self.silenceFolders.contains(folder) {
        truth = silence
      } else if Self.unknownFolders.contains(folder) {
        truth = unknown
      } else {
        truth = labels.firstIndex(of: folder) ?? unknown
      }
      guard let truth else {
        skipped.append(
          EvalSkip(
            file: folder,
            reason:
              "no label for this folder (the model has no \(Self.silenceFolders.contains(folder) ? "silence" : "unknown") label)"
          ))
        continue
      }
      for file in files {
        let name = "\(folder)/\(file)"
        if let selected, !selected.contains(Self.stem(name)) { continue }
        items.append(
          EvalItem(name: name, source: .file(root.appendingPathComponent(name).path), truth: truth))
      }
    }
    self.items = items
    self.skipped = skipped
  }

  /// `word/file.wav` -> `word/file`.
  static func stem(_ name: String) -> String {
    let trimmed = name.trimmingCharacters(in: .whitespaces)
    guard let dot = trimmed.lastIndex(of: "."), !trimmed[dot...].contains("/") else {
      return trimmed
    }
    return String(trimmed[..<dot])
  }
}

/// A file the evaluation could not use, and why.
public struct EvalSkip: Codable, Equatable, Sendable {
  public var file: String
  public var reason: String
  public init(file: String, reason: String) {
    self.file = file
    self.reason = reason
  }
}

/// A problem that stops an evaluation before it starts (bad folder, bad model).
public struct EvalError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
