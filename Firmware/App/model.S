/* The keyword model and its spotter settings, linked into flash as read-only data:
 * the interpreter reads weights in place, so the model never occupies RAM, and the
 * settings blob (Sources/Spotter/ModelSettings.swift) is decoded from flash at
 * start-up. The Makefile packs both from MODEL=manifest.json with `kws pack-model`
 * and passes their paths; without them the section is empty and `spot` says so.
 * 16-byte alignment: the .tflite writer aligns constant buffers to 16 inside the
 * file, so the file start must be at least as aligned for them to stay aligned. */
  .section .rodata.kws_model, "a", %progbits
  .balign 16
  .global kws_model_start
kws_model_start:
#ifdef KWS_MODEL_PATH
  .incbin KWS_MODEL_PATH
#endif
  .global kws_model_end
kws_model_end:

  .balign 8
  .global kws_settings_start
kws_settings_start:
#ifdef KWS_SETTINGS_PATH
  .incbin KWS_SETTINGS_PATH
#endif
  .global kws_settings_end
kws_settings_end:

/* The manifest's name, NUL-terminated, for reports and `dump`. */
  .global kws_model_name
kws_model_name:
#ifdef KWS_MODEL_NAME
  .asciz KWS_MODEL_NAME
#else
  .asciz ""
#endif
