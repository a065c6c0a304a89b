// The integer log2 / ln against Foundation's Double logs: the table approximation must
// stay within its known error everywhere and be exact at octave boundaries.
import FixedPoint
import Foundation
import Testing

@Suite("Fixed-point logarithms")
struct FixedPointLogTests {
  @Test("log2 in Q16 is within 0.0035 of log2 over the uint32 range, exact at powers of two")
  func log2Accuracy() {
    var worst = 0.0
    var x: UInt32 = 1
    while true {
      let error = abs(Double(FixedPointLog.log2(x)) / 65536 - log2(Double(x)))
      worst = max(worst, error)
      if x > UInt32.max / 1000 * 999 { break }
      x = x + x / 997 + 1
    }
    // The reference's correction is piecewise constant over 128 segments (see the doc
    // comment): its largest step, 224/65536 = 0.0034, bounds the error.
    #expect(worst < 0.0035, "worst error \(worst)")
    #expect(worst > 0.003, "worst error \(worst): the reference's quirk should show")
    for bit in 0..<32 {
      #expect(FixedPointLog.log2(UInt32(1) << UInt32(bit)) == UInt32(bit) << 16)
    }
    #expect(FixedPointLog.log2(3) == 103_872)
    #expect(FixedPointLog.log2(1000) == 653_118)
  }

  @Test("naturalLog is ln2 * log2, rounded, in Q16")
  func naturalLog() {
    #expect(FixedPointLog.naturalLog(2) == 45426)
    #expect(FixedPointLog.naturalLog(1000) == 452_706)
    for x: UInt32 in [2, 3, 10, 1000, 65535, 1 << 20, UInt32.max] {
      let expected = Double(FixedPointLog.log2(x)) * 45426 / 65536
      #expect(abs(Double(FixedPointLog.naturalLog(x)) - expected) <= 0.5)
      #expect(abs(Double(FixedPointLog.naturalLog(x)) / 65536 - log(Double(x))) < 0.0025)
    }
  }
}
