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
  /// Where each complex input point lands before the butterflies (the order kissfft's
  /// recursive decimation reads them in).
  let inputOrder: [Int32]

  /// Scaled, zero-padded real input.
  var input: [Int16]
  /// The complex half-size transform in place.
  var work: [ComplexInt16]
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
    var remaining = half
    while remaining > 1 {
      let radix = remaining % 4 == 0 ? 4 : 2
      remaining /= radix
      stages.append(Stage(radix: radix, length: remaining))
    }
    self.stages = stages

    var order = [Int32](repeating: 0, count: half)
    Self.fillInputOrder(&order, stages: stages, level: 0, outputOffset: 0, inputOffset: 0, stride: 1)
    inputOrder = order

    input = [Int16](repeating: 0, count: fftSize)
    work = [ComplexInt16](repeating: ComplexInt16(real: 0, imag: 0), count: half)
    output = [ComplexInt16](repeating: ComplexInt16(real: 0, imag: 0), count: half + 1)
  }

  /// kissfft's kf_cexp: floor(0.5 + 32767 * value).
  static func q15(cosine: Double, sine: Double) -> ComplexInt16 {
    let one = Double(twiddleOne)
    return ComplexInt16(
      real: Int16(TableMath.floor(0.5 + one * cosine)), imag: Int16(TableMath.floor(0.5 + one * sine)))
  }

  /// Simulates kissfft's recursive decimation once: at each level the `radix`
  /// sub-transforms take every `radix`-th point, so output block `k` of a level reads
  /// from input offset `k * stride`.
  static func fillInputOrder(
    _ order: inout [Int32], stages: [Stage], level: Int, outputOffset: Int, inputOffset: Int, stride: Int
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
        work.withUnsafeMutableBufferPointer { work in
          // The real input viewed as half as many complex points (even = real part).
          for j in 0..<half {
            let p = Int(order[j]) &* 2
            work[j] = ComplexInt16(real: input[p], imag: input[p &+ 1])
          }
          twiddles.withUnsafeBufferPointer { twiddles in
            let tw = twiddles.baseAddress!
            var level = stages.count
            while level > 0 {
              level -= 1
              let stage = stages[level]
              let blockLength = stage.radix &* stage.length
              let stride = half / blockLength
              var block = work.baseAddress!
              for _ in 0..<stride {
                if stage.radix == 4 {
                  Self.butterfly4(block, stride: stride, length: stage.length, twiddles: tw)
                } else {
                  Self.butterfly2(block, stride: stride, length: stage.length, twiddles: tw)
                }
                block += blockLength
              }
            }
          }
          splitTwiddles.withUnsafeBufferPointer { split in
            output.withUnsafeMutableBufferPointer { output in
              Self.splitRealSpectrum(work, split, output)
            }
          }
        }
      }
    }
  }

  /// Turns the complex transform of the packed even/odd samples into the real
  /// input's spectrum (kiss_fftr's post-processing).
  static func splitRealSpectrum(
    _ packed: UnsafeMutableBufferPointer<ComplexInt16>, _ split: UnsafeBufferPointer<ComplexInt16>,
    _ output: UnsafeMutableBufferPointer<ComplexInt16>
  ) {
    let half = packed.count
    let dc = divided(packed[0], by: 2)
    output[0] = ComplexInt16(real: dc.real &+ dc.imag, imag: 0)
    output[half] = ComplexInt16(real: dc.real &- dc.imag, imag: 0)
    var k = 1
    while k <= half / 2 {
      let a = divided(packed[k], by: 2)
      let mirrored = packed[half &- k]
      let b = divided(ComplexInt16(real: mirrored.real, imag: 0 &- mirrored.imag), by: 2)
      let sum = ComplexInt16(real: a.real &+ b.real, imag: a.imag &+ b.imag)
      let difference = ComplexInt16(real: a.real &- b.real, imag: a.imag &- b.imag)
      let t = multiplied(difference, split[k &- 1])
      // Halved in int32 before storing (no int16 wrap of the sum first). At
      // k == half / 2 both writes hit one bin; the second wins, as in the C.
      output[k] = ComplexInt16(
        real: Int16(truncatingIfNeeded: (Int32(sum.real) &+ Int32(t.real)) >> 1),
        imag: Int16(truncatingIfNeeded: (Int32(sum.imag) &+ Int32(t.imag)) >> 1))
      output[half &- k] = ComplexInt16(
        real: Int16(truncatingIfNeeded: (Int32(sum.real) &- Int32(t.real)) >> 1),
        imag: Int16(truncatingIfNeeded: (Int32(t.imag) &- Int32(sum.imag)) >> 1))
      k &+= 1
    }
  }

  /// Radix-2 recombination of two `length`-point sub-transforms.
  @inline(__always)
  static func butterfly2(
    _ f: UnsafeMutablePointer<ComplexInt16>, stride: Int, length m: Int, twiddles: UnsafePointer<ComplexInt16>
  ) {
    for k in 0..<m {
      let a = divided(f[k], by: 2)
      let b = divided(f[k &+ m], by: 2)
      let t = multiplied(b, twiddles[k &* stride])
      f[k &+ m] = ComplexInt16(real: a.real &- t.real, imag: a.imag &- t.imag)
      f[k] = ComplexInt16(real: a.real &+ t.real, imag: a.imag &+ t.imag)
    }
  }

  /// Radix-4 recombination (forward transform) of four `length`-point sub-transforms.
  @inline(__always)
  static func butterfly4(
    _ f: UnsafeMutablePointer<ComplexInt16>, stride: Int, length m: Int, twiddles: UnsafePointer<ComplexInt16>
  ) {
    for k in 0..<m {
      let a0 = divided(f[k], by: 4)
      let a1 = divided(f[k &+ m], by: 4)
      let a2 = divided(f[k &+ 2 &* m], by: 4)
      let a3 = divided(f[k &+ 3 &* m], by: 4)
      let t1 = multiplied(a1, twiddles[k &* stride])
      let t2 = multiplied(a2, twiddles[2 &* k &* stride])
      let t3 = multiplied(a3, twiddles[3 &* k &* stride])
      let evenDifference = ComplexInt16(real: a0.real &- t2.real, imag: a0.imag &- t2.imag)
      let evenSum = ComplexInt16(real: a0.real &+ t2.real, imag: a0.imag &+ t2.imag)
      let oddSum = ComplexInt16(real: t1.real &+ t3.real, imag: t1.imag &+ t3.imag)
      let oddDifference = ComplexInt16(real: t1.real &- t3.real, imag: t1.imag &- t3.imag)
      f[k &+ 2 &* m] = ComplexInt16(real: evenSum.real &- oddSum.real, imag: evenSum.imag &- oddSum.imag)
      f[k] = ComplexInt16(real: evenSum.real &+ oddSum.real, imag: evenSum.imag &+ oddSum.imag)
      // Multiplying the odd difference by -i (forward transform) swaps its parts.
      f[k &+ m] = ComplexInt16(
        real: evenDifference.real &+ oddDifference.imag, imag: evenDifference.imag &- oddDifference.real)
      f[k &+ 3 &* m] = ComplexInt16(
        real: evenDifference.real &- oddDifference.imag, imag: evenDifference.imag &+ oddDifference.real)
    }
  }

  /// (x + 2^14) >> 15, stored to int16 (kissfft's `sround`).
  @inline(__always)
  static func roundQ15(_ x: Int32) -> Int16 {
    Int16(truncatingIfNeeded: (x &+ (1 << (productShift - 1))) >> productShift)
  }

  /// Complex product with a Q15 twiddle, each part rounded once.
  @inline(__always)
  static func multiplied(_ a: ComplexInt16, _ b: ComplexInt16) -> ComplexInt16 {
    let ar = Int32(a.real)
    let ai = Int32(a.imag)
    let br = Int32(b.real)
    let bi = Int32(b.imag)
    return ComplexInt16(
      real: roundQ15(ar &* br &- ai &* bi), imag: roundQ15(ar &* bi &+ ai &* br))
  }

  /// kissfft's C_FIXDIV: x * (32767 / divisor) in Q15, rounded.
  @inline(__always)
  static func divided(_ a: ComplexInt16, by divisor: Int32) -> ComplexInt16 {
    let factor = twiddleOne / divisor
    return ComplexInt16(
      real: roundQ15(Int32(a.real) &* factor), imag: roundQ15(Int32(a.imag) &* factor))
  }

  /// Clears the buffers (the tables stay).
  public mutating func reset() {
    for i in 0..<input.count { input[i] = 0 }
    for i in 0..<work.count { work[i] = ComplexInt16(real: 0, imag: 0) }
    for i in 0..<output.count { output[i] = ComplexInt16(real: 0, imag: 0) }
  }
}
