// Start-up for QEMU mps2-an386 (Cortex-M4F): the vector table, the reset handler
// that prepares memory and the FPU before any Swift runs, and fault handlers that
// report where the program died instead of hanging QEMU until its timeout.
#include "kws_support.h"

// Linker-script symbols (link.ld): addresses only.
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

// The Swift entry point (`@main` in App/), compiled as C `main(argc, argv)`.
extern int main(int argc, char **argv);

void Reset_Handler(void);
void Fault_Handler(void);
void Default_Handler(void);
void Timer1_Handler(void);  // profiler.c

// ---- Reset ----------------------------------------------------------------------

// No FP instruction may run before the FPU is on, and no .data/.bss variable may be
// read before it is initialised: keep this function to plain integer loops.
__attribute__((noreturn)) void Reset_Handler(void) {
  // CPACR (0xE000ED88) bits 20-23: full access to coprocessors CP10 and CP11, the
  // single-precision FPU. The barriers make the change visible before the next
  // instruction that might be an FP one.
  volatile uint32_t *const cpacr = (volatile uint32_t *)0xE000ED88u;
  *cpacr |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");

  for (uint32_t *d = __data_start, *s = __data_load; d < __data_end;) *d++ = *s++;
  for (uint32_t *d = __bss_start; d < __bss_end;) *d++ = 0;

  // Paint the free stack up to a little below the current frame (64 bytes of
  // margin for this function's own use) so kws_stack_high_water() can measure it.
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = __stack_bottom; p < sp - 16;) *p++ = KWS_STACK_PAINT;

  kws_exit(main(0, 0));
}

// ---- Faults ---------------------------------------------------------------------

static void writeText(const char *text) { while (*text) putchar(*text++); }

static void writeHex(uint32_t value) {
  writeText("0x");
  for (int shift = 28; shift >= 0; shift -= 4) putchar("0123456789abcdef"[(value >> shift) & 0xF]);
}

// `frame` is the exception stack frame the core pushed: r0-r3, r12, lr, pc, xpsr.
__attribute__((noreturn, used)) void reportFault(const uint32_t *frame) {
  volatile const uint32_t *const cfsr = (volatile const uint32_t *)0xE000ED28u;
  uint32_t pc = frame[6];
  // A Swift runtime trap (failed precondition, overflow, out-of-bounds index)
  // compiles to UDF; the core reports it as UNDEFINSTR (CFSR bit 16).
  int swiftTrap = (*cfsr & (1u << 16)) != 0;
  writeText(swiftTrap ? "\nfirmware: Swift runtime trap" : "\nfirmware: fault");
  writeText(" at pc ");
  writeHex(pc);
  writeText(", lr ");
  writeHex(frame[5]);
  writeText(", CFSR ");
  writeHex(*cfsr);
  writeText("\n");
  // 134 = 128 + SIGABRT, what a trapping host process reports.
  kws_exit(swiftTrap ? 134 : 139);
}

// Finds the stack that holds the exception frame (bit 2 of EXC_RETURN in lr) and
// hands it to reportFault.
__attribute__((naked)) void Fault_Handler(void) {
  __asm__ volatile(
      "tst lr, #4\n\t"
      "ite eq\n\t"
      "mrseq r0, msp\n\t"
      "mrsne r0, psp\n\t"
      "b reportFault\n\t");
}

void Default_Handler(void) {
  writeText("\nfirmware: unexpected interrupt\n");
  kws_exit(139);
}

// ---- Vector table ---------------------------------------------------------------

// The 16 Cortex-M system entries, then the board's device interrupts up to TIMER1
// (IRQ 9), the only one the firmware enables (the profiler; TIMER0 is polled).
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 10])(void) = {
    (void (*)(void))__stack_top,  // initial main stack pointer
    Reset_Handler,
    Default_Handler,  // NMI
    Fault_Handler,    // HardFault
    Fault_Handler,    // MemManage
    Fault_Handler,    // BusFault
    Fault_Handler,    // UsageFault
    0, 0, 0, 0,       // reserved
    Default_Handler,  // SVCall
    Default_Handler,  // DebugMonitor
    0,                // reserved
    Default_Handler,  // PendSV
    Default_Handler,  // SysTick
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,  // IRQ 0-3: UARTs
    Default_Handler, Default_Handler, Default_Handler, Default_Handler,  // IRQ 4-7
    Default_Handler,  // IRQ 8: TIMER0
    Timer1_Handler,   // IRQ 9: TIMER1, the profiler's sampling clock
};
