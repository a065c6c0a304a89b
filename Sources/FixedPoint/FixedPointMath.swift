// gemmlowp's fixed-point transcendental functions (exp, 1/(1+x), logistic) on raw Int32
// values in Q(integerBits).(31 - integerBits), as TFLM's int8 SOFTMAX and LOGISTIC use
// them. All products are `saturatingRoundingDoublingHighMul`; additions wrap as in C.

/// Q0.31 constants of gemmlowp (the checked values of the named reals).
@usableFromInline enum GemmlowpConstant {
  /// exp(-1/8) in Q0.31.
  @usableFromInline static let expMinusOneEighth: Int32 = 1_895_147_668
  /// 1/3 in Q0.31.
  @usableFromInline static let oneThird: Int32 = 715_827_883
  /// 48/17 in Q2.29 (Newton-Raphson start for 1/x on [1, 2)).
  @usableFromInline static let fortyEightOverSeventeen: Int32 = 1_515_870_810
  /// -32/17 in Q2.29.
  @usableFromInline static let minusThirtyTwoOverSeventeen: Int32 = -1_010_580_540
}

/// exp(a) for a Q0.31 value a in [-1/4, 0): a fourth-order Taylor expansion around
/// -1/8. Result Q0.31.
@inlinable
public func expOnIntervalNegativeQuarterToZero(_ a: Int32) -> Int32 {
  // x = a + 1/8, with 1/8 = 2^28 in Q0.31.
  let x = a &+ (1 << 28)
  let x2 = saturatingRoundingDoublingHighMul(x, x)
  let x3 = saturatingRoundingDoublingHighMul(x2, x)
  let x4 = saturatingRoundingDoublingHighMul(x2, x2)
  let x4Over4 = roundingDivideByPowerOfTwo(x4, 2)
  let series = roundingDivideByPowerOfTwo(
    saturatingRoundingDoublingHighMul(x4Over4 &+ x3, GemmlowpConstant.oneThird) &+ x2, 1)
  let c = GemmlowpConstant.expMinusOneEighth
  return c &+ saturatingRoundingDoublingHighMul(c, x &+ series)
}

/// exp(a) for a <= 0 given in Q(integerBits).(31 - integerBits); result in Q0.31
/// (exp(0) gives Int32.max). gemmlowp `exp_on_negative_values`: the fractional part
/// modulo 1/4 goes through the Taylor series, each set bit of the rest multiplies by
/// exp(-2^k), k = -2...4, and inputs below -32 give 0.
///
///     // -1.0 in Q5.26 is -(1 << 26); exp(-1) = 0.36788 = 790015084.4 / 2^31.
///     expOnNegativeValues(-(1 << 26), integerBits: 5)   // 790015308
@inlinable
public func expOnNegativeValues(_ a: Int32, integerBits: Int32) -> Int32 {
  let fractionalBits = 31 - integerBits
  let oneQuarter = Int32(1) << (fractionalBits - 2)
  let aModQuarterMinusOneQuarter = (a & (oneQuarter &- 1)) &- oneQuarter
  var result = expOnIntervalNegativeQuarterToZero(
    saturatingRoundingMultiplyByPowerOfTwo(aModQuarterMinusOneQuarter, integerBits))
  let remainder = aModQuarterMinusOneQuarter &- a

  @inline(__always) func barrel(_ exponent: Int32, _ multiplier: Int32) {
    guard integerBits > exponent else { return }
    if remainder & (Int32(1) << (fractionalBits + exponent)) != 0 {
      result = saturatingRoundingDoublingHighMul(result, multiplier)
    }
  }
  // exp(-2^k) in Q0.31 for k = -2 ... 4.
  barrel(-2, 1_672_461_947)
  barrel(-1, 1_302_514_674)
  barrel(0, 790_015_084)
  barrel(1, 290_630_308)
  barrel(2, 39_332_535)
  barrel(3, 720_401)
  barrel(4, 242)

  if integerBits > 5 {
    // -32.0 in the input format.
    let clamp = -(Int32(1) << (36 - integerBits))
    if a < clamp { result = 0 }
  }
  if a == 0 { result = .max }
  return result
}

/// 1 / (1 + a) for a Q0.31 value a in [0, 1); result in Q0.31. gemmlowp
/// `one_over_one_plus_x_for_x_in_0_1`: three Newton-Raphson steps in Q2.29 on the
/// half denominator (1 + a) / 2.
///
///     oneOverOnePlusX(1 << 30)   // 1431655762, 2/3 is 1431655765.3 in Q0.31
@inlinable
public func oneOverOnePlusX(_ a: Int32) -> Int32 {
  let x = reciprocalOfHalfDenominator(a)
  // x is 1/half_denominator in Q2.29; halve it (reinterpret as Q1.30), then Q0.31.
  return saturatingRoundingMultiplyByPowerOfTwo(x, 1)
}

/// 1 / ((1 + a) / 2) in Q2.29 for a Q0.31 value a in [0, 1): gemmlowp's three
/// Newton-Raphson steps from 48/17 - 32/17 * d, shared by `oneOverOnePlusX` and
/// `oneMinusXOverOnePlusX`, which differ only in how they read the result.
@inlinable
func reciprocalOfHalfDenominator(_ a: Int32) -> Int32 {
  let halfDenominator = roundingHalfSum(a, .max)
  let oneQ2: Int32 = 1 << 29
  var x =
    GemmlowpConstant.fortyEightOverSeventeen
    &+ saturatingRoundingDoublingHighMul(
      halfDenominator, GemmlowpConstant.minusThirtyTwoOverSeventeen)
  for _ in 0..<3 {
    let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)
    let oneMinus = oneQ2 &- halfDenominatorTimesX
    // Q2.29 * Q2.29 = Q4.27, rescaled back to Q2.29.
    x =
      x &+ saturatingRoundingMultiplyByPowerOfTwo(saturatingRoundingDoublingHighMul(x, oneMinus), 2)
  }
  return x
}

/// logistic(a) = 1 / (1 + exp(-a)) for a in Q(integerBits).(31 - integerBits); result
/// in Q0.31 (gemmlowp `logistic`). logistic(0) is exactly 1/2 (2^30).
@inlinable
public func logistic(_ a: Int32, integerBits: Int32) -> Int32 {
  if a == 0 { return 1 << 30 }
  let magnitude = a > 0 ? a : 0 &- a
  let positive = oneOverOnePlusX(expOnNegativeValues(0 &- magnitude, integerBits: integerBits))
  return a > 0 ? positive : Int32.max &- positive
}

/// 1 / x for a positive x in Q(integerBits).(31 - integerBits), as TFLM's `GetReciprocal`:
/// x is normalised to [1, 2) by its leading zeros; the result is 1/x_normalised in
/// Q0.31 and `bitsOverUnit`, the number of bits x had above 1.0 (so that
/// 1/x = reciprocal * 2^-bitsOverUnit).
@inlinable
public func reciprocal(_ x: Int32, integerBits: Int32) -> (reciprocal: Int32, bitsOverUnit: Int32) {
  let bits = UInt32(bitPattern: x)
  let headroomPlusOne = Int32(bits.leadingZeroBitCount)
  let shiftedMinusOne = Int32(bitPattern: (bits << UInt32(headroomPlusOne)) &- (UInt32(1) << 31))
  return (oneOverOnePlusX(shiftedMinusOne), integerBits - headroomPlusOne)
}
