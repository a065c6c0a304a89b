// Where `kws features` writes: text (one frame per row), JSON, or npy, to a file or to
// standard output. Items (files or raw clips) are written as they are computed, so a
// batch of thousands of clips never sits in memory.
import Glibc
import Host

enum OutputFormat: String, CaseIterable {
  /// One frame per row, values separated by spaces; a `# source ...` line before each
  /// item (numpy.loadtxt skips it).
  case text
  /// One object: front end, dtype, featureCount, and items with their frames.
  case json
  /// NumPy array: [frames, features] for one file, [items, frames, features] for several
  /// equal-length files or for --raw-clips.
  case npy
}

/// Buffered text or bytes to a path, or to standard output for nil / "-".
final class OutputFile {
  let name: String
  private var file: UnsafeMutablePointer<FILE>?

  init(path: String?) throws(CLIError) {
    if let path, path != "-" {
      name = path
      file = fopen(path, "wb")
    } else {
      name = "standard output"
      file = fdopen(dup(STDOUT_FILENO), "wb")
    }
    if file == nil { throw CLIError("\(name): cannot write: \(String(cString: strerror(errno)))") }
  }

  deinit { if let file { fclose(file) } }

  func write(_ text: String) throws(CLIError) {
    guard let file else { throw CLIError("\(name): already closed") }
    var text = text
    let n = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) }
    if n != text.utf8.count {
      throw CLIError("\(name): cannot write: \(String(cString: strerror(errno)))")
    }
  }

  func close() throws(CLIError) {
    guard let file else { return }
    self.file = nil
    if fclose(file) != 0 {
      throw CLIError("\(name): cannot write: \(String(cString: strerror(errno)))")
    }
  }
}

/// What describes the run as a whole (written into the JSON header).
struct OutputDescription {
  var frontend: String
  var reference: Bool
  var quantization: Quantization?
  var dtype: NpyDType
  var featureCount: Int
}

/// Writes feature matrices one item at a time in the chosen format.
final class FeatureOutput {
  let format: OutputFormat
  let description: OutputDescription
  /// Items that will be written; npy needs it for the shape.
  let itemCount: Int
  /// npy: always [items, frames, features] (raw clips), even for one item.
  let batchShape: Bool
  private let path: String?
  private var text: OutputFile?
  private var npy: NpyWriter?
  private var frameCount: Int?
  private var firstSource = ""
  private var written = 0

  init(
    format: OutputFormat, path: String?, description: OutputDescription, itemCount: Int,
    batchShape: Bool
  ) throws(CLIError) {
    self.format = format
    self.path = path
    self.description = description
    self.itemCount = itemCount
    self.batchShape = batchShape
    if format != .npy {
      text = try OutputFile(path: path)
    }
    if format == .json {
      let d = description
      let quantization =
        d.quantization.map { "{\"scale\": \($0.scale), \"zeroPoint\": \($0.zeroPoint)}" } ?? "null"
      try text?.write(
        "{\"frontend\": \(jsonString(d.frontend)), \"reference\": \(d.reference), \"quantize\": \(quantization),"
          + " \"dtype\": \(jsonString(numpyName(d.dtype))), \"featureCount\": \(d.featureCount), \"items\": ["
      )
    }
  }

  func emit(_ matrix: FeatureMatrix) throws(CLIError) {
    defer { written += 1 }
    let f = matrix.featureCount
    switch format {
    case .text:
      var s =
        "# \(matrix.source): \(matrix.frameCount) frames x \(f) \(numpyName(matrix.values.dtype))\n"
      for row in 0..<matrix.frameCount {
        for col in 0..<f {
          if col > 0 { s += " " }
          s += matrix.values.text(row * f + col)
        }
        s += "\n"
        // Hand rows on in pieces: an hour of audio is 360,000 frames.
        if row % 256 == 255 {
          try text?.write(s)
          s = ""
        }
      }
      try text?.write(s)

    case .json:
      var s = written > 0 ? ",\n" : "\n"
      s +=
        "{\"source\": \(jsonString(matrix.source)), \"frameCount\": \(matrix.frameCount), \"frames\": ["
      for row in 0..<matrix.frameCount {
        s += row > 0 ? ", [" : "["
        for col in 0..<f {
          if col > 0 { s += ", " }
          s += matrix.values.text(row * f + col)
        }
        s += "]"
      }
      s += "]}"
      try text?.write(s)

    case .npy:
      if let frameCount {
        guard matrix.frameCount == frameCount else {
          throw CLIError(
            "npy output needs items of equal length: \(firstSource) has \(frameCount) frames, \(matrix.source)"
              + " has \(matrix.frameCount) (trim or pad the clips to one length, or use --format text/json)"
          )
        }
      } else {
        frameCount = matrix.frameCount
        firstSource = matrix.source
        let shape =
          itemCount == 1 && !batchShape
          ? [matrix.frameCount, f] : [itemCount, matrix.frameCount, f]
        do {
          npy = try NpyWriter(path: path ?? "-", dtype: matrix.values.dtype, shape: shape)
        } catch {
          throw CLIError(error.description)
        }
      }
      do {
        if let npy { try matrix.values.append(to: npy) }
      } catch {
        throw CLIError(error.description)
      }
    }
  }

  func finish() throws(CLIError) {
    if format == .json { try text?.write("\n]}\n") }
    try text?.close()
    do {
      try npy?.finish()
    } catch {
      throw CLIError(error.description)
    }
  }
}

/// NumPy's name for a dtype, for headers people read.
func numpyName(_ dtype: NpyDType) -> String {
  switch dtype {
  case .float32: return "float32"
  case .uint16: return "uint16"
  case .int8: return "int8"
  case .int32: return "int32"
  }
}

/// A JSON string literal: quotes, backslashes and control characters escaped.
func jsonString(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if scalar.value < 0x20 {
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out + "\""
}
