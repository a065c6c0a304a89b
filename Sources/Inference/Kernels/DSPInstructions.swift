// The Cortex-M4 instructions the M4 kernel paths are written with
// (Conv2DPatchSMLAD.swift, DepthwiseConv2DChannelQuads.swift). Built for ARM with
// the firmware's ArmDSP module, each is that one instruction; anywhere else each is
// the same arithmetic in plain Swift, so the host runs and tests the very kernel
// code the microcontroller runs (FastPathTests), and the firmware's QEMU tests
// check the instructions themselves against live TFLM.
//
// A UInt32 here is a pair of int16 lanes: bits 0-15 "bottom", bits 16-31 "top".
// Why pairs: an int8 weight times an int8 activation plus its offset (-255...255)
// fits int16 x int16, and SMLAD does two such products and the accumulate in one
// instruction (ARMv7E-M: single cycle on a Cortex-M4).

#if arch(arm) && canImport(ArmDSP)
  import ArmDSP

  /// acc + bottom(x) * bottom(y) + top(x) * top(y) (SMLAD), wrapping.
  @inline(__always) func smlad(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
    armSMLAD(x, y, acc)
  }
  /// acc + bottom(x) * bottom(y) (SMLABB), wrapping.
  @inline(__always) func smlabb(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
    armSMLABB(x, y, acc)
  }
  /// acc + top(x) * top(y) (SMLATT), wrapping.
  @inline(__always) func smlatt(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
    armSMLATT(x, y, acc)
  }
  /// Bytes 0 and 2 of x, sign-extended to the bottom and top lanes (SXTB16).
  @inline(__always) func sxtb16(_ x: UInt32) -> UInt32 { armSXTB16(x) }
  /// a + sxtb16(x), lane by lane, wrapping (SXTAB16).
  @inline(__always) func sxtab16(_ a: UInt32, _ x: UInt32) -> UInt32 { armSXTAB16(a, x) }
  /// x >> n (arithmetic), 0 <= n <= 31 (ASR by register, no masking of n).
  @inline(__always) func arithmeticShiftRight(_ x: Int32, by n: Int32) -> Int32 { armASR(x, n) }
  /// Whether the DSP-shaped paths are the best choice on this target.
  let dspPathsPreferred = true
#else
  @inline(__always) private func bottom(_ x: UInt32) -> Int32 {
    Int32(Int16(truncatingIfNeeded: x))
  }
  @inline(__always) private func top(_ x: UInt32) -> Int32 {
    Int32(Int16(truncatingIfNeeded: x >> 16))
  }

  /// acc + bottom(x) * bottom(y) + top(x) * top(y) (SMLAD), wrapping.
  ///
  ///     smlad(0x0002_0003, 0xFFFF_0004, 10)   // 10 + 3 * 4 + 2 * -1 = 20
  @inline(__always) func smlad(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
    acc &+ bottom(x) &* bottom(y) &+ top(x) &* top(y)
  }
  /// acc + bottom(x) * bottom(y) (SMLABB), wrapping.
  @inline(__always) func smlabb(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
    acc &+ bottom(x) &* bottom(y)
  }
  /// acc + top(x) * top(y) (SMLATT), wrapping.
  @inline(__always) func smlatt(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
    acc &+ top(x) &* top(y)
  }
  /// Bytes 0 and 2 of x, sign-extended to the bottom and top lanes (SXTB16).
  ///
  ///     sxtb16(0x11FF_2280)   // 0xFFFF_FF80: lanes -1 (byte 2) and -128 (byte 0)
  @inline(__always) func sxtb16(_ x: UInt32) -> UInt32 {
    let low = UInt32(UInt16(bitPattern: Int16(Int8(truncatingIfNeeded: x))))
    let high = UInt32(UInt16(bitPattern: Int16(Int8(truncatingIfNeeded: x >> 16))))
    return low | high << 16
  }
  /// a + sxtb16(x), lane by lane, wrapping (SXTAB16).
  @inline(__always) func sxtab16(_ a: UInt32, _ x: UInt32) -> UInt32 {
    let e = sxtb16(x)
    let low = UInt32(UInt16(truncatingIfNeeded: a) &+ UInt16(truncatingIfNeeded: e))
    let high = UInt32(UInt16(truncatingIfNeeded: a >> 16) &+ UInt16(truncatingIfNeeded: e >> 16))
    return low | high << 16
  }
  /// x >> n (arithmetic), 0 <= n <= 31.
  @inline(__always) func arithmeticShiftRight(_ x: Int32, by n: Int32) -> Int32 { x &>> n }
  /// Whether the DSP-shaped paths are the best choice on this target (x86 and
  /// arm64 hosts have wide SIMD: the vector paths win there).
  let dspPathsPreferred = false
#endif

/// x rotated right by 8 bits: the odd bytes moved to positions 0 and 2, so
/// `sxtb16(rotatedRight8(x))` widens bytes 1 and 3 (one SXTB16 with ROR #8 on ARM).
@inline(__always) func rotatedRight8(_ x: UInt32) -> UInt32 { x >> 8 | x << 24 }

/// Two int16 values as one lane pair: `low` in the bottom lane.
@inline(__always) func lanePair(_ low: Int16, _ high: Int16) -> UInt32 {
  UInt32(UInt16(bitPattern: low)) | UInt32(UInt16(bitPattern: high)) << 16
}

/// Four bytes from `p` as one word (any alignment: Cortex-M4 LDR accepts unaligned
/// addresses; the compiler picks the right load on other targets).
@inline(__always) func loadWord(_ p: UnsafeRawPointer) -> UInt32 {
  UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
}
