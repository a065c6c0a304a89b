// Host: everything that needs an operating system around the embedded core:
// audio files, resampling, ALSA capture, the FFTW float reference, evaluation.
