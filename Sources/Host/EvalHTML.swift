// The `--report` page: one self-contained HTML file (inline CSS and SVG, no scripts,
// no external assets) with the summary, the confusion matrix as a heat map, per-class
// figures, the misclassified clips, and in detection mode the DET curve.
import Foundation

public enum EvalHTML {
  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

  static func page(title: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
    <style>
    body{font-family:sans-serif;margin:2em;color:#222}
    table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
    th{background:#f4f4f4}.big{font-size:1.6em;font-weight:bold}
    </style></head><body>
    <h1>\(escape(title))</h1>
    \(body)
    </body></html>
    """
  }

  /// The confusion matrix as an SVG heat map: each cell shaded by its share of its row
  /// (the recall view), count written in the cell.
  public static func confusionSVG(labels: [String], confusion: [[Int]]) -> String {
    let n = labels.count
    let cell = 44
    let margin = 90
    let size = margin + n * cell + 10
    var s =
      "<svg id=\"confusion\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size)\" height=\"\(size)\" font-size=\"11\">"
    s += "<text x=\"\(margin)\" y=\"12\">prediction &#8594;</text>"
    s += "<text x=\"4\" y=\"\(margin - 4)\">truth &#8595;</text>"
    for (j, label) in labels.enumerated() {
      let x = margin + j * cell + cell / 2
      s +=
        "<text x=\"\(x)\" y=\"\(margin - 8)\" text-anchor=\"start\" transform=\"rotate(-45 \(x) \(margin - 8))\">\(escape(label))</text>"
    }
    for i in 0..<n {
      let rowTotal = max(1, confusion[i].reduce(0, +))
      let y = margin + i * cell
      s +=
        "<text x=\"\(margin - 4)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(escape(labels[i]))</text>"
      for j in 0..<n {
        let share = Double(confusion[i][j]) / Double(rowTotal)
        // White to blue; the diagonal is the same scale (a dark diagonal is good).
        let r = Int(255 - share * 220)
        let g = Int(255 - share * 160)
        let x = margin + j * cell
        s +=
          "<rect class=\"cell\" x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(r),\(g),255)\" stroke=\"#999\"/>"
        s +=
          "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" fill=\"\(share > 0.6 ? "#fff" : "#000")\">\(confusion[i][j])</text>"
      }
    }
    return s + "</svg>"
  }

  /// The DET curve: FRR (%) against false accepts per hour, one point per threshold, the
  /// model's own threshold marked.
  public static func detSVG(curve: [DETPoint], own: DETPoint) -> String {
    let width = 560.0
    let height = 380.0
    let left = 60.0
    let bottom = 40.0
    let plotW = width - left - 20
    let plotH = height - bottom - 20
    // FA/h spans decades (thousands at threshold 0, a fraction near the operating
    // point): a log axis on 1 + FA/h keeps zero on the plot.
    let maxFA = max(1, curve.map(\.fa_per_hour).max() ?? 1)
    let decades = max(1, log10(1 + maxFA).rounded(.up))
    func x(_ fa: Double) -> Double { left + log10(1 + fa) / decades * plotW }
    func y(_ frr: Double) -> Double { 20 + (1 - frr) * plotH }
    var s =
      "<svg id=\"det\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-size=\"11\">"
    s +=
      "<rect x=\"\(left)\" y=\"20\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#444\"/>"
    for k in 0...4 {
      let frr = Double(k) / 4
      s +=
        "<text x=\"\(left - 6)\" y=\"\(f(y(frr) + 4))\" text-anchor=\"end\">\(Int(frr * 100))%</text>"
    }
    for d in 0...Int(decades) {
      let fa = d == 0 ? 0 : pow(10, Double(d))
      s +=
        "<text x=\"\(f(x(fa)))\" y=\"\(f(20 + plotH + 16))\" text-anchor=\"middle\">\(d == 0 ? "0" : "\(Int(fa))")</text>"
      s +=
        "<line x1=\"\(f(x(fa)))\" y1=\"20\" x2=\"\(f(x(fa)))\" y2=\"\(f(20 + plotH))\" stroke=\"#ddd\"/>"
    }
    s +=
      "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">false accepts per hour (log scale on 1 + FA/h)</text>"
    s +=
      "<text x=\"14\" y=\"\(f(20 + plotH / 2))\" transform=\"rotate(-90 14 \(f(20 + plotH / 2)))\" text-anchor=\"middle\">false rejection rate</text>"
    let points = curve.sorted { ($0.fa_per_hour, -$0.frr) < ($1.fa_per_hour, -$1.frr) }
      .map { "\(f(x($0.fa_per_hour))),\(f(y($0.frr)))" }.joined(separator: " ")
    s +=
      "<polyline class=\"det-curve\" points=\"\(points)\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\"/>"
    s += "<circle cx=\"\(f(x(own.fa_per_hour)))\" cy=\"\(f(y(own.frr)))\" r=\"5\" fill=\"#d33\"/>"
    s +=
      "<text x=\"\(f(x(own.fa_per_hour) + 8))\" y=\"\(f(y(own.frr) - 8))\">threshold \(own.threshold)</text>"
    return s + "</svg>"
  }

  public static func classification(_ r: ClassificationReport) -> String {
    var body = "<p class=\"big\">accuracy \(f(r.accuracy * 100))% (\(r.correct)/\(r.total))</p>"
    body += "<p>model \(escape(r.model)); \(r.skipped.count) file(s) skipped</p>"
    body += "<h2>Confusion matrix</h2>" + confusionSVG(labels: r.labels, confusion: r.confusion)
    body +=
      "<h2>Per class</h2><table><tr><th>label</th><th>precision</th><th>recall</th><th>clips</th></tr>"
    for c in r.per_class {
      body +=
        "<tr><td>\(escape(c.label))</td><td>\(f(c.precision * 100))%</td><td>\(f(c.recall * 100))%</td><td>\(c.support)</td></tr>"
    }
    body += "</table>"
    if !r.misclassified.isEmpty {
      body +=
        "<h2>Misclassified</h2><table><tr><th>file</th><th>truth</th><th>predicted</th><th>score</th></tr>"
      for m in r.misclassified {
        body +=
          "<tr><td>\(escape(m.file))</td><td>\(escape(m.truth))</td><td>\(escape(m.predicted))</td><td>\(f(m.scores.max() ?? 0, 3))</td></tr>"
      }
      body += "</table>"
    }
    body += skippedTable(r.skipped)
    return page(title: "kws eval: \(r.model)", body: body)
  }

  public static func detection(_ r: DetectionReport) -> String {
    var body =
      "<p class=\"big\">FRR \(f(r.frr * 100))% at \(f(r.fa_per_hour, 3)) false accepts/h (threshold \(r.threshold))</p>"
    body +=
      "<p>model \(escape(r.model)); \(r.positives_detected)/\(r.positives) positives detected; \(r.false_accepts) false accepts in \(f(r.negative_hours, 4)) h of negatives; \(r.skipped.count) file(s) skipped</p>"
    if let t = r.target.threshold, let frr = r.target.frr {
      body += "<p>target \(r.target.fa_per_hour) FA/h: threshold \(t), FRR \(f(frr * 100))%</p>"
    }
    body += "<h2>DET curve</h2>"
    body += detSVG(
      curve: r.curve, own: DETPoint(threshold: r.threshold, frr: r.frr, fa_per_hour: r.fa_per_hour))
    body += skippedTable(r.skipped)
    return page(title: "kws eval: \(r.model)", body: body)
  }

  static func skippedTable(_ skipped: [EvalSkip]) -> String {
    guard !skipped.isEmpty else { return "" }
    return "<h2>Skipped</h2><table><tr><th>file</th><th>reason</th></tr>"
      + skipped.map {
        "<tr><td>\(escape($0.file))</td><td style=\"text-align:left\">\(escape($0.reason))</td></tr>"
      }.joined()
      + "</table>"
  }
}
