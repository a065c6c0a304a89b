// Whole-model checks: every output byte of our interpreter equals the live TFLM
// Python interpreter's, invocation after invocation, on the shipped models.
import Foundation
import Host
import Inference
import Testing
import TestSupport

@Suite struct WholeModelTests {
  /// Streams >= 200 invocations through each microWakeWord model: first the model's
  /// own wake phrase said by two espeak-ng voices (real features through the TFLM
  /// microfrontend), then pseudo-random int8 frames. State carries across
  /// invocations, so one wrong byte anywhere in the streaming state shows up.
  @Test(arguments: Fixtures.wakeWordNames)
  func microWakeWordStreamMatchesTFLM(name: String) throws {
    let path = try Fixtures.wakeWordModel(name)
    let runner = try ModelRunner(path: path)
    let step = runner.inputBytes
    #expect(runner.interpreter.input(0).shape[2] == 40)
    var input: [UInt8] = []
    for voice in ["en-us", "en-gb-x-rp"] {
      var frames = try Fixtures.speechFeatures(Fixtures.phrase(name), voice: voice)
      frames.removeLast(frames.count % step)
      input += frames
    }
    var rng = SplitMix64(seed: 0x6B77_7300 + UInt64(name.count))
    input += rng.bytes(step * 100)
    #expect(input.count / step >= 200)
    let expected = try Fixtures.tflm(path, input)
    let actual = try Fixtures.ours(runner, input)
    #expect(actual == expected, "\(name): \(Fixtures.firstMismatches(actual, expected))")
    // The utterance must drive the output somewhere, or the test proves little.
    #expect(Set(expected).count > 2, "\(name): reference output barely moves")
  }

  /// `reset()` restores the initial state: the same stream gives the same outputs.
  @Test func resetRestoresInitialState() throws {
    let path = try Fixtures.wakeWordModel("okay_nabu")
    let runner = try ModelRunner(path: path)
    var input = try Fixtures.speechFeatures("okay nabu")
    input.removeLast(input.count % runner.inputBytes)
    let first = try Fixtures.ours(runner, input)
    runner.interpreter.reset()
    let second = try Fixtures.ours(runner, input)
    #expect(first == second)
    let fresh = try Fixtures.ours(try ModelRunner(path: path), input)
    #expect(first == fresh)
  }

  /// The planned arena is smaller than TFLM's for every shipped model (TFLM's
  /// figures from `print_allocations`, which include its runtime structures).
  @Test func arenaIsSmallerThanTFLM() throws {
    let tflm = ["okay_nabu": 25904, "alexa": 20432, "hey_jarvis": 19808, "hey_mycroft": 21728]
    for name in Fixtures.wakeWordNames {
      let file = try ModelFile(path: try Fixtures.wakeWordModel(name))
      let ours = try Interpreter.arenaBytesRequired(for: file.model)
      #expect(ours < tflm[name]!, "\(name): \(ours) B")
    }
  }
}
