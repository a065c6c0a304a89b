import FixedPoint

// Vector building blocks of the fast kernel paths (CONV_2D patch GEMM, depthwise
// channel vectors, FULLY_CONNECTED GEMV, average pool). Every function here computes
// exactly what the scalar reference formula computes, lane by lane: the fast paths
// are bit-exact by construction, and `Tests/InferenceTests/FastPathTests.swift`
// checks each against the reference loops on random shapes and parameters.
//
// Why int16: an int8 activation plus its offset (-zero point, -127...128) lies in
// -255...255, and an int8 weight in -128...127, so every product fits an int16
// (|255 * 128| = 32640 < 32767) and a pair of products fits an int32. That is the
// contract of x86 `pmaddwd` (8 int16 pairs -> 4 int32 pair sums) and of the
// Cortex-M4 `SMLAD` (2 int16 pairs -> 1 int32 accumulate). Sums wrap in int32 like
// the reference's `&+`, so the order of accumulation does not change any result.

/// Int16 values the fast paths keep on the stack per call (a pixel's patch, a
/// FULLY_CONNECTED row): 512 values = 1,024 bytes of stack, never the heap. Shapes
/// that need more use the plain path. (A local `InlineArray`, not
/// `withUnsafeTemporaryAllocation`: the latter left the stack pointer corrupted in
/// the debug test build of 6.3.1 when called inside nested closures.)
let stackPatchCapacity = 512

/// Runs `body` with `stackPatchCapacity` int16 values of zeroed stack storage,
/// 4-byte aligned (stored as words, so the M4 paths may load int16 pairs as words).
@inline(__always)
func withStackPatch<R>(_ body: (UnsafeMutablePointer<Int16>) -> R) -> R {
  var storage = InlineArray<256, UInt32>(repeating: 0)
  return withUnsafeMutablePointer(to: &storage) {
    body(UnsafeMutableRawPointer($0).assumingMemoryBound(to: Int16.self))
  }
}

/// Eight int8 values from `p` (any alignment), sign-extended to int16.
@inline(__always)
func loadWidened8(_ p: UnsafePointer<Int8>) -> SIMD8<Int16> {
  SIMD8<Int16>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int8>.self))
}

/// Sixteen int8 values from `p` (any alignment), sign-extended to int16 in two halves.
@inline(__always)
func loadWidened16(_ p: UnsafePointer<Int8>) -> (low: SIMD8<Int16>, high: SIMD8<Int16>) {
  let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
  return (SIMD8<Int16>(truncatingIfNeeded: v.lowHalf), SIMD8<Int16>(truncatingIfNeeded: v.highHalf))
}

/// Eight int16 values from `p` (any alignment).
@inline(__always)
func load8(_ p: UnsafePointer<Int16>) -> SIMD8<Int16> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int16>.self)
}

/// Four int32 values from `p` (any alignment).
@inline(__always)
func load4(_ p: UnsafePointer<Int32>) -> SIMD4<Int32> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Int32>.self)
}

/// Products of neighbouring int16 lanes, summed in pairs: lane i is
/// `x[2i] * w[2i] + x[2i+1] * w[2i+1]` (x86 `pmaddwd`).
///
///     multiplyAddPairs([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 2, 2, 2, 2])
///     // [3, 7, 22, 30]
@inline(__always)
func multiplyAddPairs(_ x: SIMD8<Int16>, _ w: SIMD8<Int16>) -> SIMD4<Int32> {
  let products = SIMD8<Int32>(truncatingIfNeeded: x) &* SIMD8<Int32>(truncatingIfNeeded: w)
  return products.evenHalf &+ products.oddHalf
}

/// Sums of neighbouring lanes of `a` then `b`: [a0+a1, a2+a3, b0+b1, b2+b3] (`phaddd`).
/// Two levels of it turn four accumulators into their four totals.
@inline(__always)
func addPairs(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>) -> SIMD4<Int32> {
  let both = SIMD8<Int32>(lowHalf: a, highHalf: b)
  return both.evenHalf &+ both.oddHalf
}

/// Where value `k` of a row of `count` values goes in the "paired" layout the dot
/// products read: within each whole block of 16 values, the 8 even-indexed ones
/// first, then the 8 odd-indexed ones; values after the last whole block stay in
/// place.
///
///     pairedIndex(0, count: 32)    // 0
///     pairedIndex(1, count: 32)    // 8
///     pairedIndex(18, count: 32)   // 17
///     pairedIndex(33, count: 40)   // 33 (tail)
///
/// Why: 16 int8 weights loaded as 8 int16 lanes hold an even-indexed weight in the
/// low byte and an odd-indexed one in the high byte of each lane, so two shifts give
/// both sign-extended (the trick of CMSIS-NN's `read_and_pad_reordered`), no
/// widening shuffles; the activations are stored in the matching order once per row.
@inline(__always)
func pairedIndex(_ k: Int, count: Int) -> Int {
  k < (count & ~15) ? (k & ~15) | ((k & 1) << 3) | ((k & 15) >> 1) : k
}

/// The 16 int8 values at `w` as (even-indexed, odd-indexed) sign-extended int16 lanes.
@inline(__always)
func loadEvenOdd16(_ w: UnsafePointer<Int8>) -> (even: SIMD8<Int16>, odd: SIMD8<Int16>) {
  let pairs = UnsafeRawPointer(w).loadUnaligned(as: SIMD8<Int16>.self)
  return ((pairs &<< 8) &>> 8, pairs &>> 8)
}

/// The dot products of one int16 row `x` (length `count`, in `pairedIndex` order)
/// with four int8 rows `w`, `w + stride`, `w + 2 stride`, `w + 3 stride` (natural
/// order), as four int32 sums (wrapping).
///
///     // x = [1, 2], rows [1, 0], [0, 1], [1, 1], [2, 2] -> [1, 2, 3, 6]
@inline(__always)
func dotProducts4(
  _ x: UnsafePointer<Int16>, _ w: UnsafePointer<Int8>, stride: Int, count: Int
) -> SIMD4<Int32> {
  let w1 = w + stride
  let w2 = w1 + stride
  let w3 = w2 + stride
  var a0 = SIMD4<Int32>()
  var a1 = SIMD4<Int32>()
  var a2 = SIMD4<Int32>()
  var a3 = SIMD4<Int32>()
  let pairedCount = count & ~15
  var k = 0
  while k < pairedCount {
    let xEven = load8(x + k)
    let xOdd = load8(x + k + 8)
    let r0 = loadEvenOdd16(w + k)
    a0 &+= multiplyAddPairs(xEven, r0.even) &+ multiplyAddPairs(xOdd, r0.odd)
    let r1 = loadEvenOdd16(w1 + k)
    a1 &+= multiplyAddPairs(xEven, r1.even) &+ multiplyAddPairs(xOdd, r1.odd)
    let r2 = loadEvenOdd16(w2 + k)
    a2 &+= multiplyAddPairs(xEven, r2.even) &+ multiplyAddPairs(xOdd, r2.odd)
    let r3 = loadEvenOdd16(w3 + k)
    a3 &+= multiplyAddPairs(xEven, r3.even) &+ multiplyAddPairs(xOdd, r3.odd)
    k &+= 16
  }
  if k &+ 8 <= count {
    let xv = load8(x + k)
    a0 &+= multiplyAddPairs(xv, loadWidened8(w + k))
    a1 &+= multiplyAddPairs(xv, loadWidened8(w1 + k))
    a2 &+= multiplyAddPairs(xv, loadWidened8(w2 + k))
    a3 &+= multiplyAddPairs(xv, loadWidened8(w3 + k))
    k &+= 8
  }
  var sums = addPairs(addPairs(a0, a1), addPairs(a2, a3))
  while k < count {
    let xk = Int32(x[k])
    sums &+= SIMD4(Int32(w[k]), Int32(w1[k]), Int32(w2[k]), Int32(w3[k])) &* xk
    k &+= 1
  }
  return sums
}

/// `dotProducts4` for two int16 rows `x0`, `x1` at once: each widened weight vector
/// serves both (8 accumulators). Returns the four sums of each row.
@inline(__always)
func dotProducts4x2(
  _ x0: UnsafePointer<Int16>, _ x1: UnsafePointer<Int16>, _ w: UnsafePointer<Int8>,
  stride: Int, count: Int
) -> (SIMD4<Int32>, SIMD4<Int32>) {
  let w1 = w + stride
  let w2 = w1 + stride
  let w3 = w2 + stride
  var a0 = SIMD4<Int32>()
  var a1 = SIMD4<Int32>()
  var a2 = SIMD4<Int32>()
  var a3 = SIMD4<Int32>()
  var b0 = SIMD4<Int32>()
  var b1 = SIMD4<Int32>()
  var b2 = SIMD4<Int32>()
  var b3 = SIMD4<Int32>()
  let pairedCount = count & ~15
  var k = 0
  while k < pairedCount {
    let xEven = load8(x0 + k)
    let xOdd = load8(x0 + k + 8)
    let yEven = load8(x1 + k)
    let yOdd = load8(x1 + k + 8)
    let r0 = loadEvenOdd16(w + k)
    a0 &+= multiplyAddPairs(xEven, r0.even) &+ multiplyAddPairs(xOdd, r0.odd)
    b0 &+= multiplyAddPairs(yEven, r0.even) &+ multiplyAddPairs(yOdd, r0.odd)
    let r1 = loadEvenOdd16(w1 + k)
    a1 &+= multiplyAddPairs(xEven, r1.even) &+ multiplyAddPairs(xOdd, r1.odd)
    b1 &+= multiplyAddPairs(yEven, r1.even) &+ multiplyAddPairs(yOdd, r1.odd)
    let r2 = loadEvenOdd16(w2 + k)
    a2 &+= multiplyAddPairs(xEven, r2.even) &+ multiplyAddPairs(xOdd, r2.odd)
    b2 &+= multiplyAddPairs(yEven, r2.even) &+ multiplyAddPairs(yOdd, r2.odd)
    let r3 = loadEvenOdd16(w3 + k)
    a3 &+= multiplyAddPairs(xEven, r3.even) &+ multiplyAddPairs(xOdd, r3.odd)
    b3 &+= multiplyAddPairs(yEven, r3.even) &+ multiplyAddPairs(yOdd, r3.odd)
    k &+= 16
  }
  if k &+ 8 <= count {
    let xv = load8(x0 + k)
    let yv = load8(x1 + k)
    let r0 = loadWidened8(w + k)
    let r1 = loadWidened8(w1 + k)
    let r2 = loadWidened8(w2 + k)
    let r3 = loadWidened8(w3 + k)
    a0 &+= multiplyAddPairs(xv, r0)
    a1 &+= multiplyAddPairs(xv, r1)
    a2 &+= multiplyAddPairs(xv, r2)
    a3 &+= multiplyAddPairs(xv, r3)
    b0 &+= multiplyAddPairs(yv, r0)
    b1 &+= multiplyAddPairs(yv, r1)
    b2 &+= multiplyAddPairs(yv, r2)
    b3 &+= multiplyAddPairs(yv, r3)
    k &+= 8
  }
  var sums0 = addPairs(addPairs(a0, a1), addPairs(a2, a3))
  var sums1 = addPairs(addPairs(b0, b1), addPairs(b2, b3))
  while k < count {
    let wk = SIMD4(Int32(w[k]), Int32(w1[k]), Int32(w2[k]), Int32(w3[k]))
    sums0 &+= wk &* Int32(x0[k])
    sums1 &+= wk &* Int32(x1[k])
    k &+= 1
  }
  return (sums0, sums1)
}

/// The dot product of an int16 row (in `pairedIndex` order) with an int8 row,
/// `count` values (wrapping sum).
@inline(__always)
func dotProduct(_ x: UnsafePointer<Int16>, _ w: UnsafePointer<Int8>, count: Int) -> Int32 {
  var acc = SIMD4<Int32>()
  let pairedCount = count & ~15
  var k = 0
  while k < pairedCount {
    let r = loadEvenOdd16(w + k)
    acc &+= multiplyAddPairs(load8(x + k), r.even) &+ multiplyAddPairs(load8(x + k + 8), r.odd)
    k &+= 16
  }
  var sum = acc.wrappedSum()
  while k < count {
    sum &+= Int32(x[k]) &* Int32(w[k])
    k &+= 1
  }
  return sum
}

/// Four lanes of `multiplyByQuantizedMultiplier(acc, multiplier, shift)` (TFLM's
/// double rounding), each with its own multiplier and shift.
///
/// Lane by lane the same integers as the scalar function: the left shift wraps; the
/// doubling high multiply is floor((x * m + 2^30) / 2^31), which equals gemmlowp's
/// nudge-then-truncate for every sign (its only saturating case, x = m = Int32.min,
/// cannot occur: quantized multipliers are 0 or in [2^30, 2^31)); the rounding
/// shift adds one when the remainder exceeds half (half plus one for negatives).
/// Shifts lie in -31...30 (`quantizeMultiplier` flushes smaller ones to 0).
@inline(__always)
func multiplyByQuantizedMultiplier4(
  _ acc: SIMD4<Int32>, _ multiplier: SIMD4<Int32>, _ shift: SIMD4<Int32>
) -> SIMD4<Int32> {
  let zero = SIMD4<Int32>()
  let leftShift = shift.replacing(with: zero, where: shift .< zero)
  let rightShift = (zero &- shift).replacing(with: zero, where: shift .> zero)
  let x = acc &<< leftShift
  let product = SIMD4<Int64>(truncatingIfNeeded: x) &* SIMD4<Int64>(truncatingIfNeeded: multiplier)
  let high = SIMD4<Int32>(truncatingIfNeeded: (product &+ (1 << 30)) &>> 31)
  let mask = (SIMD4<Int32>(repeating: 1) &<< rightShift) &- 1
  // (high >> 31) is -1 for negative lanes: their threshold is one higher.
  let threshold = (mask &>> 1) &- (high &>> 31)
  let quotient = high &>> rightShift
  return quotient.replacing(with: quotient &+ 1, where: (high & mask) .> threshold)
}

/// Requantizes four int32 accumulators to int8 the way the conv / FC kernels do:
/// multiplier and shift per lane, + output offset, clamped to [min, max]; stored as
/// four bytes at `out`.
@inline(__always)
func requantizeAndStore4(
  _ acc: SIMD4<Int32>, multiplier: SIMD4<Int32>, shift: SIMD4<Int32>, outputOffset: Int32,
  min: Int32, max: Int32, to out: UnsafeMutablePointer<Int8>
) {
  var v = multiplyByQuantizedMultiplier4(acc, multiplier, shift) &+ outputOffset
  v.clamp(lowerBound: SIMD4(repeating: min), upperBound: SIMD4(repeating: max))
  UnsafeMutableRawPointer(out).storeBytes(
    of: SIMD4<Int8>(truncatingIfNeeded: v), as: SIMD4<Int8>.self)
}

/// The scalar requantization of one accumulator (the reference kernels' last step).
@inline(__always)
func requantize(
  _ acc: Int32, multiplier: Int32, shift: Int32, outputOffset: Int32, min: Int32, max: Int32
) -> Int8 {
  let v = multiplyByQuantizedMultiplier(acc, multiplier, shift) &+ outputOffset
  return Int8(truncatingIfNeeded: Swift.min(Swift.max(v, min), max))
}
