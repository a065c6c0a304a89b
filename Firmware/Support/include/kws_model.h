// The model linked into flash by App/model.S (empty when the build had no MODEL).
#ifndef KWS_MODEL_H
#define KWS_MODEL_H

#include <stdint.h>

extern const uint8_t kws_model_start[];
extern const uint8_t kws_model_end[];

static inline const uint8_t *kws_model_bytes(void) { return kws_model_start; }
static inline uint32_t kws_model_byte_count(void) {
  return (uint32_t)(kws_model_end - kws_model_start);
}

#endif
