// Rounded integer square roots against an exact oracle (Double estimate, corrected with
// full-width integer products), including the TFLM saturation quirk below 2^32.
import FixedPoint
import Testing

/// floor(sqrt(n)) exactly, for any UInt64.
private func exactFloorRoot(_ n: UInt64) -> UInt64 {
  var r = UInt64(Double(n).squareRoot())
  func square(_ x: UInt64) -> (high: UInt64, low: UInt64) { x.multipliedFullWidth(by: x) }
  func greater(_ a: (high: UInt64, low: UInt64), _ n: UInt64) -> Bool { a.high > 0 || a.low > n }
  while greater(square(r), n) { r -= 1 }
  while !greater(square(r + 1), n) { r += 1 }
  return r
}

/// Nearest integer to sqrt(n): round up when n - r^2 > r (the true root then exceeds r + 1/2).
private func exactRoundedRoot(_ n: UInt64) -> UInt64 {
  let r = exactFloorRoot(n)
  return n - r * r > r ? r + 1 : r
}

private func sample32() -> [UInt32] {
  var values: [UInt32] =
    Array(0...70_000) + [UInt32.max, UInt32.max - 1, 0xFFFE_0001, 0xFFFF_0000, 0xFFFF_8000]
  for bit in 0..<32 {
    let p = UInt32(1) << UInt32(bit)
    values += [p &- 1, p, p &+ 1]
  }
  var state: UInt64 = 42
  for _ in 0..<200_000 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    values.append(UInt32(truncatingIfNeeded: state >> 32) >> UInt32(state & 31))
  }
  return values
}

@Suite("Integer square roots")
struct IntegerSquareRootTests {
  @Test("UInt32: nearest integer, saturating at 65535")
  func rounded32() {
    var bad: [UInt32] = []
    for n in sample32() {
      let expected = min(exactRoundedRoot(UInt64(n)), 0xFFFF)
      if UInt64(n.roundedSquareRoot) != expected { bad.append(n) }
    }
    #expect(bad.count == 0, "first mismatches at \(bad.prefix(5))")
    #expect(UInt32(56).roundedSquareRoot == 7 && UInt32(57).roundedSquareRoot == 8)
    // 65535.5^2 = 4294901760.25: from 4294901761 on the exact answer would be 65536.
    #expect(UInt32(4_294_901_760).roundedSquareRoot == 65535)
    #expect(UInt32(4_294_901_761).roundedSquareRoot == 65535)
    #expect(UInt32.max.roundedSquareRoot == 65535)
  }

  @Test("UInt64: nearest integer, with the 32-bit path below 2^32")
  func rounded64() {
    var bad: [UInt64] = []
    var values: [UInt64] = sample32().map { UInt64($0) }
    var state: UInt64 = 7
    for _ in 0..<200_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      values.append(state >> (state & 31))
    }
    values += [
      1 << 32, (1 << 32) + 1, UInt64.max, UInt64.max - 1, 0xFFFF_FFFE_0000_0001,
      0xFFFF_FFFF_0000_0000,
    ]
    for n in values {
      let expected =
        n < (1 << 32) ? min(exactRoundedRoot(n), 0xFFFF) : min(exactRoundedRoot(n), 0xFFFF_FFFF)
      if UInt64(n.roundedSquareRoot) != expected { bad.append(n) }
    }
    #expect(bad.count == 0, "first mismatches at \(bad.prefix(5))")
    #expect(UInt64(0xFFFF_FFFF).roundedSquareRoot == 65535)
    #expect(UInt64(1 << 32).roundedSquareRoot == 65536)
    #expect(UInt64.max.roundedSquareRoot == 0xFFFF_FFFF)
  }

  @Test("significantBitCount is the 1-based top bit position")
  func significantBits() {
    #expect(UInt32(0).significantBitCount == 0)
    #expect(UInt32(1).significantBitCount == 1)
    #expect(UInt32(0x7FFF).significantBitCount == 15)
    #expect(UInt32(512).significantBitCount == 10)
    #expect(UInt32.max.significantBitCount == 32)
    #expect(UInt64(1 << 40).significantBitCount == 41)
    for bit in 0..<32 {
      #expect((UInt32(1) << UInt32(bit)).significantBitCount == bit + 1)
    }
  }
}
