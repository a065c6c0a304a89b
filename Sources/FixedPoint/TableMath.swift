// Elementary functions for building lookup tables at init (window shapes, FFT
// twiddles, mel weights, gain curves), written in plain Swift so the firmware links
// without a libm. Speed does not matter here; agreement with the C library does.
//
// The reference front end builds its int16 tables as floor(value * 2^k + 1/2), so an
// error in a table value only shows if it moves the value across a rounding boundary.
// The Double functions below are accurate to a few ulp. Float `cos` and `pow` are
// computed in Double and rounded once, i.e. correctly rounded except when the exact
// result lies within ~1e-15 (relative) of a midpoint between two Floats, which is what
// glibc's cosf/powf give too. Float `log1p` instead follows fdlibm's float algorithm
// step by step, because glibc's log1pf (and newlib's) is that algorithm, not correctly
// rounded, and the reference tables inherit its last bit. Tests compare every table the
// front end builds against the live C library, and these functions against glibc.

/// Double- and Float-precision `floor`, `cos`, `sin`, `log`, `log1p`, `exp`, `pow` for
/// init-time table building (no libm, no Foundation).
public enum TableMath {
  // Cody-Waite splits: the high parts have 33 (pi/2) or 32 (ln 2) significant bits,
  // so n * high is exact for the small n used here.
  @usableFromInline static let piOver2High = 0x1.921fb544p0
  @usableFromInline static let piOver2Middle = 0x1.0b4611a6p-34
  @usableFromInline static let piOver2Low = 0x1.3198a2e037073p-69
  @usableFromInline static let twoOverPi = 0x1.45f306dc9c883p-1
  @usableFromInline static let ln2High = 0x1.62e42feep-1
  @usableFromInline static let ln2Low = 0x1.a39ef35793c76p-33
  @usableFromInline static let oneOverLn2 = 0x1.71547652b82fep0
  @usableFromInline static let squareRootOf2 = 0x1.6a09e667f3bcdp0

  // MARK: Rounding

  /// The largest integral value <= x.
  ///
  ///     TableMath.floor(2.5)   // 2.0
  ///     TableMath.floor(-2.5)  // -3.0
  public static func floor(_ x: Double) -> Double {
    // From 2^52 on every Double is integral (and NaN/infinity pass through).
    guard x.magnitude < 0x1p52 else { return x }
    let truncated = Double(Int64(x))
    return truncated > x ? truncated - 1 : truncated
  }

  /// The largest integral value <= x.
  ///
  ///     TableMath.floor(Float(4095.7))  // 4095.0
  public static func floor(_ x: Float) -> Float {
    guard x.magnitude < 0x1p23 else { return x }
    let truncated = Float(Int32(x))
    return truncated > x ? truncated - 1 : truncated
  }

  // MARK: Double

  /// cos(x), accurate to a few ulp for |x| < 2^20.
  ///
  ///     TableMath.cos(0)            // 1.0
  ///     TableMath.cos(Double.pi/3)  // 0.5000000000000001
  public static func cos(_ x: Double) -> Double {
    let (quadrant, r) = reduceByQuarterTurns(x)
    switch quadrant {
    case 0: return cosKernel(r)
    case 1: return -sinKernel(r)
    case 2: return -cosKernel(r)
    default: return sinKernel(r)
    }
  }

  /// sin(x), accurate to a few ulp for |x| < 2^20.
  ///
  ///     TableMath.sin(Double.pi/6)  // 0.49999999999999994
  public static func sin(_ x: Double) -> Double {
    let (quadrant, r) = reduceByQuarterTurns(x)
    switch quadrant {
    case 0: return sinKernel(r)
    case 1: return cosKernel(r)
    case 2: return -sinKernel(r)
    default: return -cosKernel(r)
    }
  }

  /// Natural logarithm, accurate to a few ulp; NaN below 0, -infinity at 0.
  ///
  ///     TableMath.log(1)                  // 0.0
  ///     TableMath.log(2.718281828459045)  // 1.0
  public static func log(_ x: Double) -> Double {
    if x.isNaN || x < 0 { return .nan }
    if x == 0 { return -.infinity }
    if x == .infinity { return x }
    // x = m * 2^e with m in [sqrt(1/2), sqrt(2)].
    var bits = x.bitPattern
    var exponent = Int(bits >> 52) - 1023
    if bits >> 52 == 0 {  // subnormal: scale into the normal range first
      bits = (x * 0x1p54).bitPattern
      exponent = Int(bits >> 52) - 1023 - 54
    }
    var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    if m > squareRootOf2 {
      m *= 0.5
      exponent += 1
    }
    // log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1), |s| <= 0.1716.
    let f = m - 1  // exact (Sterbenz)
    let s = f / (2 + f)
    let z = s * s
    var p = 1 / Double(2 * 12 + 1)
    for k in stride(from: 11, through: 1, by: -1) {
      p = 1 / Double(2 * k + 1) + z * p
    }
    let logM = 2 * s + 2 * s * (z * p)
    let e = Double(exponent)
    return e * ln2High + (e * ln2Low + logM)
  }

  /// e^x, accurate to a few ulp; 0 below -745, infinity above 709.78.
  ///
  ///     TableMath.exp(0)  // 1.0
  ///     TableMath.exp(1)  // 2.7182818284590455 (e + 1 ulp)
  public static func exp(_ x: Double) -> Double {
    if x.isNaN { return x }
    if x > 709.78 { return .infinity }
    if x < -745.2 { return 0 }
    // x = k ln2 + r with |r| <= ln2/2; e^x = 2^k e^r.
    let k = floor(x * oneOverLn2 + 0.5)
    let r = (x - k * ln2High) - k * ln2Low
    // e^r = 1 + r (1 + r/2 (1 + r/3 (1 + ...))); 20 terms are far below one ulp.
    var p = 1.0
    for n in stride(from: 20, through: 2, by: -1) {
      p = 1 + r / Double(n) * p
    }
    return scaled(1 + r * p, byPowerOf2: Int(k))
  }

  // MARK: Float

  /// cosf(x): the Double cosine rounded to Float.
  ///
  ///     TableMath.cos(Float(0.5))  // 0.87758255
  public static func cos(_ x: Float) -> Float {
    Float(cos(Double(x)))
  }

  /// log1pf(x) = ln(1 + x), computed the way fdlibm's float `log1pf` computes it
  /// (Sun Microsystems 1993, freely granted; the algorithm of glibc up to 2.40 and of
  /// newlib), not correctly rounded: for about 1 in 11 inputs it is one Float ulp off
  /// the exact value, and the reference's mel weights were built with it (rounding
  /// them correctly instead moves 2 of microWakeWord's 236 filterbank weights by one).
  ///
  /// Method: 1 + x = 2^k (1 + f) with sqrt(2)/2 <= 1 + f < sqrt(2), carrying the
  /// rounding error of 1 + x in c; then with s = f / (2 + f),
  /// ln(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), R a degree-7 minimax polynomial.
  ///
  ///     TableMath.log1p(Float(1))  // 0.6931472
  public static func log1p(_ x: Float) -> Float {
    let bits = Int32(bitPattern: x.bitPattern)
    let magnitudeBits = bits & 0x7FFF_FFFF
    // ln 2 split so that k * ln2High is exact in Float for |k| < 2^8.
    let ln2High = Float(bitPattern: 0x3F31_7180)
    let ln2Low = Float(bitPattern: 0x3717_F7D1)

    var k: Int32 = 1
    var f: Float = 0
    var c: Float = 0
    var mantissa: Int32 = 0  // nonzero unless 1 + f is (nearly) an exact power of two
    if bits < 0x3ED4_13D7 {  // x < 0.41422 (or negative)
      if magnitudeBits >= 0x3F80_0000 {  // x <= -1
        return x == -1 ? -.infinity : .nan
      }
      if magnitudeBits < 0x3100_0000 {  // |x| < 2^-29: the series' first terms suffice
        return magnitudeBits < 0x2480_0000 ? x : x - x * x * 0.5
      }
      if bits > 0 || bits <= Int32(bitPattern: 0xBE95_F61F) {  // -0.2929 < x < 0.41422
        k = 0
        f = x
        mantissa = 1
      }
    }
    if bits >= 0x7F80_0000 { return x + x }  // +infinity or NaN
    if k != 0 {
      var u: Float
      if bits < 0x5A00_0000 {  // x < 2^53: form 1 + x and keep its rounding error
        u = 1 + x
        k = Int32(u.bitPattern >> 23) - 127
        c = k > 0 ? 1 - (u - x) : x - (u - 1)
        c /= u
      } else {
        u = x
        k = Int32(u.bitPattern >> 23) - 127
        c = 0
      }
      mantissa = Int32(u.bitPattern & 0x007F_FFFF)
      if mantissa < 0x3504F7 {  // mantissa below sqrt(2): 1 + f = u / 2^k
        u = Float(bitPattern: UInt32(mantissa) | 0x3F80_0000)
      } else {  // above: use u / 2^(k+1), in [sqrt(2)/2, 1)
        k += 1
        u = Float(bitPattern: UInt32(mantissa) | 0x3F00_0000)
        mantissa = (0x0080_0000 - mantissa) >> 2
      }
      f = u - 1
    }
    let halfFSquared = 0.5 * f * f
    let kFloat = Float(k)
    if mantissa == 0 {  // |f| < 2^-20
      if f == 0 {
        return k == 0 ? 0 : kFloat * ln2High + (c + kFloat * ln2Low)
      }
      let r = halfFSquared * (1 - Float(0.66666666666666666) * f)
      return k == 0 ? f - r : kFloat * ln2High - ((r - (kFloat * ln2Low + c)) - f)
    }
    let s = f / (2 + f)
    let z = s * s
    var r = log1pCoefficients[6]
    for i in stride(from: 5, through: 0, by: -1) {
      r = log1pCoefficients[i] + z * r
    }
    r = z * r
    if k == 0 { return f - (halfFSquared - s * (halfFSquared + r)) }
    return kFloat * ln2High
      - ((halfFSquared - (s * (halfFSquared + r) + (kFloat * ln2Low + c))) - f)
  }

  /// fdlibm's minimax coefficients for (ln(1+s) - ln(1-s) - 2s) / s^3 in powers of
  /// s^2 (close to 2/3, 2/5, 2/7, ...), as Float bit patterns.
  static let log1pCoefficients: [Float] = [
    Float(bitPattern: 0x3F2A_AAAB), Float(bitPattern: 0x3ECC_CCCD), Float(bitPattern: 0x3E92_4925),
    Float(bitPattern: 0x3E63_8E29), Float(bitPattern: 0x3E3A_3325), Float(bitPattern: 0x3E1C_D04F),
    Float(bitPattern: 0x3E17_8897),
  ]

  /// powf(x, y) for x >= 0 (NaN for negative x), rounded to Float.
  ///
  ///     TableMath.pow(Float(80), Float(-0.95))  // 0.015561969
  public static func pow(_ x: Float, _ y: Float) -> Float {
    if y == 0 || x == 1 { return 1 }
    if x.isNaN || y.isNaN || x < 0 { return .nan }
    if x == 0 { return y < 0 ? .infinity : 0 }
    return Float(exp(Double(y) * log(Double(x))))
  }

  // MARK: Kernels

  /// (x mod pi/2 as a quadrant 0...3, remainder in [-pi/4, pi/4]).
  @usableFromInline
  static func reduceByQuarterTurns(_ x: Double) -> (quadrant: Int, remainder: Double) {
    let n = floor(x * twoOverPi + 0.5)
    let r = ((x - n * piOver2High) - n * piOver2Middle) - n * piOver2Low
    return (Int(n) & 3, r)
  }

  /// cos(r) for |r| <= pi/4: 1 - r^2/2! (1 - r^2/(3*4) (1 - r^2/(5*6) (...))).
  @usableFromInline
  static func cosKernel(_ r: Double) -> Double {
    let z = r * r
    var p = 1.0
    for k in stride(from: 12, through: 2, by: -1) {
      p = 1 - z / Double((2 * k - 1) * (2 * k)) * p
    }
    return 1 - z / 2 * p
  }

  /// sin(r) for |r| <= pi/4: r (1 - r^2/(2*3) (1 - r^2/(4*5) (...))).
  @usableFromInline
  static func sinKernel(_ r: Double) -> Double {
    let z = r * r
    var p = 1.0
    for k in stride(from: 12, through: 2, by: -1) {
      p = 1 - z / Double((2 * k) * (2 * k + 1)) * p
    }
    return r - r * (z / 6 * p)
  }

  /// value * 2^k, built from exponent bits (two steps keep each factor normal).
  @usableFromInline
  static func scaled(_ value: Double, byPowerOf2 k: Int) -> Double {
    var result = value
    var k = k
    while k > 1000 {
      result *= 0x1p1000
      k -= 1000
    }
    while k < -1000 {
      result *= 0x1p-1000
      k += 1000
    }
    return result * Double(bitPattern: UInt64(k + 1023) << 52)
  }
}
