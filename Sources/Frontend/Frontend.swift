// Frontend: streaming feature extraction, 16 kHz int16 samples -> feature frames.
//
// Embedded-compatible. Table building (floats, allocation) happens once at init;
// the per-frame path is integer-only and allocation-free.
