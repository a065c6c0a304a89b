// The C runtime the Embedded Swift standard library expects from its platform:
// posix_memalign/free, the mem* family and their ARM EABI aliases, arc4random_buf
// and putchar. Compiled with -ffreestanding so that the compiler does not turn the
// loops below back into calls to the very functions they implement.
#include "kws_support.h"

// ---- Semihosting --------------------------------------------------------------

uintptr_t kws_semihost(uint32_t operation, uintptr_t argument) {
  // ARM semihosting on M-profile: BKPT 0xAB with the operation in r0 and the
  // argument in r1; the debugger (here QEMU) answers in r0. The memory clobber
  // matters: the host reads and writes the parameter block behind the compiler.
  register uintptr_t r0 __asm__("r0") = operation;
  register uintptr_t r1 __asm__("r1") = argument;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

// ---- Console (putchar, used by Swift's print) ------------------------------------

enum { kSysWrite0 = 0x04 };

// One SYS_WRITE0 per line instead of one trap per character; +1 for the NUL.
static char consoleLine[256 + 1];
static size_t consoleLength;

void kws_console_flush(void) {
  if (consoleLength == 0) return;
  consoleLine[consoleLength] = 0;
  kws_semihost(kSysWrite0, (uintptr_t)consoleLine);
  consoleLength = 0;
}

int putchar(int c) {
  // SYS_WRITE0 stops at a NUL, so a NUL byte cannot be printed; drop it.
  if (c != 0) consoleLine[consoleLength++] = (char)c;
  if (c == '\n' || consoleLength == sizeof consoleLine - 1) kws_console_flush();
  return c;
}

// ---- Heap: a bump allocator that can be frozen ------------------------------------

// Linker-script symbols (Board/<board>/link.ld); only their addresses matter.
extern char __heap_start[], __heap_end[];
extern uint32_t __stack_bottom[], __stack_top[];

// Each block is preceded by a 4-byte header holding its size, so that free() can
// keep count of the bytes still live: the bump pointer says how much RAM this
// allocator consumed, the live peak how much a reusing allocator would need.
enum { kHeaderBytes = 4 };

static uintptr_t heapNext;  // 0 until the first allocation
static int heapFrozen;
static uint32_t heapLive;
static kws_heap_stats_t heapStats;

int posix_memalign(void **result, size_t alignment, size_t size) {
  enum { kEINVAL = 22, kENOMEM = 12, kMinimumAlignment = 8 };
  if (alignment < kMinimumAlignment) alignment = kMinimumAlignment;
  if ((alignment & (alignment - 1)) != 0) return kEINVAL;
  if (heapNext == 0) heapNext = (uintptr_t)__heap_start;
  if (heapFrozen) heapStats.violations += 1;
  uintptr_t start = (heapNext + kHeaderBytes + alignment - 1) & ~(uintptr_t)(alignment - 1);
  if (start < heapNext || size > (uintptr_t)__heap_end - start) {
    heapStats.failures += 1;
    return kENOMEM;
  }
  ((uint32_t *)start)[-1] = (uint32_t)size;
  heapStats.allocations += 1;
  heapStats.bytes += (uint32_t)(start + size - heapNext);
  heapLive += (uint32_t)size;
  if (heapLive > heapStats.peakLiveBytes) heapStats.peakLiveBytes = heapLive;
  heapNext = start + size;
  *result = (void *)start;
  return 0;
}

// Everything the firmware allocates stays where it is until reset (a bump
// allocator cannot reuse holes), so free only keeps the books.
void free(void *pointer) {
  if (pointer == 0) return;
  heapStats.frees += 1;
  heapLive -= ((const uint32_t *)pointer)[-1];
}

void kws_heap_freeze(void) { heapFrozen = 1; }
void kws_heap_thaw(void) { heapFrozen = 0; }

kws_heap_stats_t kws_heap_stats(void) {
  kws_heap_stats_t s = heapStats;
  s.liveBytes = heapLive;
  s.capacity = (uint32_t)(__heap_end - __heap_start);
  return s;
}

// ---- Stack high-water mark ------------------------------------------------------

uint32_t kws_stack_size(void) {
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}

uint32_t kws_stack_high_water(void) {
  // The stack grows down from __stack_top; the first word from the bottom that lost
  // its paint marks the deepest point reached.
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == KWS_STACK_PAINT) p++;
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

// ---- Memory primitives ----------------------------------------------------------

void *memset(void *destination, int value, size_t n) {
  unsigned char *d = destination;
  unsigned char byte = (unsigned char)value;
  while (n > 0 && ((uintptr_t)d & 3) != 0) { *d++ = byte; n--; }
  uint32_t word = byte * 0x01010101u;
  for (; n >= 4; n -= 4, d += 4) *(uint32_t *)d = word;
  while (n > 0) { *d++ = byte; n--; }
  return destination;
}

void *memcpy(void *restrict destination, const void *restrict source, size_t n) {
  unsigned char *d = destination;
  const unsigned char *s = source;
  // Word copies when both sides share 4-byte alignment (the common case for
  // buffers of Int16/Int32); Cortex-M4 allows unaligned words, but they cost more.
  if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
    while (n > 0 && ((uintptr_t)d & 3) != 0) { *d++ = *s++; n--; }
    for (; n >= 4; n -= 4, d += 4, s += 4) *(uint32_t *)d = *(const uint32_t *)s;
  }
  while (n > 0) { *d++ = *s++; n--; }
  return destination;
}

void *memmove(void *destination, const void *source, size_t n) {
  unsigned char *d = destination;
  const unsigned char *s = source;
  if (d == s || n == 0) return destination;
  if (d < s || d >= s + n) return memcpy(destination, source, n);
  // Overlap with the destination above the source: copy from the end.
  while (n > 0) { n--; d[n] = s[n]; }
  return destination;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n] != 0) n++;
  return n;
}

// The ARM run-time ABI helpers that clang emits for struct copies and clears.
// Mind the order: __aeabi_memset takes (destination, n, value), unlike memset.
void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }

// ---- Randomness -----------------------------------------------------------------

// Swift seeds its Hasher from this. The firmware has no entropy source, and a
// fixed sequence keeps runs (and their instruction counts) reproducible, so this is
// a xorshift32 stream: deterministic, NOT random. A real board would read its RNG.
void arc4random_buf(void *buffer, size_t n) {
  static uint32_t state = 0x6B5753u;  // any non-zero seed
  unsigned char *b = buffer;
  for (size_t i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    b[i] = (unsigned char)state;
  }
}

// ---- Exit -----------------------------------------------------------------------

void kws_exit(int status) {
  enum { kSysExitExtended = 0x20, kApplicationExit = 0x20026 };
  kws_console_flush();
  // SYS_EXIT_EXTENDED takes {reason, subcode}; plain SYS_EXIT on 32-bit ARM has no
  // room for the status, so QEMU would always exit 0.
  uint32_t block[2] = {kApplicationExit, (uint32_t)status};
  kws_semihost(kSysExitExtended, (uintptr_t)block);
  for (;;) {}  // not reached under QEMU; a debugger may choose to continue
}
