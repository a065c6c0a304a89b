// FeatureQuantizer: exact against the integer closed form (REFERENCE §1a) for every uint16
// code, against pymicro-wakeword's live numpy expression with the real model's scale, and
// at every step code for the MFCC quantization.
import Foundation
import TestSupport
import Testing

@testable import Frontend

@Suite struct FeatureQuantizerTests {
  /// microWakeWord: real = v * 0.0390625, float32 scale 26/255, zero point -128.
  let micro = try! FeatureQuantizer(scale: 0.101960786, zeroPoint: -128, codeUnit: 0.0390625)

  @Test func microfrontendMatchesTheExactIntegerFormForEveryCode() {
    var mismatches = 0
    for v in 0...65_535 {
      let exact = Int8(clamping: (2550 * v + 3328) / 6656 - 128)
      let got = micro.quantize(Int32(v))
      if got != exact {
        mismatches += 1
        if mismatches <= 10 { Issue.record("v \(v): got \(got), closed form \(exact)") }
      }
    }
    #expect(mismatches == 0)
  }

  @Test func microfrontendMatchesPymicroWakewordNumpy() throws {
    let data = try TestSupport.reference("quantize_ref.py", ["--model", "okay_nabu"])
    let numpy = data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
    #expect(numpy.count == 65_536)
    var compared = 0
    var mismatches = 0
    for (v, q) in numpy.enumerated() {
      let got = Int64(micro.quantize(Int32(v)))
      // numpy's astype(int8) wraps beyond 127; compare where it does not, clamp elsewhere.
      let expected = (-128...127).contains(q) ? q : (q > 127 ? 127 : -128)
      if (-128...127).contains(q) { compared += 1 }
      if got != expected {
        mismatches += 1
        if mismatches <= 10 { Issue.record("v \(v): got \(got), numpy \(q)") }
      }
    }
    #expect(mismatches == 0)
    // numpy's value fits int8 for v in 0...666 (v = 667 gives 128); beyond, only the clamp.
    #expect(compared == 667)
  }

  @Test func mfccQuantizationIsExactAtEveryStep() throws {
    // The MLPerf DS-CNN input: scale 0.5847029, zero point 83, codes in Q16.
    let unit = 1.0 / Double(1 << MFCCFrontend.outputFractionBits)
    let q = try FeatureQuantizer(scale: 0.5847029, zeroPoint: 83, codeUnit: unit)
    let reference = { (c: Int64) in
      FeatureQuantizer.reference(code: c, scale: 0.5847029, zeroPoint: 83, codeUnit: unit)
    }
    // Monotonic map + exact step codes = exact for every Int32 code: check each step.
    let steps = q.stepCodes
    #expect(steps.count == 255)
    for (i, t) in steps.enumerated() {
      let level = Double(-127 + i)
      #expect(
        t <= Int64(Int32.max) && reference(t) >= level && reference(t - 1) < level,
        "step \(i) at \(t)")
      #expect(q.quantize(Int32(t)) == Int8(-127 + i) && q.quantize(Int32(t - 1)) == Int8(-128 + i))
    }
    // And live numpy on the codes around the steps at both ends of the range.
    for t in [steps[0], steps[127], steps[254]] {
      let data = try TestSupport.reference(
        "quantize_ref.py",
        [
          "--scale", "0.5847029", "--zero-point", "83", "--unit", "\(unit)", "--first",
          "\(t - 1000)", "--count", "2000",
        ])
      let numpy = data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
      for (i, n) in numpy.enumerated() {
        let expected = Int8(clamping: n)
        #expect(q.quantize(Int32(t - 1000 + Int64(i))) == expected)
      }
    }
    #expect(q.quantize(Int32.min) == -128 && q.quantize(Int32.max) == 127)
  }

  /// Every step code is exact for any parameters, including ones where levels are out of
  /// reach (the bisection fallback) or where one code spans many levels.
  @Test(arguments: [
    (Float(0.101960786), Int32(-128), 0.0390625),
    (Float(0.5847029), Int32(83), 1.0 / 65536),
    (Float(1e-3), Int32(0), 1.0),
    (Float(1000), Int32(127), 1e-6),
    (Float(3e-7), Int32(-128), 1.0 / 256),
    (Float(0.3), Int32(-5), 0.1),
  ])
  func everyStepIsExact(scale: Float, zeroPoint: Int32, unit: Double) throws {
    let q = try FeatureQuantizer(scale: scale, zeroPoint: zeroPoint, codeUnit: unit)
    let reference = { (c: Int64) in
      FeatureQuantizer.reference(code: c, scale: scale, zeroPoint: zeroPoint, codeUnit: unit)
    }
    for (i, t) in q.stepCodes.enumerated() {
      let level = Double(-127 + i)
      if t == Int64(Int32.max) + 1 {
        #expect(reference(Int64(Int32.max)) < level, "level \(i) said unreachable")
      } else if t == Int64(Int32.min) {
        #expect(reference(t) >= level)
      } else {
        #expect(reference(t) >= level && reference(t - 1) < level, "step \(i) at \(t)")
      }
    }
  }

  @Test func badParametersAreRefused() {
    #expect(throws: FeatureQuantizer.Error.badParameters(scale: 0, zeroPoint: 0, codeUnit: 1)) {
      try FeatureQuantizer(scale: 0, zeroPoint: 0, codeUnit: 1)
    }
    #expect(throws: FeatureQuantizer.Error.self) {
      try FeatureQuantizer(scale: 1, zeroPoint: 300, codeUnit: 1)
    }
    #expect(throws: FeatureQuantizer.Error.self) {
      try FeatureQuantizer(scale: 1, zeroPoint: 0, codeUnit: -1)
    }
  }

  @Test func bufferFormsAgreeWithScalar() {
    let codes: [UInt16] = [0, 1, 100, 1000, 65_535]
    var out = [Int8](repeating: 0, count: 4)
    let n = codes.withUnsafeBufferPointer { c in
      out.withUnsafeMutableBufferPointer { micro.quantize(c, into: $0) }
    }
    #expect(n == 4 && out == codes.prefix(4).map { micro.quantize(Int32($0)) })
    #expect(micro.quantize(100) == -90)
  }
}

@Suite struct RoundHalfToEvenTests {
  @Test func matchesTheStandardLibrary() {
    var values: [Double] = [
      0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, -0.49999999999999994, 1e300, -1e300,
    ]
    var x: UInt64 = 7
    for _ in 0..<100_000 {
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let v = Double(Int64(bitPattern: x) >> 20) / 1024  // many exact halves and quarters
      values.append(v)
      values.append(Double(bitPattern: x & 0x7FEF_FFFF_FFFF_FFFF) * (x & 1 == 0 ? 1 : -1))
    }
    for v in values {
      #expect(FeatureQuantizer.roundHalfToEven(v) == v.rounded(.toNearestOrEven), "\(v)")
    }
  }
}
