// Elementary functions for building lookup tables at init (window shapes, FFT
// twiddles, mel weights, gain curves), written in plain Swift so the firmware links
// without a libm. Speed does not matter here; agreement with the C library does.
//
// The reference front end builds its int16 tables as floor(value * 2^k + 1/2), so an
// error in a table value only shows if it moves the value across a rounding boundary.
// The Double functions below are accurate to a few ulp; the Float ones are computed in
// Double and rounded once, i.e. correctly rounded except when the exact result lies
// within ~1e-15 (relative) of a midpoint between two Floats. Tests compare every table
// the front end builds against the live C library.

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
  ///     TableMath.exp(1)  // 2.718281828459045
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

  // MARK: Float, rounded once from Double

  /// cosf(x): the Double cosine rounded to Float.
  ///
  ///     TableMath.cos(Float(0.5))  // 0.87758255
  public static func cos(_ x: Float) -> Float {
    Float(cos(Double(x)))
  }

  /// log1pf(x) = ln(1 + x) for x > -1, rounded to Float.
  ///
  ///     TableMath.log1p(Float(1))  // 0.6931472
  public static func log1p(_ x: Float) -> Float {
    let wide = Double(x)
    // 1 + x is exact in Double for every Float x with |x| >= 2^-29; below that the
    // series' second term is already under half a Float ulp of x.
    if wide.magnitude < 0x1p-29 { return Float(wide - wide * wide / 2) }
    return Float(log(1 + wide))
  }

  /// powf(x, y) for x >= 0 (NaN for negative x), rounded to Float.
  ///
  ///     TableMath.pow(Float(80), Float(-0.95))  // 0.015568...
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
