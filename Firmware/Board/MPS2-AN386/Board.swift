// The board layer the app sees: a name and a work counter. A new board (nRF52840,
// STM32...) is a new folder next to this one with the same `Board` API, its own
// link.ld and startup.c; select it with `make BOARD=<folder>`.
import _Volatile

enum Board {
  static let name: StaticString = "mps2-an386 (QEMU, Cortex-M4F)"

  /// What `counter()` counts. Under QEMU with `-icount shift=0` every instruction
  /// takes 1 ns of virtual time, so the timer measures instructions executed, not
  /// cycles of real silicon (no pipeline, memory wait states or flash latency).
  static let counterUnit: StaticString = "instructions"

  // CMSDK APB TIMER0 (ARM DDI 0479): a 32-bit down counter clocked at 25 MHz on
  // this board. SysTick does not advance on QEMU's mps2 boards, TIMER0 does.
  private static let timerControl = VolatileMappedRegister<UInt32>(unsafeBitPattern: 0x4000_0000)
  private static let timerValue = VolatileMappedRegister<UInt32>(unsafeBitPattern: 0x4000_0004)
  private static let timerReload = VolatileMappedRegister<UInt32>(unsafeBitPattern: 0x4000_0008)

  /// 1 tick at 25 MHz = 40 ns = 40 instructions at 1 ns each.
  static let countsPerTick: UInt64 = 40

  /// Starts (or restarts) the counter from zero. It wraps after 2^32 ticks, i.e.
  /// about 171 G instructions: far beyond any clip the firmware processes.
  static func startCounter() {
    timerControl.store(0)
    timerReload.store(0xFFFF_FFFF)
    timerValue.store(0xFFFF_FFFF)
    timerControl.store(1)  // enable, no interrupt, internal clock
  }

  /// Work done since `startCounter()`, in `counterUnit`, with a resolution of 40.
  static func counter() -> UInt64 {
    UInt64(0xFFFF_FFFF - timerValue.load()) * countsPerTick
  }
}
