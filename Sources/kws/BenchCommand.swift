// `kws bench [--model FILE]... [--runs N] [--json]`: single-threaded timings of the
// front ends (microseconds of compute per second of audio) and of one inference per
// model (microseconds, MACs per second). Medians over N runs after a warm-up; the
// minimum is printed too, because other processes only ever add time.
// Tests/Reference/bench_reference.py times the same things with the references;
// Scripts/bench.sh runs both and prints the ratios.
import ArgumentParser
import Foundation
import Frontend
import Host
import Inference

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time the front ends and model inference (single thread, medians).",
    discussion: """
      Front ends run on a deterministic 16 kHz test signal (tone sweep + noise), reset
      before each run. Inference fills each model input with fixed pseudo-random bytes.
      Build with `swift build -c release` first: debug builds are 10-50x slower.
      Example: kws bench --model Tests/InferenceTests/Models/dscnn_random.tflite --json
      """)

  static let defaultModel = "Tests/InferenceTests/Models/dscnn_random.tflite"

  @Option(
    name: .long, help: "A .tflite model to time (repeatable; default: \(defaultModel) if present).")
  var model: [String] = []

  @Option(name: .long, help: "Timed runs per item (medians over these).")
  var runs = 300

  @Option(name: .long, help: "Untimed warm-up runs per item.")
  var warmup = 30

  @Option(name: .long, help: "Seconds of audio per front-end run.")
  var seconds = 1

  @Flag(help: "Print one JSON object instead of the table.")
  var json = false

  func validate() throws {
    guard runs >= 1 else { throw ValidationError("--runs must be at least 1 (got \(runs))") }
    guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more (got \(warmup))") }
    guard (1...60).contains(seconds) else {
      throw ValidationError("--seconds must be 1...60 (got \(seconds))")
    }
  }

  struct Timing {
    var name: String
    var median: Double
    var min: Double
    var extra: [(String, Double)] = []
  }

  func run() throws {
    let signal = Self.testSignal(samples: 16_000 * seconds)
    var frontends: [Timing] = []
    for kind in FrontendKind.all {
      var frontend: FeatureExtractor
      do { frontend = try FeatureExtractor(kind) } catch {
        throw CommandFailure(error.description)
      }
      var frames = 0
      let times = measure {
        frontend.reset()
        signal.withUnsafeBufferPointer { samples in
          frontend.process(samples) { _ in frames &+= 1 }
        }
      }
      let perSecond = 1.0 / Double(seconds)
      frontends.append(
        Timing(name: kind.name, median: times.median * perSecond, min: times.min * perSecond))
    }

    var models: [Timing] = []
    var paths = model
    if paths.isEmpty && FileManager.default.fileExists(atPath: Self.defaultModel) {
      paths = [Self.defaultModel]
    }
    for path in paths {
      let runner: ModelRunner
      do { runner = try ModelRunner(path: path) } catch { throw CommandFailure(error.description) }
      let interpreter = runner.interpreter
      var state: UInt64 = 0x6B77_7362_656E_6368
      for i in 0..<interpreter.inputCount {
        let t = interpreter.input(i)
        for b in 0..<t.byteCount {
          state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
          t.data.storeBytes(
            of: UInt8(truncatingIfNeeded: state >> 56), toByteOffset: b, as: UInt8.self)
        }
      }
      var failure: String?
      let times = measure {
        do { try interpreter.invoke() } catch { failure = "\(error)" }
      }
      if let failure { throw CommandFailure("\(path): \(failure)") }
      let macs = Self.multiplyAccumulates(runner.file.model)
      models.append(
        Timing(
          name: path, median: times.median, min: times.min,
          extra: [
            ("macs", Double(macs)), ("macs_per_second", Double(macs) / (times.median * 1e-6)),
          ]))
    }

    let load =
      (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
      .split(separator: " ").first.map(String.init) ?? "unknown"
    if json {
      func entry(_ t: Timing, unit: String) -> String {
        var fields = [
          "\"name\":\(jsonString(t.name))", "\"\(unit)_median\":\(t.median)",
          "\"\(unit)_min\":\(t.min)",
        ]
        for (k, v) in t.extra { fields.append("\"\(k)\":\(v)") }
        return "{" + fields.joined(separator: ",") + "}"
      }
      let f = frontends.map { entry($0, unit: "us_per_audio_second") }.joined(separator: ",")
      let m = models.map { entry($0, unit: "us_per_inference") }.joined(separator: ",")
      print(
        "{\"runs\":\(runs),\"warmup\":\(warmup),\"load_average\":\(jsonString(load)),\"frontends\":[\(f)],\"models\":[\(m)]}"
      )
    } else {
      print("kws bench: \(runs) runs after \(warmup) warm-up, single thread, load average \(load)")
      for t in frontends {
        print(
          String(
            format: "  %-16@ %10.1f us per second of audio (min %.1f)", t.name as NSString,
            t.median, t.min))
      }
      for t in models {
        let macs = t.extra[0].1
        print(
          String(
            format: "  %@: %.1f us per inference (min %.1f), %.0f MACs, %.2f GMAC/s",
            t.name as NSString,
            t.median, t.min, macs, macs / t.median / 1e3))
      }
    }
  }

  /// Runs `body` `warmup` times untimed, then `runs` times timed: median and minimum
  /// in microseconds.
  func measure(_ body: () -> Void) -> (median: Double, min: Double) {
    for _ in 0..<warmup { body() }
    let clock = ContinuousClock()
    var times: [Double] = []
    times.reserveCapacity(runs)
    for _ in 0..<runs {
      let d = clock.measure(body)
      times.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) * 1e-12)
    }
    times.sort()
    let middle = times.count / 2
    let median = times.count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2
    return (median, times[0])
  }

  /// A deterministic 16 kHz signal: a 200 Hz-4 kHz sweep plus noise, about -12 dBFS,
  /// so every front-end stage (noise reduction, gain control) does real work.
  static func testSignal(samples: Int) -> [Int16] {
    var state: UInt32 = 12345
    var phase = 0.0
    return (0..<samples).map { i in
      let t = Double(i) / 16_000
      let frequency = 200 + 3_800 * (t - t.rounded(.down))
      phase += 2 * Double.pi * frequency / 16_000
      state = state &* 1_664_525 &+ 1_013_904_223
      let noise = Double(Int32(bitPattern: state) >> 16) / 32_768
      return Int16(6_000 * sin(phase) + 1_500 * noise)
    }
  }

  /// Multiply-accumulates of one invocation of every subgraph: CONV_2D output
  /// elements x KH x KW x filter depth, DEPTHWISE_CONV_2D output elements x KH x KW,
  /// FULLY_CONNECTED output elements x weights depth.
  static func multiplyAccumulates(_ model: Model) -> Int {
    var total = 0
    for subgraph in model.subgraphs {
      for op in subgraph.operators where op.inputs.count >= 2 && !op.outputs.isEmpty {
        guard op.inputs[1] >= 0, op.outputs[0] >= 0 else { continue }
        let filter = subgraph.tensors[Int(op.inputs[1])].shape
        let output = subgraph.tensors[Int(op.outputs[0])].shape
        switch op.kind {
        case .conv2D where filter.rank == 4:
          total += output.elementCount * filter[1] * filter[2] * filter[3]
        case .depthwiseConv2D where filter.rank == 4:
          total += output.elementCount * filter[1] * filter[2]
        case .fullyConnected where filter.rank == 2:
          total += output.elementCount * filter[1]
        default:
          break
        }
      }
    }
    return total
  }
}
