// `kws features`: audio files (or a raw batch of clips) -> front-end features, printed
// or saved. This is how people look at what the model sees, and how the Python
// training recipe gets bit-exact device features:
//
//   kws features clip.wav                                   # text, one frame per row
//   kws features --format npy -o f.npy a.wav b.wav          # [2, frames, 40] uint16
//   kws features --frontend mfcc --quantize 0.5847029,83 --raw-clips clips.raw \
//       --clip-samples 16000 -o x.npy                      # [clips, 49, 10] int8
import ArgumentParser
import Glibc
import Host

/// `--quantize SCALE,ZERO_POINT`: the model's input quantization.
struct Quantization: ExpressibleByArgument, Equatable {
  var scale: Double
  var zeroPoint: Int

  init(scale: Double, zeroPoint: Int) {
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 2,
      let scale = Double(parts[0].trimmingCharacters(in: " ")), scale.isFinite, scale > 0,
      let zeroPoint = Int(parts[1].trimmingCharacters(in: " ")), (-128...127).contains(zeroPoint)
    else { return nil }
    self.init(scale: scale, zeroPoint: zeroPoint)
  }

  static var defaultCompletionKind: CompletionKind { .default }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: Character) -> Substring {
    var s = self
    while s.first == set { s.removeFirst() }
    while s.last == set { s.removeLast() }
    return s
  }
}

extension OutputFormat: ExpressibleByArgument {}

struct Features: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "features",
    abstract: "Print or save front-end features, one frame per row.",
    discussion: """
      Audio of any format libsndfile reads is converted to 16 kHz mono int16 first \
      (channels averaged, other rates resampled with soxr unless --no-resample). \
      Each file (or raw clip) goes through a fresh front end. Every input is checked \
      before any is processed; a bad one stops the run with a message naming it, \
      exit status 1.

      Examples:
        kws features clip.wav
        kws features --frontend mfcc --format json clip.flac
        kws features --format npy -o feats.npy a.wav b.wav
        kws features --quantize 0.101960786,-128 --format npy -o x.npy clip.wav
        kws features --raw-clips clips.s16le --clip-samples 16000 -o x.npy
        kws features --files-from list.txt --format npy -o feats.npy
      """
  )

  @Option(
    help:
      "Front end: microfrontend (40 log-mel, 10 ms step), micro-speech (20 ms step), mfcc (10 MFCC, 20 ms step)."
  )
  var frontend: FrontendName = .microfrontend

  @Flag(
    help:
      "Use the float reference of the front end (FFTW) instead of the fixed-point one; float32 output."
  )
  var reference = false

  @Option(help: "Output format: text, json or npy. (default: text; npy with --raw-clips)")
  var format: OutputFormat?

  @Option(
    help: ArgumentHelp(
      "Quantize to the model's int8 input: SCALE,ZERO_POINT (e.g. 0.101960786,-128).",
      valueName: "scale,zp"))
  var quantize: Quantization?

  @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
  var output: String?

  @Flag(help: "Refuse audio that is not 16 kHz instead of resampling it.")
  var noResample = false

  @Option(
    help: ArgumentHelp(
      "A raw s16le file of back-to-back clips, each processed on its own.", valueName: "file"))
  var rawClips: String?

  @Option(help: "Samples per raw clip (with --raw-clips). (default: 16000)")
  var clipSamples: Int?

  @Option(
    help: ArgumentHelp(
      "Read input paths from this file, one per line ('#' starts a comment).", valueName: "list"))
  var filesFrom: String?

  @Argument(help: "Audio files (WAV, FLAC, ... any rate, any channel count).")
  var files: [String] = []

  func validate() throws {
    if rawClips != nil {
      guard files.isEmpty && filesFrom == nil else {
        throw ValidationError(
          "--raw-clips takes its clips from one raw file: give no FILE arguments or --files-from")
      }
      if let clipSamples, clipSamples <= 0 {
        throw ValidationError("--clip-samples must be positive, got \(clipSamples)")
      }
    } else {
      guard !files.isEmpty || filesFrom != nil else {
        throw ValidationError("give audio FILEs, --files-from LIST or --raw-clips FILE")
      }
      guard clipSamples == nil else {
        throw ValidationError("--clip-samples only applies to --raw-clips")
      }
    }
    if quantize != nil && reference {
      throw ValidationError(
        "--quantize applies to the fixed-point codes; drop --reference to quantize")
    }
    if outputFormat == .npy && (output == nil || output == "-") && isatty(STDOUT_FILENO) != 0 {
      throw ValidationError(
        "npy is binary: write it to a file with --output FILE (or redirect standard output)")
    }
  }

  var outputFormat: OutputFormat { format ?? (rawClips != nil ? .npy : .text) }

  func run() throws {
    do {
      if let rawClips {
        try runRawClips(path: rawClips, clipSamples: clipSamples ?? 16_000)
      } else {
        try runFiles(try inputPaths())
      }
    } catch {
      // Leave no half-written output behind.
      if let output, output != "-" { unlink(output) }
      throw error
    }
  }

  /// FILE arguments, then the lines of --files-from.
  private func inputPaths() throws(CLIError) -> [String] {
    var paths = files
    if let filesFrom {
      guard let list = try? readText(filesFrom) else {
        throw CLIError("\(filesFrom): cannot read the --files-from list")
      }
      for line in list.split(separator: "\n", omittingEmptySubsequences: false) {
        let entry = line.trimmingCharacters(in: " ").trimmingCharacters(in: "\r")
        if entry.isEmpty || entry.hasPrefix("#") { continue }
        paths.append(String(entry))
      }
      if paths.isEmpty { throw CLIError("\(filesFrom): the --files-from list names no files") }
    }
    return paths
  }

  private func makeExtractor() throws(CLIError) -> (FeatureExtractor, FeatureQuantization?) {
    let extractor = try FeatureExtractor(name: frontend, reference: reference)
    let quantization = try quantize.map { (q) throws(CLIError) in
      try FeatureQuantization(q, for: extractor)
    }
    return (extractor, quantization)
  }

  private func describe(_ extractor: FeatureExtractor, _ quantization: FeatureQuantization?)
    -> OutputDescription
  {
    OutputDescription(
      frontend: frontend.rawValue, reference: reference, quantization: quantize,
      dtype: quantization == nil ? extractor.dtype : .int8, featureCount: extractor.featureCount)
  }

  private func runFiles(_ paths: [String]) throws {
    // Check every input first: a batch stops at its first bad file before any work.
    for path in paths {
      _ = try AudioFileReader(path: path, resample: !noResample)
    }
    var (extractor, quantization) = try makeExtractor()
    let out = try FeatureOutput(
      format: outputFormat, path: output, description: describe(extractor, quantization),
      itemCount: paths.count, batchShape: false)
    var block = [Int16](repeating: 0, count: 4096)
    for path in paths {
      let reader = try AudioFileReader(path: path, resample: !noResample)
      extractor.reset()
      var values = extractor.emptyValues()
      while true {
        let n = try block.withUnsafeMutableBufferPointer { (b) throws(AudioError) in
          try reader.read(into: b)
        }
        if n == 0 { break }
        block.withUnsafeBufferPointer { b in
          let part = UnsafeBufferPointer(rebasing: b[0..<n])
          extractor.process(part, into: &values)
        }
      }
      try extractor.finishClip(source: path, values: &values)
      for warning in reader.warnings { printError(warning.description) }
      if let quantization { values = quantization.apply(values) }
      try out.emit(
        FeatureMatrix(source: path, featureCount: extractor.featureCount, values: values))
    }
    try out.finish()
  }

  private func runRawClips(path: String, clipSamples: Int) throws {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw CLIError("\(path): cannot read the raw clips: \(String(cString: strerror(errno)))")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw CLIError("\(path): not a regular file") }
    let clipBytes = clipSamples * MemoryLayout<Int16>.size
    let size = Int(info.st_size)
    guard size > 0 else { throw CLIError("\(path): empty, no clips in it") }
    guard size % clipBytes == 0 else {
      throw CLIError(
        "\(path): \(size) bytes is not a whole number of \(clipSamples)-sample clips (\(clipBytes) bytes each,"
          + " s16le); \(size % clipBytes) bytes are left over")
    }
    let clipCount = size / clipBytes
    var (extractor, quantization) = try makeExtractor()
    guard let file = fopen(path, "rb") else {
      throw CLIError("\(path): cannot read the raw clips: \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    let out = try FeatureOutput(
      format: outputFormat, path: output, description: describe(extractor, quantization),
      itemCount: clipCount, batchShape: true)
    // Raw clips are little-endian int16, the byte order of every host we build for.
    var clip = [Int16](repeating: 0, count: clipSamples)
    for index in 0..<clipCount {
      let got = clip.withUnsafeMutableBytes { fread($0.baseAddress, 1, clipBytes, file) }
      guard got == clipBytes else {
        throw CLIError("\(path): read failed in clip \(index) at byte \(index * clipBytes + got)")
      }
      extractor.reset()
      var values = extractor.emptyValues()
      let source = "\(path)#\(index)"
      clip.withUnsafeBufferPointer { extractor.process($0, into: &values) }
      try extractor.finishClip(source: source, values: &values)
      if let quantization { values = quantization.apply(values) }
      try out.emit(
        FeatureMatrix(source: source, featureCount: extractor.featureCount, values: values))
    }
    try out.finish()
  }
}

/// Writes a line to standard error (warnings; errors go through ArgumentParser).
func printError(_ line: String) {
  var line = line + "\n"
  line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// The whole content of a small text file.
func readText(_ path: String) throws(CLIError) -> String {
  guard let file = fopen(path, "rb") else {
    throw CLIError("\(path): cannot read: \(String(cString: strerror(errno)))")
  }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65_536)
  while true {
    let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
    if n == 0 { break }
    bytes += chunk[0..<n]
  }
  return String(decoding: bytes, as: UTF8.self)
}
