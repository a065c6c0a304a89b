// gemmlowp's fixed-point tanh on raw Int32 values, as TFLM's int8 TANH uses it:
// tanh(x) = (1 - exp(-2|x|)) / (1 + exp(-2|x|)), with the sign of x. Products are
// `saturatingRoundingDoublingHighMul`, additions wrap as in C (see FixedPointMath.swift
// for exp and the Newton-Raphson constants).

/// (1 - a) / (1 + a) for a Q0.31 value a in [0, 1); result in Q0.31. gemmlowp
/// `one_minus_x_over_one_plus_x_for_x_in_0_1`: three Newton-Raphson steps in Q2.29
/// for 1 / ((1 + a) / 2) (`reciprocalOfHalfDenominator`, as `oneOverOnePlusX`), then
/// that minus one.
///
///     oneMinusXOverOnePlusX(1 << 30)   // 1/3 = 715827882.7 in Q0.31
@inlinable
public func oneMinusXOverOnePlusX(_ a: Int32) -> Int32 {
  let x = reciprocalOfHalfDenominator(a)
  let oneQ2: Int32 = 1 << 29
  // x - 1 in Q2.29 (2 / (1 + a) - 1), rescaled to Q0.31.
  return saturatingRoundingMultiplyByPowerOfTwo(x &- oneQ2, 2)
}

/// tanh(a) for a in Q(integerBits).(31 - integerBits), result in Q0.31 (gemmlowp
/// `tanh`): n = -|a|; exp(2n) is exp of the same raw value read with one more
/// integer bit; (1 - e) / (1 + e), negated for negative a; tanh(0) = 0.
///
///     tanh(1 << 27, integerBits: 4)   // tanh(1.0) = 0.761594 -> about 1635508000
@inlinable
public func tanh(_ a: Int32, integerBits: Int32) -> Int32 {
  if a == 0 { return 0 }
  let negative = a < 0
  let n = negative ? a : 0 &- a
  let t = oneMinusXOverOnePlusX(expOnNegativeValues(n, integerBits: integerBits + 1))
  return negative ? 0 &- t : t
}
