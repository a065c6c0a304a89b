// Stage 2 of the microfrontend: the int16 fixed-point real FFT of kissfft
// (FIXED_POINT=16), whose every rounding and scaling shows in the features:
// - twiddles are floor(0.5 + 32767 * cos/sin(phase)) computed in double;
// - each radix-p butterfly first divides its inputs by p as x * (32767 / p) in Q15
//   with rounding (so "/2" is * 16383 / 32768, a hair under a half);
// - complex products round as (a * b + 2^14) >> 15, sums wrap in int16;
// - the real-input split halves with an arithmetic shift of the int32 sum.
// The transform of N real points runs as an N/2-point complex FFT (radix 4, then
// one radix 2 if needed) plus the split into N/2 + 1 bins.
import FixedPoint

/// A complex value with int16 parts (kissfft's `kiss_fft_cpx`, TFLM's `complex_int16_t`).
public struct ComplexInt16: Equatable, Sendable {
  public var real: Int16
  public var imag: Int16

  @inlinable
  public init(real: Int16, imag: Int16) {
    self.real = real
    self.imag = imag
  }
}

/// int16 real FFT, bit-exact with kissfft's FIXED_POINT=16 `kiss_fftr`.
///
/// The input is `inputSize` samples, scaled up by a shift and zero-padded to
/// `fftSize` (the next power of two); the output is `fftSize / 2 + 1` bins, each
/// roughly the true DFT divided by `fftSize`:
///
///     var fft = KissFFT(inputSize: 480)   // fftSize 512, 257 bins
///     // a full-scale cosine at bin 32 gives output[32].real around 16383 * 480/512 / 2
public struct KissFFT {
  /// Twiddles are Q15 with 32767 as 1.0 (kissfft's SAMP_MAX).
  public static let twiddleOne: Int32 = 32767
  /// Fraction bits dropped after each product: Q15.
  public static let productShift: Int32 = 15

  /// The smallest power of two >= `inputSize` (the C's `FftPopulateState`).
  public static func fftSize(forInput inputSize: Int) -> Int {
    var size = 1
    while size < inputSize { size <<= 1 }
    return size
  }

  /// One radix-`radix` recombination pass over sub-transforms of `length` points.
  struct Stage {
    var radix: Int
    var length: Int
    /// Where this pass's twiddles start in the per-pass tables: (radix - 1) runs of
    /// `length`, run j holding twiddles[j * k * stride] for k < length.
    var twiddleOffset: Int = 0
  }

  /// Real input points (a power of two).
  public let fftSize: Int
  /// Samples actually supplied per frame; the rest is zero padding.
  public let inputSize: Int
  /// Output bins: `fftSize / 2 + 1`.
  public var spectrumSize: Int { fftSize / 2 + 1 }
  /// `exp(-2 pi i k / (fftSize/2))` in Q15, k < fftSize / 2.
  public let twiddles: [ComplexInt16]
  /// `exp(-i pi ((k + 1) / (fftSize/2) + 1/2))` in Q15 for the real split.
  public let splitTwiddles: [ComplexInt16]
  /// Radix passes, outermost first (kissfft's factor list: 4, 4, ..., then 2 if odd).
  let stages: [Stage]
  /// `twiddles` regrouped per pass (see `Stage.twiddleOffset`), real and imaginary
  /// parts apart, so each pass reads them contiguously.
  let stageTwiddleReal: [Int16]
  let stageTwiddleImag: [Int16]
  /// Where each complex input point lands before the butterflies (the order kissfft's
  /// recursive decimation reads them in).
  let inputOrder: [Int32]

  /// Scaled, zero-padded real input.
  var input: [Int16]
  /// The complex half-size transform in place, real and imaginary parts apart (the
  /// butterflies then run over plain int16 arrays, which compilers vectorize).
  var workReal: [Int16]
  var workImag: [Int16]
  /// The spectrum of the last frame, `spectrumSize` bins.
  public private(set) var output: [ComplexInt16]

  public init(inputSize: Int) {
    let fftSize = Self.fftSize(forInput: inputSize)
    precondition(fftSize >= 4, "KissFFT: the real FFT needs at least 4 points")
    self.fftSize = fftSize
    self.inputSize = inputSize
    let half = fftSize / 2

    var twiddles = [ComplexInt16](repeating: ComplexInt16(real: 0, imag: 0), count: half)
    for k in 0..<half {
      // kissfft: phase = -2*pi*k / nfft in double, left to right.
      let phase = -2 * Double.pi * Double(k) / Double(half)
      twiddles[k] = Self.q15(cosine: TableMath.cos(phase), sine: TableMath.sin(phase))
    }
    self.twiddles = twiddles

    var split = [ComplexInt16](repeating: ComplexInt16(real: 0, imag: 0), count: half / 2)
    for k in 0..<half / 2 {
      let phase = -Double.pi * (Double(k + 1) / Double(half) + 0.5)
      split[k] = Self.q15(cosine: TableMath.cos(phase), sine: TableMath.sin(phase))
    }
    splitTwiddles = split

    var stages: [Stage] = []
    var stageReal: [Int16] = []
    var stageImag: [Int16] = []
    var remaining = half
    while remaining > 1 {
      let radix = remaining % 4 == 0 ? 4 : 2
      remaining /= radix
      let stride = half / (radix * remaining)
      stages.append(Stage(radix: radix, length: remaining, twiddleOffset: stageReal.count))
      for j in 1..<radix {
        for k in 0..<remaining {
          stageReal.append(twiddles[j * k * stride].real)
          stageImag.append(twiddles[j * k * stride].imag)
        }
      }
    }
    self.stages = stages
    stageTwiddleReal = stageReal
    stageTwiddleImag = stageImag

    var order = [Int32](repeating: 0, count: half)
    Self.fillInputOrder(
      &order, stages: stages, level: 0, outputOffset: 0, inputOffset: 0, stride: 1)
    inputOrder = order

    input = [Int16](repeating: 0, count: fftSize)
    workReal = [Int16](repeating: 0, count: half)
    workImag = [Int16](repeating: 0, count: half)
    output = [ComplexInt16](repeating: ComplexInt16(real: 0, imag: 0), count: half + 1)
  }

  /// kissfft's kf_cexp: floor(0.5 + 32767 * value).
  static func q15(cosine: Double, sine: Double) -> ComplexInt16 {
    let one = Double(twiddleOne)
    return ComplexInt16(
      real: Int16(TableMath.floor(0.5 + one * cosine)),
      imag: Int16(TableMath.floor(0.5 + one * sine)))
  }

  /// Simulates kissfft's recursive decimation once: at each level the `radix`
  /// sub-transforms take every `radix`-th point, so output block `k` of a level reads
  /// from input offset `k * stride`.
  static func fillInputOrder(
    _ order: inout [Int32], stages: [Stage], level: Int, outputOffset: Int, inputOffset: Int,
    stride: Int
  ) {
    let stage = stages[level]
    for k in 0..<stage.radix {
      if stage.length == 1 {
        order[outputOffset + k] = Int32(inputOffset + k * stride)
      } else {
        fillInputOrder(
          &order, stages: stages, level: level + 1, outputOffset: outputOffset + k * stage.length,
          inputOffset: inputOffset + k * stride, stride: stride * stage.radix)
      }
    }
  }

  /// Split-complex view of the work buffer or a twiddle run.
  struct Planes {
    var real: UnsafeMutablePointer<Int16>
    var imag: UnsafeMutablePointer<Int16>

    @inline(__always)
    func advanced(by n: Int) -> Planes { Planes(real: real + n, imag: imag + n) }
  }

  /// Transforms `samples[0..<inputSize]`, each first shifted left by `shift` bits
  /// (wrapping to int16 as the C's uint16 shift does), into `output`.
  public mutating func transform(_ samples: UnsafeBufferPointer<Int16>, shift: Int) {
    precondition(samples.count >= inputSize && shift >= 0 && shift < 16)
    let inputSize = inputSize
    let half = fftSize / 2
    let stages = stages
    input.withUnsafeMutableBufferPointer { input in
      for i in 0..<inputSize {
        input[i] = samples[i] << Int16(shift)
      }
      inputOrder.withUnsafeBufferPointer { order in
        workReal.withUnsafeMutableBufferPointer { real in
          workImag.withUnsafeMutableBufferPointer { imag in
            // The real input viewed as half as many complex points (even = real part).
            for j in 0..<half {
              let p = Int(order[j]) &* 2
              real[j] = input[p]
              imag[j] = input[p &+ 1]
            }
            let work = Planes(real: real.baseAddress!, imag: imag.baseAddress!)
            stageTwiddleReal.withUnsafeBufferPointer { twiddleReal in
              stageTwiddleImag.withUnsafeBufferPointer { twiddleImag in
                var level = stages.count
                while level > 0 {
                  level -= 1
                  let stage = stages[level]
                  let twiddles = Planes(
                    real: UnsafeMutablePointer(
                      mutating: twiddleReal.baseAddress! + stage.twiddleOffset),
                    imag: UnsafeMutablePointer(
                      mutating: twiddleImag.baseAddress! + stage.twiddleOffset))
                  let blocks = half / (stage.radix &* stage.length)
                  if stage.radix == 2 {
                    Self.radix2Pass(work, blocks: blocks, length: stage.length, twiddles: twiddles)
                  } else if stage.length == 1 {
                    Self.radix4FirstPass(work, blocks: blocks, twiddles: twiddles)
                  } else {
                    Self.radix4Pass(work, blocks: blocks, length: stage.length, twiddles: twiddles)
                  }
                }
              }
            }
            splitTwiddles.withUnsafeBufferPointer { split in
              output.withUnsafeMutableBufferPointer { output in
                Self.splitRealSpectrum(work, count: half, split, output)
              }
            }
          }
        }
      }
    }
  }

  /// Turns the complex transform of the packed even/odd samples into the real
  /// input's spectrum (kiss_fftr's post-processing).
  static func splitRealSpectrum(
    _ packed: Planes, count half: Int, _ split: UnsafeBufferPointer<ComplexInt16>,
    _ output: UnsafeMutableBufferPointer<ComplexInt16>
  ) {
    let dcReal = divide(packed.real[0], by: 2)
    let dcImag = divide(packed.imag[0], by: 2)
    output[0] = ComplexInt16(real: dcReal &+ dcImag, imag: 0)
    output[half] = ComplexInt16(real: dcReal &- dcImag, imag: 0)
    var k = 1
    while k <= half / 2 {
      let ar = divide(packed.real[k], by: 2)
      let ai = divide(packed.imag[k], by: 2)
      // The mirrored bin, conjugated (negated in int16, so -(-32768) stays -32768).
      let br = divide(packed.real[half &- k], by: 2)
      let bi = divide(0 &- packed.imag[half &- k], by: 2)
      let sumReal = Int32(ar &+ br)
      let sumImag = Int32(ai &+ bi)
      let w = split[k &- 1]
      let (tr, ti) = multiply(ar &- br, ai &- bi, by: w.real, w.imag)
      // Halved in int32 before storing (no int16 wrap of the sum first). At
      // k == half / 2 both writes hit one bin; the second wins, as in the C.
      output[k] = ComplexInt16(
        real: Int16(truncatingIfNeeded: (sumReal &+ Int32(tr)) >> 1),
        imag: Int16(truncatingIfNeeded: (sumImag &+ Int32(ti)) >> 1))
      output[half &- k] = ComplexInt16(
        real: Int16(truncatingIfNeeded: (sumReal &- Int32(tr)) >> 1),
        imag: Int16(truncatingIfNeeded: (Int32(ti) &- sumImag) >> 1))
      k &+= 1
    }
  }

  /// Radix-2 passes: each block recombines two `length`-point sub-transforms; the
  /// twiddle run holds w^k, k < length.
  static func radix2Pass(_ work: Planes, blocks: Int, length m: Int, twiddles w: Planes) {
    for block in 0..<blocks {
      let f0 = work.advanced(by: block &* 2 &* m)
      let f1 = f0.advanced(by: m)
      for k in 0..<m {
        let ar = divide(f0.real[k], by: 2)
        let ai = divide(f0.imag[k], by: 2)
        let (tr, ti) = multiply(
          divide(f1.real[k], by: 2), divide(f1.imag[k], by: 2), by: w.real[k], w.imag[k])
        f1.real[k] = ar &- tr
        f1.imag[k] = ai &- ti
        f0.real[k] = ar &+ tr
        f0.imag[k] = ai &+ ti
      }
    }
  }

  /// Radix-4 passes (forward transform): each block recombines four `length`-point
  /// sub-transforms; the twiddle runs hold w^k, then w^2k, then w^3k, k < length.
  static func radix4Pass(_ work: Planes, blocks: Int, length m: Int, twiddles w1: Planes) {
    let w2 = w1.advanced(by: m)
    let w3 = w2.advanced(by: m)
    for block in 0..<blocks {
      let f0 = work.advanced(by: block &* 4 &* m)
      let f1 = f0.advanced(by: m)
      let f2 = f1.advanced(by: m)
      let f3 = f2.advanced(by: m)
      for k in 0..<m {
        butterfly4(
          f0, f1, f2, f3, at: k, w1: (w1.real[k], w1.imag[k]), w2: (w2.real[k], w2.imag[k]),
          w3: (w3.real[k], w3.imag[k]))
      }
    }
  }

  /// The innermost radix-4 pass (sub-transforms of 1 point): one butterfly per block,
  /// all with the twiddle w^0, so the loop runs over blocks.
  static func radix4FirstPass(_ work: Planes, blocks: Int, twiddles w: Planes) {
    let one = (w.real[0], w.imag[0])
    for block in 0..<blocks {
      let f0 = work.advanced(by: block &* 4)
      butterfly4(
        f0, f0.advanced(by: 1), f0.advanced(by: 2), f0.advanced(by: 3), at: 0, w1: one, w2: one,
        w3: one)
    }
  }

  /// One radix-4 butterfly on element k of the four quarter blocks.
  @inline(__always)
  static func butterfly4(
    _ f0: Planes, _ f1: Planes, _ f2: Planes, _ f3: Planes, at k: Int,
    w1: (Int16, Int16), w2: (Int16, Int16), w3: (Int16, Int16)
  ) {
    let a0r = divide(f0.real[k], by: 4)
    let a0i = divide(f0.imag[k], by: 4)
    let (t1r, t1i) = multiply(divide(f1.real[k], by: 4), divide(f1.imag[k], by: 4), by: w1.0, w1.1)
    let (t2r, t2i) = multiply(divide(f2.real[k], by: 4), divide(f2.imag[k], by: 4), by: w2.0, w2.1)
    let (t3r, t3i) = multiply(divide(f3.real[k], by: 4), divide(f3.imag[k], by: 4), by: w3.0, w3.1)
    let evenDifferenceReal = a0r &- t2r
    let evenDifferenceImag = a0i &- t2i
    let evenSumReal = a0r &+ t2r
    let evenSumImag = a0i &+ t2i
    let oddSumReal = t1r &+ t3r
    let oddSumImag = t1i &+ t3i
    let oddDifferenceReal = t1r &- t3r
    let oddDifferenceImag = t1i &- t3i
    f2.real[k] = evenSumReal &- oddSumReal
    f2.imag[k] = evenSumImag &- oddSumImag
    f0.real[k] = evenSumReal &+ oddSumReal
    f0.imag[k] = evenSumImag &+ oddSumImag
    // Multiplying the odd difference by -i (forward transform) swaps its parts.
    f1.real[k] = evenDifferenceReal &+ oddDifferenceImag
    f1.imag[k] = evenDifferenceImag &- oddDifferenceReal
    f3.real[k] = evenDifferenceReal &- oddDifferenceImag
    f3.imag[k] = evenDifferenceImag &+ oddDifferenceReal
  }

  /// (x + 2^14) >> 15, stored to int16 (kissfft's `sround`).
  @inline(__always)
  static func roundQ15(_ x: Int32) -> Int16 {
    Int16(truncatingIfNeeded: (x &+ (1 << (productShift - 1))) >> productShift)
  }

  /// Complex product with a Q15 twiddle, each part rounded once.
  @inline(__always)
  static func multiply(_ ar: Int16, _ ai: Int16, by br: Int16, _ bi: Int16) -> (Int16, Int16) {
    let ar = Int32(ar)
    let ai = Int32(ai)
    let br = Int32(br)
    let bi = Int32(bi)
    return (roundQ15(ar &* br &- ai &* bi), roundQ15(ar &* bi &+ ai &* br))
  }

  /// kissfft's C_FIXDIV on one part: x * (32767 / divisor) in Q15, rounded.
  @inline(__always)
  static func divide(_ x: Int16, by divisor: Int32) -> Int16 {
    roundQ15(Int32(x) &* (twiddleOne / divisor))
  }

  /// Clears the buffers (the tables stay).
  public mutating func reset() {
    for i in 0..<input.count { input[i] = 0 }
    for i in 0..<workReal.count {
      workReal[i] = 0
      workImag[i] = 0
    }
    for i in 0..<output.count { output[i] = ComplexInt16(real: 0, imag: 0) }
  }
}
