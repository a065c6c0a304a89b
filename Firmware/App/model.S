/* The keyword model, linked into flash as read-only data: the interpreter reads
 * weights in place, so the model never occupies RAM. KWS_MODEL_PATH comes from
 * the Makefile (MODEL=...); without one, the model is empty and `spot` says so.
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
