// The few libm functions Embedded Swift calls on a target without them in
// hardware: Float/Double `rounded(_:)` lowers to floor/ceil/trunc/round/rint
// (Cortex-M4's FPU has no round-to-integral instruction, and no double precision
// at all). Exact by construction: they only clear fraction bits or add a half, and
// tests/libm_test.c checks them against glibc over special values and millions of
// random bit patterns.
//
// KWS_LIBM_NAME lets that host test compile this file under other names.
#include <stdint.h>

#ifndef KWS_LIBM_NAME
#define KWS_LIBM_NAME(f) f
#endif

// ---- double: 1 sign bit, 11 exponent bits (bias 1023), 52 fraction bits ----------

typedef union { double value; uint64_t bits; } Double;
enum { kDoubleFractionBits = 52, kDoubleBias = 1023 };

static int doubleExponent(uint64_t bits) { return (int)((bits >> 52) & 0x7FF) - kDoubleBias; }

double KWS_LIBM_NAME(trunc)(double x) {
  Double d = {x};
  int e = doubleExponent(d.bits);
  if (e >= kDoubleFractionBits) return x;  // already integral, or inf/NaN
  if (e < 0) {
    d.bits &= 1ull << 63;  // |x| < 1: a zero of x's sign
    return d.value;
  }
  d.bits &= ~((1ull << (kDoubleFractionBits - e)) - 1);
  return d.value;
}

double KWS_LIBM_NAME(floor)(double x) {
  double t = KWS_LIBM_NAME(trunc)(x);
  return (x < 0 && t != x) ? t - 1.0 : t;  // exact: |t| < 2^52 here
}

double KWS_LIBM_NAME(ceil)(double x) {
  double t = KWS_LIBM_NAME(trunc)(x);
  return (x > 0 && t != x) ? t + 1.0 : t;
}

// Halfway cases away from zero.
double KWS_LIBM_NAME(round)(double x) {
  Double d = {x};
  int e = doubleExponent(d.bits);
  if (e >= kDoubleFractionBits) return x;
  uint64_t sign = d.bits & (1ull << 63);
  if (e < -1) {  // |x| < 0.5
    d.bits = sign;
    return d.value;
  }
  if (e == -1) {  // 0.5 <= |x| < 1
    d.bits = sign | ((uint64_t)kDoubleBias << 52);
    return d.value;
  }
  // Add one half in the magnitude's bits (a carry into the exponent is right:
  // 1.5 -> 2.0), then drop the fraction.
  d.bits += 1ull << (kDoubleFractionBits - 1 - e);
  d.bits &= ~((1ull << (kDoubleFractionBits - e)) - 1);
  return d.value;
}

// Halfway cases to even (the default rounding mode, which is all this runtime has).
double KWS_LIBM_NAME(rint)(double x) {
  Double d = {x};
  if (doubleExponent(d.bits) >= kDoubleFractionBits) return x;
  // Adding 2^52 leaves no fraction bits, so the addition itself rounds to an
  // integer, ties to even; the sign is put back so that -0.3 gives -0.
  const double shift = 4503599627370496.0;  // 2^52
  volatile double magnitude = (x < 0 ? -x : x) + shift;
  double r = magnitude - shift;
  return x < 0 || (d.bits >> 63) ? -r : r;
}

double KWS_LIBM_NAME(nearbyint)(double x) { return KWS_LIBM_NAME(rint)(x); }

// ---- float: 1 sign bit, 8 exponent bits (bias 127), 23 fraction bits ------------

typedef union { float value; uint32_t bits; } Float;
enum { kFloatFractionBits = 23, kFloatBias = 127 };

static int floatExponent(uint32_t bits) { return (int)((bits >> 23) & 0xFF) - kFloatBias; }

float KWS_LIBM_NAME(truncf)(float x) {
  Float f = {x};
  int e = floatExponent(f.bits);
  if (e >= kFloatFractionBits) return x;
  if (e < 0) {
    f.bits &= 1u << 31;
    return f.value;
  }
  f.bits &= ~((1u << (kFloatFractionBits - e)) - 1);
  return f.value;
}

float KWS_LIBM_NAME(floorf)(float x) {
  float t = KWS_LIBM_NAME(truncf)(x);
  return (x < 0 && t != x) ? t - 1.0f : t;
}

float KWS_LIBM_NAME(ceilf)(float x) {
  float t = KWS_LIBM_NAME(truncf)(x);
  return (x > 0 && t != x) ? t + 1.0f : t;
}

float KWS_LIBM_NAME(roundf)(float x) {
  Float f = {x};
  int e = floatExponent(f.bits);
  if (e >= kFloatFractionBits) return x;
  uint32_t sign = f.bits & (1u << 31);
  if (e < -1) {
    f.bits = sign;
    return f.value;
  }
  if (e == -1) {
    f.bits = sign | ((uint32_t)kFloatBias << 23);
    return f.value;
  }
  f.bits += 1u << (kFloatFractionBits - 1 - e);
  f.bits &= ~((1u << (kFloatFractionBits - e)) - 1);
  return f.value;
}

float KWS_LIBM_NAME(rintf)(float x) {
  Float f = {x};
  if (floatExponent(f.bits) >= kFloatFractionBits) return x;
  const float shift = 8388608.0f;  // 2^23
  volatile float magnitude = (x < 0 ? -x : x) + shift;
  float r = magnitude - shift;
  return x < 0 || (f.bits >> 31) ? -r : r;
}

float KWS_LIBM_NAME(nearbyintf)(float x) { return KWS_LIBM_NAME(rintf)(x); }
