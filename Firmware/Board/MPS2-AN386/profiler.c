// A statistical profiler: CMSDK TIMER1 interrupts every `interval` ticks and the
// handler records the interrupted program counter. Under `-icount shift=0` the
// timer runs on instruction counts, so the samples are evenly spaced in
// instructions and the profile repeats exactly from run to run. The host maps the
// PCs to functions (Firmware/profile.sh).
#include "kws_support.h"

// CMSDK APB TIMER1 (ARM DDI 0479), device interrupt 9 on this board.
enum { kTimer1Irq = 9 };
typedef struct {
  volatile uint32_t control;  // bit 0 enable, bit 3 interrupt enable
  volatile uint32_t value;
  volatile uint32_t reload;
  volatile uint32_t interrupt;  // read: pending; write 1: clear
} CmsdkTimer;
#define TIMER1 ((CmsdkTimer *)0x40001000u)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)

static uint32_t *samples;
static uint32_t capacity, count, dropped;

void kws_profiler_configure(uint32_t *buffer, uint32_t bufferCapacity, uint32_t intervalTicks) {
  samples = buffer;
  capacity = bufferCapacity;
  count = 0;
  dropped = 0;
  TIMER1->control = 0;
  TIMER1->reload = intervalTicks;
  TIMER1->value = intervalTicks;
  TIMER1->interrupt = 1;
}

void kws_profiler_run(int on) {
  if (samples == 0) return;  // not configured: profiling is off
  if (on) {
    NVIC_ISER0 = 1u << kTimer1Irq;
    TIMER1->control = 1u | (1u << 3);
  } else {
    TIMER1->control = 0;
    NVIC_ICER0 = 1u << kTimer1Irq;
    TIMER1->interrupt = 1;
  }
}

uint32_t kws_profiler_samples(uint32_t *droppedSamples) {
  *droppedSamples = dropped;
  return count;
}

// `frame` is the exception frame: r0-r3, r12, lr, pc, xpsr.
__attribute__((used)) void profilerSample(const uint32_t *frame) {
  TIMER1->interrupt = 1;
  if (count < capacity) {
    samples[count++] = frame[6];
  } else {
    dropped++;
  }
}

__attribute__((naked)) void Timer1_Handler(void) {
  __asm__ volatile(
      "tst lr, #4\n\t"
      "ite eq\n\t"
      "mrseq r0, msp\n\t"
      "mrsne r0, psp\n\t"
      "b profilerSample\n\t");
}
