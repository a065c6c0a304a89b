// The C side of the firmware runtime, imported into Swift as module `CSupport`.
//
// Only what must be C lives here: the semihosting trap (one instruction of inline
// assembly), the allocator the Embedded Swift runtime calls, and the linker-script
// symbols. Everything with logic worth reading is in Swift (Support/*.swift).
#ifndef KWS_SUPPORT_H
#define KWS_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Word the startup code paints over the free stack; the high-water mark is the
/// deepest word that no longer holds it.
#define KWS_STACK_PAINT 0xA5C3E10Fu

/// Issues ARM semihosting call `operation` with `argument` (a pointer to the
/// operation's parameter block, or a value) and returns the host's r0.
uintptr_t kws_semihost(uint32_t operation, uintptr_t argument);

/// Flushes the console and ends the program with SYS_EXIT_EXTENDED; QEMU exits with
/// `status` as its own exit status.
__attribute__((noreturn)) void kws_exit(int status);

/// Allocation counters of the bump allocator behind posix_memalign.
typedef struct {
  uint32_t allocations;  ///< successful posix_memalign calls since reset
  uint32_t bytes;        ///< bytes handed out, including alignment padding
  uint32_t frees;        ///< free() calls (the bump allocator never reuses memory)
  uint32_t liveBytes;    ///< bytes allocated and not yet freed, headers excluded
  uint32_t peakLiveBytes;  ///< the most ever live at once: what a reusing allocator needs
  uint32_t violations;   ///< allocations requested while frozen
  uint32_t failures;     ///< requests that did not fit (returned ENOMEM)
  uint32_t capacity;     ///< heap size in bytes (end of .bss to stack bottom)
} kws_heap_stats_t;

/// After this call every allocation is a counted violation (still served, so the
/// firmware can finish and report it instead of crashing mid-frame).
void kws_heap_freeze(void);
/// Ends a frozen phase, e.g. before the final report formats its text.
void kws_heap_thaw(void);
kws_heap_stats_t kws_heap_stats(void);

/// Buffers one byte of console output (the C library name, used by Swift's print).
int putchar(int c);

/// Sends what putchar() has buffered to the host console (SYS_WRITE0).
void kws_console_flush(void);

/// Stack size in bytes, and the deepest use seen so far (bytes below the top).
uint32_t kws_stack_size(void);
uint32_t kws_stack_high_water(void);

/// Statistical profiler, provided by the board (Board/<board>/profiler.c): while
/// running, every `intervalTicks` of the board's counter the interrupted PC goes
/// into `buffer` (samples beyond `capacity` are counted as dropped).
void kws_profiler_configure(uint32_t *buffer, uint32_t capacity, uint32_t intervalTicks);
/// Starts (on != 0) or pauses sampling; does nothing until configured.
void kws_profiler_run(int on);
/// Samples stored so far; `dropped` receives how many did not fit.
uint32_t kws_profiler_samples(uint32_t *dropped);

#ifdef __cplusplus
}
#endif

#endif
