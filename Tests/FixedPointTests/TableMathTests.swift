// TableMath (no-libm functions for init-time tables) against glibc: Double functions
// within a few ulp, Float log1p bit-identical to glibc's log1pf (both fdlibm's
// algorithm), and the int16 tables built from Float cos/pow identical to glibc-built ones.
import FixedPoint
import Foundation
import Testing

private func ulpDistance(_ a: Double, _ b: Double) -> Double {
  a == b ? 0 : abs(a - b) / b.ulp
}

@Suite("TableMath vs glibc")
struct TableMathTests {
  @Test("Double cos, sin, log, exp within 2 ulp")
  func doubles() {
    var worst = (cos: 0.0, sin: 0.0, log: 0.0, exp: 0.0)
    for i in 0..<20_000 {
      let x = -8 + 16 * Double(i) / 20_000 + 1e-7
      worst.cos = max(worst.cos, abs(TableMath.cos(x) - Foundation.cos(x)) / Double.ulpOfOne)
      worst.sin = max(worst.sin, abs(TableMath.sin(x) - Foundation.sin(x)) / Double.ulpOfOne)
      let e = x * 80
      worst.exp = max(worst.exp, ulpDistance(TableMath.exp(e), Foundation.exp(e)))
      let l = Foundation.exp(x * 40)
      worst.log = max(
        worst.log,
        abs(TableMath.log(l) - Foundation.log(l))
          / max(abs(Foundation.log(l)).ulp, Double.leastNormalMagnitude))
    }
    // cos/sin are measured in absolute units of 2^-52 (values near zero have tiny ulps).
    #expect(worst.cos <= 2 && worst.sin <= 2 && worst.log <= 2 && worst.exp <= 2, "\(worst)")
    #expect(TableMath.log(1.0) == 0 && TableMath.exp(0) == 1 && TableMath.cos(0.0) == 1.0)
    #expect(TableMath.log(0) == -.infinity && TableMath.log(-1).isNaN)
    #expect(
      TableMath.floor(-2.5) == -3 && TableMath.floor(2.5) == 2
        && TableMath.floor(Float(4095.7)) == 4095)
    #expect(TableMath.floor(Float(-0.25)) == -1 && TableMath.floor(1e300) == 1e300)
  }

  @Test("Float log1p is bit-identical to glibc's log1pf")
  func log1pMatchesGlibc() {
    var bad: [Float] = []
    var inputs: [Float] = [
      0, -0.0, 1e-30, 1e-10, 3e-9, 1e-5, -0.2, -0.29, -0.3, -0.5, -0.999, 0.4142, 0.41422, 1, 2,
      1e10, 1e20, 3e38,
    ]
    // Every frequency / 700 the filterbank can ask about, plus a sweep of Float bits.
    for hzPerBin: Float in [31.25, 15.625, 7.8125, 39.0625] {
      for bin in 0...2048 { inputs.append(Float(bin) * hzPerBin / 700) }
    }
    var bits = Float(1e-6).bitPattern
    while bits < Float(1e6).bitPattern {
      inputs.append(Float(bitPattern: bits))
      inputs.append(-Float(bitPattern: bits) / 2)
      bits += 997
    }
    for x in inputs {
      let ours = TableMath.log1p(x)
      let theirs = Foundation.log1pf(x)
      if ours.bitPattern != theirs.bitPattern && !(ours.isNaN && theirs.isNaN) { bad.append(x) }
    }
    #expect(bad.count == 0, "\(bad.count) of \(inputs.count) differ, first at \(bad.prefix(5))")
    #expect(TableMath.log1p(-1) == -.infinity && TableMath.log1p(-2).isNaN)
  }

  @Test("Hann coefficients from Float cos equal cosf-built ones for every window size 33...2048")
  func cosTablesMatchGlibc() {
    // glibc's cosf is not correctly rounded (about 1.3 % of these arguments differ by one
    // ulp from ours), but the Q12 coefficients built from them agree for every size the
    // front end accepts.
    var differingSizes: [Int] = []
    var argumentsDiffering = 0
    for size in 33...2048 {
      let arg = Float(Double.pi) * 2 / Float(size)
      for i in 0..<size {
        let x = arg * (Float(i) + 0.5)
        let ours = TableMath.cos(x)
        let theirs = Foundation.cosf(x)
        if ours != theirs { argumentsDiffering += 1 }
        let q = Int16(TableMath.floor((0.5 - 0.5 * ours) * 4096 + 0.5))
        let qGlibc = Int16(Foundation.floorf((0.5 - 0.5 * theirs) * 4096 + 0.5))
        if q != qGlibc {
          differingSizes.append(size)
          break
        }
      }
    }
    #expect(
      differingSizes.count == 0,
      "window sizes with a differing coefficient: \(differingSizes.prefix(10))")
    #expect(argumentsDiffering < 100_000, "\(argumentsDiffering) cos arguments differ by an ulp")
  }

  @Test("PCAN gains from Float pow equal powf-built ones over a grid of settings")
  func powTablesMatchGlibc() {
    var differing: [String] = []
    var count = 0
    for offset: Float in [80, 1, 3.5, 10, 100, 0.5, 40, 20] {
      for strength: Float in [0.95, 0.5, 0.8, 1, 0.25, 0.9] {
        for gainBits in [12, 16, 21, 24, 28, 31] {
          let scale = Float(UInt32(1) << UInt32(gainBits))
          func quantized(_ p: Float) -> Int16 { scale * p > 32767 ? 32767 : Int16(scale * p + 0.5) }
          for inputBits in 0...12 {
            for octave in 0...32 {
              let x0 = octave == 0 ? 0 : (UInt64(1) << UInt64(octave - 1))
              for x in [x0, x0 + x0 / 2, min(2 * x0, UInt64(UInt32.max))] {
                let base = Float(UInt32(x)) / Float(UInt32(1) << UInt32(inputBits)) + offset
                count += 1
                if quantized(TableMath.pow(base, -strength))
                  != quantized(Foundation.powf(base, -strength))
                {
                  differing.append("pow(\(base), -\(strength)) << \(gainBits)")
                }
              }
            }
          }
        }
      }
    }
    #expect(
      differing.count == 0, "\(differing.count) of \(count) gains differ: \(differing.prefix(5))")
  }
}
