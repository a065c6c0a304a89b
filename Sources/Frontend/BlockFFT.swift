// BlockFFT: a real FFT in fixed point with one block exponent per frame, for the MFCC
// front end. Integer-only and allocation-free after init.
//
// Block floating point, and why no stage ever overflows: the frame is first scaled by
// 2^shift (shift chosen per frame, negative for loud frames) so that its largest sample
// lies in [2^(blockBits-1), 2^blockBits]; `shift` is the frame's block exponent. Every
// intermediate value of a radix-2 FFT is a partial DFT of a subsequence, so its real and
// imaginary parts are bounded by sum |u[n]| <= windowSamples * 2^blockBits. With
// blockBits = 30 - ceil(log2(windowSamples)) (21 for 480 samples) that is <= 2^30, and
// the final split into real-input bins doubles it to 2^31, which is done in Int64. So
// quiet frames are shifted up and keep their precision, loud frames lose only bits below
// 2^-21 of their peak, and no per-stage check is needed.

/// A 2N-point real FFT computed as an N-point complex FFT (radix 2, decimation in time,
/// Q30 twiddles, each part of a complex product rounded once) followed by the real-input
/// split.
///
///     var fft = BlockFFT(fftLength: 512, windowSamples: 480)
///     let shift = fft.load(windowed)          // block exponent of this frame
///     fft.transform()
///     let m = fft.doubledMagnitude(bin: 10)   // |X[10]| * 2 * 2^shift, rounded
struct BlockFFT {
  /// Q-format of the twiddle factors: 1.0 = 2^30 (fits Int32 with cos 0 = 1).
  static let twiddleFractionBits = 30

  let fftLength: Int
  let windowSamples: Int
  /// Bits allowed for the block-scaled input: max |u| <= 2^blockBits.
  let blockBits: Int
  private let half: Int
  /// cos and sin of 2 pi k / fftLength for k in 0..<fftLength/2, Q30.
  private var cosTable: [Int32]
  private var sinTable: [Int32]
  private var bitReverse: [Int32]
  private var re: [Int32]
  private var im: [Int32]

  init(fftLength: Int, windowSamples: Int) {
    precondition(fftLength >= 4 && fftLength & (fftLength - 1) == 0 && windowSamples <= fftLength)
    self.fftLength = fftLength
    self.windowSamples = windowSamples
    var windowBits = 0
    while (1 << windowBits) < windowSamples { windowBits += 1 }
    blockBits = 30 - windowBits
    half = fftLength / 2
    var bits = 0
    while (1 << bits) < half { bits += 1 }
    let one = Double(1 << Self.twiddleFractionBits)
    cosTable = [Int32](repeating: 0, count: half)
    sinTable = [Int32](repeating: 0, count: half)
    for k in 0..<half {
      cosTable[k] = Int32(MFCCMath.roundToInt(one * MFCCMath.cosTurns(k, fftLength)))
      sinTable[k] = Int32(MFCCMath.roundToInt(one * MFCCMath.sinTurns(k, fftLength)))
    }
    bitReverse = [Int32](repeating: 0, count: half)
    for i in 0..<half {
      var r = 0
      for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
      bitReverse[i] = Int32(r)
    }
    re = [Int32](repeating: 0, count: half)
    im = [Int32](repeating: 0, count: half)
  }

  /// Scales `frame` (windowSamples values, |v| < 2^62) to the block, packs even samples
  /// into the real and odd samples into the imaginary part in bit-reversed order, and
  /// returns the block exponent `shift` (u = frame * 2^shift), or nil when the frame is
  /// all zeros (no exponent; every bin is 0).
  mutating func load(_ frame: UnsafeBufferPointer<Int64>) -> Int? {
    var peak: UInt64 = 0
    for v in frame { peak = max(peak, v.magnitude) }
    guard peak != 0 else { return nil }
    let msb = 63 - peak.leadingZeroBitCount
    // Largest sample's leading bit lands on bit blockBits - 1, so max |u| <= 2^blockBits
    // even after rounding up.
    let shift = blockBits - 1 - msb
    let n = windowSamples
    let h = half
    re.withUnsafeMutableBufferPointer { re in
      im.withUnsafeMutableBufferPointer { im in
        bitReverse.withUnsafeBufferPointer { rev in
          for m in 0..<h {
            let even = 2 * m < n ? Self.scaled(frame[2 * m], by: shift) : 0
            let odd = 2 * m + 1 < n ? Self.scaled(frame[2 * m + 1], by: shift) : 0
            let slot = Int(rev[m])
            re[slot] = even
            im[slot] = odd
          }
        }
      }
    }
    return shift
  }

  // The arithmetic below wraps (&+, &*, &>>) instead of trapping: the block bound in the
  // file header proves no value leaves its type, and trapping 64-bit arithmetic costs a
  // library call per operation on the 32-bit Cortex-M4.

  /// x * 2^shift, right shifts rounded to nearest (half up).
  @inline(__always)
  private static func scaled(_ x: Int64, by shift: Int) -> Int32 {
    if shift >= 0 { return Int32(truncatingIfNeeded: x &<< Int64(shift)) }
    let s = Int64(-shift)
    return Int32(truncatingIfNeeded: (x &+ (Int64(1) &<< (s &- 1))) &>> s)
  }

  private static var twiddleHalf: Int64 { 1 << 29 }

  /// a * b as a full 64-bit product from 32-bit operands: one SMULL on the M4 (a product
  /// of two sign-extended Int64s becomes a 64x64 multiply sequence instead).
  @inline(__always)
  static func wide(_ a: Int32, _ b: Int32) -> Int64 {
    let p = a.multipliedFullWidth(by: b)
    return Int64(p.high) &<< 32 | Int64(p.low)
  }
  private static var twiddleShift: Int64 { 30 }

  /// (a * b) >> 30 rounded to nearest, for a Q30 twiddle b and an operand that may need
  /// 33 bits (the split's sums).
  @inline(__always)
  private static func mulQ30(_ a: Int64, _ b: Int32) -> Int64 {
    (a &* Int64(b) &+ (1 &<< Int64(twiddleFractionBits - 1))) &>> Int64(twiddleFractionBits)
  }

  /// The in-place half-length complex FFT of the loaded data (forward, unscaled).
  mutating func transform() {
    let h = half
    re.withUnsafeMutableBufferPointer { re in
      im.withUnsafeMutableBufferPointer { im in
        cosTable.withUnsafeBufferPointer { cosT in
          sinTable.withUnsafeBufferPointer { sinT in
            var length = 2
            // Twiddle for the half-length FFT: e^{-2 pi i j / length}
            // = table index j * (fftLength / length), where the table is over fftLength.
            var stride = h
            while length <= h {
              let span = length / 2
              var start = 0
              while start < h {
                var twiddle = 0
                for a in start..<(start &+ span) {
                  let wr = cosT[twiddle]
                  let wi = sinT[twiddle]  // e^{-i t} = cos t - i sin t
                  twiddle &+= stride
                  let b = a &+ span
                  let br = re[b]
                  let bi = im[b]
                  // t = b (cos - i sin): each part two 32x32->64 products (SMULL) and one
                  // rounding; |t| <= |b| < 2^30, so it fits Int32 again.
                  let tr = Int32(
                    truncatingIfNeeded: (Self.wide(br, wr) &+ Self.wide(bi, wi) &+ Self.twiddleHalf)
                      &>> Self.twiddleShift)
                  let ti = Int32(
                    truncatingIfNeeded: (Self.wide(bi, wr) &- Self.wide(br, wi) &+ Self.twiddleHalf)
                      &>> Self.twiddleShift)
                  let ar = re[a]
                  let ai = im[a]
                  re[a] = ar &+ tr
                  im[a] = ai &+ ti
                  re[b] = ar &- tr
                  im[b] = ai &- ti
                }
                start &+= length
              }
              length *= 2
              stride /= 2
            }
          }
        }
      }
    }
  }

  /// 2 |X[k]| of the real input, k in 1..<fftLength/2, rounded to nearest, where
  /// X[k] = sum_n u[n] e^{-2 pi i k n / fftLength}. Doubling keeps the split's final
  /// halving as one more bit instead of a rounding.
  ///
  /// With Z the half-length FFT, A = Z[k] + conj Z[h-k], B = Z[k] - conj Z[h-k] and
  /// W = e^{-2 pi i k / fftLength}: 2 X[k] = A - i W B.
  func doubledMagnitude(bin k: Int) -> UInt64 {
    let h = half
    let k2 = (h - k) & (h - 1)
    let zr = Int64(re[k])
    let zi = Int64(im[k])
    let cr = Int64(re[k2])
    let ci = -Int64(im[k2])
    let ar = zr &+ cr
    let ai = zi &+ ci
    let br = zr &- cr
    let bi = zi &- ci
    let c = cosTable[k]
    let s = sinTable[k]
    // -i W B = -i (c - i s)(br + i bi) = (c bi - s br) + i (-c br - s bi)
    let xr = ar &+ Self.mulQ30(bi, c) &- Self.mulQ30(br, s)
    let xi = ai &- Self.mulQ30(br, c) &- Self.mulQ30(bi, s)
    let power = xr.magnitude &* xr.magnitude &+ xi.magnitude &* xi.magnitude
    return MFCCSquareRoot.rounded(power)
  }
}
