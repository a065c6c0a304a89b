// Inference: a .tflite reader, int8 kernels bit-exact with TFLite Micro's reference
// kernels, a static memory planner and the interpreter that runs them.
//
// Embedded-compatible: typed throws, caller-owned arena, no allocation per inference.
