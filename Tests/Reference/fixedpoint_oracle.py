"""Independent oracle for Sources/FixedPoint: the same functions in Python integers.

Usage: fixedpoint_oracle.py < requests.json > answers.json

requests.json maps a function name to a list of argument lists; the answer maps the
same names to the list of results. Everything is derived from the definitions
(exact integer arithmetic, math.frexp), not from the Swift code:

  srdhm [a, b]            floor((a*b + 2^30) / 2^31); Int32.min^2 saturates
  rdbpot [x, e]           x / 2^e rounded half away from zero
  quantize [bits]         TFLM QuantizeMultiplier of the double with these bits
  mbqm [x, m, s]          TFLM MultiplyByQuantizedMultiplier (double rounding)
  exp [a, integer_bits]   gemmlowp exp_on_negative_values, raw Q0.31
  one_over [a]            gemmlowp one_over_one_plus_x_for_x_in_0_1
  logistic [a, integer_bits]
  one_minus_over [a]      gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1
  tanh [a, integer_bits]  gemmlowp tanh, raw Q0.31
  reciprocal [x, integer_bits]  TFLM GetReciprocal -> [raw, bits_over_unit]
"""
import json
import math
import struct
import sys

MIN32, MAX32 = -(1 << 31), (1 << 31) - 1


def wrap(x):
  """Two's complement wrap to int32 (what the C additions do on the targets)."""
  x &= 0xFFFFFFFF
  return x - (1 << 32) if x >= (1 << 31) else x


def srdhm(a, b):
  if a == b == MIN32:
    return MAX32
  return (a * b + (1 << 30)) >> 31  # Python >> floors


def rdbpot(x, e):
  if e == 0:
    return x
  q, r = divmod(abs(x), 1 << e)
  if 2 * r >= (1 << e):
    q += 1
  return q if x >= 0 else -q


def sat_pot(x, e):
  """SaturatingRoundingMultiplyByPOT / Rescale."""
  if e <= 0:
    return rdbpot(x, -e)
  return max(MIN32, min(MAX32, x << e))


def quantize(bits):
  d = struct.unpack("<d", struct.pack("<q", bits))[0]
  if d == 0 or not math.isfinite(d):
    return [0, 0]
  q, e = math.frexp(d)
  v = abs(q) * 2.0 ** 31
  fixed = math.floor(v + 0.5)  # exact: v < 2^31 has at most 22 fractional bits
  fixed = fixed if q > 0 else -fixed
  if fixed == (1 << 31):
    fixed //= 2
    e += 1
  if e < -31:
    return [0, 0]
  return [fixed, e]


def mbqm(x, m, s):
  left, right = max(s, 0), max(-s, 0)
  return rdbpot(srdhm(wrap(x * (1 << left)), m), right)


def exp_quarter(a):
  """exp on [-1/4, 0) via the Taylor series around -1/8 (all Q0.31)."""
  x = wrap(a + (1 << 28))
  x2 = srdhm(x, x)
  x3 = srdhm(x2, x)
  x4 = srdhm(x2, x2)
  series = rdbpot(wrap(srdhm(wrap(rdbpot(x4, 2) + x3), 715827883) + x2), 1)
  c = 1895147668
  return wrap(c + srdhm(c, wrap(x + series)))


def exp_neg(a, ib):
  frac = 31 - ib
  quarter = 1 << (frac - 2)
  a_mod = wrap((a & (quarter - 1)) - quarter)
  result = exp_quarter(sat_pot(a_mod, ib))
  remainder = wrap(a_mod - a)
  for k, mult in ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
                  (2, 39332535), (3, 720401), (4, 242)):
    if ib > k and remainder & (1 << (frac + k)):
      result = srdhm(result, mult)
  if ib > 5 and a < -(1 << (36 - ib)):
    result = 0
  if a == 0:
    result = MAX32
  return result


def one_over(a):
  half = (a + MAX32 + (1 if a + MAX32 >= 0 else -1))
  half = int(half / 2)  # truncation toward zero, as C
  x = wrap(1515870810 + srdhm(half, -1010580540))
  for _ in range(3):
    one_minus = wrap((1 << 29) - srdhm(half, x))
    x = wrap(x + sat_pot(srdhm(x, one_minus), 2))
  return sat_pot(x, 1)


def logistic(a, ib):
  if a == 0:
    return 1 << 30
  pos = one_over(exp_neg(-abs(a), ib))
  return pos if a > 0 else MAX32 - pos


def one_minus_over(a):
  """(1 - a) / (1 + a): the Newton-Raphson reciprocal of one_over, minus 1 (Q2.29)."""
  half = (a + MAX32 + (1 if a + MAX32 >= 0 else -1))
  half = int(half / 2)
  x = wrap(1515870810 + srdhm(half, -1010580540))
  for _ in range(3):
    one_minus = wrap((1 << 29) - srdhm(half, x))
    x = wrap(x + sat_pot(srdhm(x, one_minus), 2))
  return sat_pot(wrap(x - (1 << 29)), 2)


def tanh(a, ib):
  """exp(-2|a|) is exp_neg of -|a| read with one more integer bit."""
  if a == 0:
    return 0
  t = one_minus_over(exp_neg(-abs(a), ib + 1))
  return wrap(-t) if a < 0 else t


def reciprocal(x, ib):
  u = x & 0xFFFFFFFF
  clz = 32 - u.bit_length()
  shifted = wrap(((u << clz) & 0xFFFFFFFF) - (1 << 31))
  return [one_over(shifted), ib - clz]


FUNCTIONS = {
    "srdhm": srdhm, "rdbpot": rdbpot, "quantize": quantize, "mbqm": mbqm, "exp": exp_neg,
    "one_over": one_over, "logistic": logistic, "reciprocal": reciprocal,
    "one_minus_over": one_minus_over, "tanh": tanh,
}


def main():
  requests = json.load(sys.stdin)
  json.dump({name: [FUNCTIONS[name](*args) for args in calls] for name, calls in requests.items()},
            sys.stdout)


if __name__ == "__main__":
  main()
