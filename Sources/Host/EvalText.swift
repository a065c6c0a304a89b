// The terminal summary of an evaluation (the JSON holds the same figures in full).
import Foundation

public enum EvalText {
  static func percent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

  public static func classification(_ r: ClassificationReport) -> String {
    var lines = ["accuracy \(percent(r.accuracy)) (\(r.correct)/\(r.total)) \(r.model)"]
    let width = max(8, (r.labels.map(\.count).max() ?? 0) + 1)
    func pad(_ s: String) -> String {
      s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
    lines.append(pad("label") + "precision  recall    clips")
    for c in r.per_class {
      lines.append(
        pad(c.label)
          + String(
            format: "%-10@ %-9@ %d", percent(c.precision) as NSString,
            percent(c.recall) as NSString, c.support))
    }
    lines.append("confusion (rows: truth, columns: prediction)")
    lines.append(
      pad("")
        + r.labels.map { String($0.prefix(6)).padding(toLength: 7, withPad: " ", startingAt: 0) }
        .joined())
    for (i, row) in r.confusion.enumerated() {
      lines.append(
        pad(r.labels[i])
          + row.map { String($0).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined())
    }
    if !r.misclassified.isEmpty {
      lines.append("misclassified:")
      for m in r.misclassified {
        let top = m.scores.max() ?? 0
        lines.append("  \(m.file)\t\(m.truth) -> \(m.predicted)\t\(String(format: "%.3f", top))")
      }
    }
    if !r.skipped.isEmpty { lines.append("skipped \(r.skipped.count) (see stderr / --json)") }
    return lines.joined(separator: "\n")
  }

  public static func detection(_ r: DetectionReport) -> String {
    var lines = [
      "\(r.model) at threshold \(r.threshold): FRR \(percent(r.frr)) (\(r.positives - r.positives_detected)/\(r.positives) missed), "
        + String(format: "%.3f", r.fa_per_hour) + " false accepts/h (\(r.false_accepts) in "
        + String(format: "%.4f", r.negative_hours) + " h)"
    ]
    if let t = r.target.threshold, let frr = r.target.frr {
      lines.append(
        "target \(r.target.fa_per_hour) FA/h: threshold \(t) gives FRR \(percent(frr)), "
          + String(format: "%.3f", r.target.achieved_fa_per_hour ?? 0) + " FA/h")
    } else {
      lines.append("target \(r.target.fa_per_hour) FA/h: no threshold on the curve meets it")
    }
    if !r.skipped.isEmpty { lines.append("skipped \(r.skipped.count) (see stderr / --json)") }
    return lines.joined(separator: "\n")
  }
}
