// The Cortex-M4 DSP instructions the fast kernels need, as Swift functions that
// compile to exactly one instruction each (LLVM's ARM intrinsics, reached through
// the compiler's `Builtin` module, which needs `-parse-stdlib`: only the firmware
// build compiles this module, see Firmware/Makefile).
//
// Sources/Inference/Kernels/DSPInstructions.swift imports this module when it is
// built for ARM, and otherwise defines the same operations in plain Swift, so the
// host runs (and tests) the very kernel code the microcontroller runs.
//
// Lanes: a UInt32 holds two int16 lanes, bits 0-15 ("bottom") and 16-31 ("top").
import Swift

/// SMLAD: `acc + bottom(x) * bottom(y) + top(x) * top(y)`, wrapping (int16 lanes).
@inlinable @inline(__always)
public func armSMLAD(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
  Int32(Builtin.int_arm_smlad(x._value, y._value, acc._value))
}

/// SMLABB: `acc + bottom(x) * bottom(y)`, wrapping.
@inlinable @inline(__always)
public func armSMLABB(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
  Int32(Builtin.int_arm_smlabb(x._value, y._value, acc._value))
}

/// SMLATT: `acc + top(x) * top(y)`, wrapping.
@inlinable @inline(__always)
public func armSMLATT(_ x: UInt32, _ y: UInt32, _ acc: Int32) -> Int32 {
  Int32(Builtin.int_arm_smlatt(x._value, y._value, acc._value))
}

/// SXTB16: bytes 0 and 2 of `x`, sign-extended into the bottom and top int16 lanes.
@inlinable @inline(__always)
public func armSXTB16(_ x: UInt32) -> UInt32 {
  UInt32(Builtin.int_arm_sxtb16(x._value))
}

/// SXTAB16: `a` plus bytes 0 and 2 of `x` sign-extended, lane by lane (int16, wrapping).
@inlinable @inline(__always)
public func armSXTAB16(_ a: UInt32, _ x: UInt32) -> UInt32 {
  UInt32(Builtin.int_arm_sxtab16(a._value, x._value))
}

/// ASR by a register: `x >> n` for 0 <= n <= 31 without the `& 31` that Swift's `&>>`
/// adds (the instruction reads the amount's low byte; callers keep n in range).
@inlinable @inline(__always)
public func armASR(_ x: Int32, _ n: Int32) -> Int32 {
  Int32(Builtin.ashr_Int32(x._value, n._value))
}
