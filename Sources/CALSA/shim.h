#include <alsa/asoundlib.h>

// ALSA prints its own diagnostics to stderr ("ALSA lib pcm.c:...: Unknown PCM x");
// kws reports errors itself, with the list of devices, so it silences them. The
// handler is variadic, which Swift cannot define, hence these two lines of C.
static void kws_alsa_quiet_handler(const char *file, int line, const char *function, int err,
                                   const char *fmt, ...) {
  (void)file; (void)line; (void)function; (void)err; (void)fmt;
}
static inline void kws_alsa_silence_diagnostics(void) {
  snd_lib_error_set_handler(kws_alsa_quiet_handler);
}
