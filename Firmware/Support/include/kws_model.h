// The model and its settings blob linked into flash by App/model.S (both empty when
// the build had no MODEL), and the name of the manifest they came from.
#ifndef KWS_MODEL_H
#define KWS_MODEL_H

#include <stdint.h>

extern const uint8_t kws_model_start[];
extern const uint8_t kws_model_end[];
extern const uint8_t kws_settings_start[];
extern const uint8_t kws_settings_end[];
extern const char kws_model_name[];

static inline const uint8_t *kws_model_bytes(void) { return kws_model_start; }
static inline uint32_t kws_model_byte_count(void) {
  return (uint32_t)(kws_model_end - kws_model_start);
}
static inline const uint8_t *kws_settings_bytes(void) { return kws_settings_start; }
static inline uint32_t kws_settings_byte_count(void) {
  return (uint32_t)(kws_settings_end - kws_settings_start);
}
static inline const char *kws_linked_model_name(void) { return kws_model_name; }

#endif
