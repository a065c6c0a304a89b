// FixedPoint: the integer arithmetic shared by the front end and the inference core.
//
// Embedded-compatible (no Foundation, no allocation). Q-format widths are named
// constants at their point of use; rounding is always spelled out in the name.
