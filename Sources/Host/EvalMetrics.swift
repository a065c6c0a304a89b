// Classification metrics from (truth, prediction) pairs: top-1 accuracy, per-class
// precision and recall, the confusion matrix, and the misclassified clips.
//
//     var m = ClassificationMetrics(labels: ["silence", "unknown", "yes"])
//     m.add(name: "yes/a.wav", truth: 2, scores: [0.1, 0.2, 0.7])   // correct
//     m.add(name: "yes/b.wav", truth: 2, scores: [0.6, 0.3, 0.1])   // predicted silence
//     m.accuracy                       // 0.5
//     m.confusion[2]                   // [1, 0, 1]: row = truth, column = prediction
import Foundation

public struct ClassMetrics: Codable, Equatable, Sendable {
  public var label: String
  /// Clips whose truth is this label.
  public var support: Int
  /// Clips predicted as this label.
  public var predicted: Int
  public var correct: Int
  /// correct / predicted (0 when nothing was predicted as this label).
  public var precision: Double
  /// correct / support (0 when no clip has this truth).
  public var recall: Double
}

/// One clip's outcome.
public struct ClipResult: Codable, Equatable, Sendable {
  public var file: String
  public var truth: String
  public var predicted: String
  /// The model's output as probabilities (dequantized), in label order.
  public var scores: [Double]
}

public struct ClassificationMetrics: Sendable {
  public let labels: [String]
  /// confusion[truth][prediction] = clip count.
  public private(set) var confusion: [[Int]]
  /// Every clip, in the order added.
  public private(set) var clips: [ClipResult] = []
  public var misclassified: [ClipResult] { clips.filter { $0.truth != $0.predicted } }

  public init(labels: [String]) {
    self.labels = labels
    confusion = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
  }

  /// The prediction: the first index of the highest score (numpy's argmax rule).
  public static func argmax<T: Comparable>(_ scores: [T]) -> Int {
    var best = 0
    for i in scores.indices where scores[i] > scores[best] { best = i }
    return best
  }

  public mutating func add(name: String, truth: Int, scores: [Double]) {
    let predicted = Self.argmax(scores)
    confusion[truth][predicted] += 1
    clips.append(
      ClipResult(file: name, truth: labels[truth], predicted: labels[predicted], scores: scores))
  }

  public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
  public var correct: Int { labels.indices.reduce(0) { $0 + confusion[$1][$1] } }
  public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

  public var perClass: [ClassMetrics] {
    labels.indices.map { i in
      let support = confusion[i].reduce(0, +)
      let predicted = labels.indices.reduce(0) { $0 + confusion[$1][i] }
      let correct = confusion[i][i]
      return ClassMetrics(
        label: labels[i], support: support, predicted: predicted, correct: correct,
        precision: predicted == 0 ? 0 : Double(correct) / Double(predicted),
        recall: support == 0 ? 0 : Double(correct) / Double(support))
    }
  }
}

/// What `kws eval --json` writes in classification mode.
public struct ClassificationReport: Codable, Sendable {
  public var mode = "classification"
  public var model: String
  public var accuracy: Double
  public var correct: Int
  public var total: Int
  public var labels: [String]
  /// Rows = truth, columns = prediction, in `labels` order.
  public var confusion: [[Int]]
  public var per_class: [ClassMetrics]
  public var misclassified: [ClipResult]
  /// Every clip's outcome, in file order.
  public var clips: [ClipResult]
  public var skipped: [EvalSkip]

  public init(model: String, metrics: ClassificationMetrics, skipped: [EvalSkip]) {
    self.model = model
    accuracy = metrics.accuracy
    correct = metrics.correct
    total = metrics.total
    labels = metrics.labels
    confusion = metrics.confusion
    per_class = metrics.perClass
    misclassified = metrics.misclassified
    clips = metrics.clips
    self.skipped = skipped
  }

  public func json() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return (try? encoder.encode(self)) ?? Data()
  }
}
