// Host check of Support/libm.c: every function against glibc, on special values
// (zeros, halves, integers near 2^52 / 2^23, infinities, NaN) and random bit
// patterns, compared bit for bit (so -0 vs +0 counts). Built and run by run.sh.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define KWS_LIBM_NAME(f) kws_##f
#include "../Support/libm.c"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {  // splitmix64
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static long failures;

static void checkDouble(const char *name, double (*mine)(double), double (*ref)(double), double x) {
  double a = mine(x), b = ref(x);
  uint64_t ba, bb;
  memcpy(&ba, &a, 8);
  memcpy(&bb, &b, 8);
  if (ba != bb && !(isnan(a) && isnan(b))) {
    if (failures++ < 10) printf("%s(%a): got %a, glibc %a\n", name, x, a, b);
  }
}

static void checkFloat(const char *name, float (*mine)(float), float (*ref)(float), float x) {
  float a = mine(x), b = ref(x);
  uint32_t ba, bb;
  memcpy(&ba, &a, 4);
  memcpy(&bb, &b, 4);
  if (ba != bb && !(isnan(a) && isnan(b))) {
    if (failures++ < 10) printf("%s(%a): got %a, glibc %a\n", name, (double)x, (double)a, (double)b);
  }
}

static void all(double x) {
  checkDouble("trunc", kws_trunc, trunc, x);
  checkDouble("floor", kws_floor, floor, x);
  checkDouble("ceil", kws_ceil, ceil, x);
  checkDouble("round", kws_round, round, x);
  checkDouble("rint", kws_rint, rint, x);
  checkDouble("nearbyint", kws_nearbyint, nearbyint, x);
  float f = (float)x;
  checkFloat("truncf", kws_truncf, truncf, f);
  checkFloat("floorf", kws_floorf, floorf, f);
  checkFloat("ceilf", kws_ceilf, ceilf, f);
  checkFloat("roundf", kws_roundf, roundf, f);
  checkFloat("rintf", kws_rintf, rintf, f);
  checkFloat("nearbyintf", kws_nearbyintf, nearbyintf, f);
}

int main(void) {
  long count = 0;
  const double specials[] = {0.0, 0.5, 1.0, 1.5, 2.5, 0.49999999999999994, 3.5, 4503599627370495.5,
                             4503599627370496.0, 9007199254740991.0, 8388607.5, 8388608.0, 16777215.0,
                             1e-320, 1e300, INFINITY, NAN, 0.25, 0.75, 1.0000001, 2147483647.5};
  for (unsigned i = 0; i < sizeof specials / sizeof specials[0]; i++) {
    for (int k = -8; k <= 8; k++) {  // neighbours of each special, both signs
      double x = specials[i];
      for (int step = 0; step < (k < 0 ? -k : k); step++) x = nextafter(x, k < 0 ? -INFINITY : INFINITY);
      all(x);
      all(-x);
      count += 2;
    }
  }
  for (long i = 0; i < 2000000; i++) {
    uint64_t bits = next();
    double x;
    memcpy(&x, &bits, 8);
    all(x);  // any double (also its float conversion)
    float f;
    uint32_t fb = (uint32_t)bits;
    memcpy(&f, &fb, 4);
    all((double)f);  // any float, exactly
    // Values near integers and halves, where rounding decides.
    all((double)(int64_t)(bits >> 20) / 2.0 * ((bits & 1) ? -1 : 1));
    all((double)(int32_t)(bits >> 40) / 4.0);
    count += 4;
  }
  printf("libm: %ld inputs x 12 functions, %ld mismatches\n", count, failures);
  return failures != 0;
}
