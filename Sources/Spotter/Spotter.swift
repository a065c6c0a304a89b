// Spotter: streaming detection. Feature ring, invoke cadence, score smoothing,
// thresholds and refractory periods, several models sharing one front end.
//
// Embedded-compatible: it runs in the firmware too.
