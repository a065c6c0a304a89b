// Streaming state: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE, with
// TFLM's semantics (kernels/var_handle.cc, read_variable.cc, assign_variable.cc,
// call_once.cc, micro_resource_variable.cc):
// - VAR_HANDLE names a variable by (container, shared_name); every handle with the
//   same names, in any subgraph, is the same variable.
// - ASSIGN_VARIABLE copies a tensor into the variable; READ_VARIABLE copies it out.
//   A variable's size is fixed by the tensors assigned to it (all must agree).
// - CALL_ONCE runs its init subgraph the first time it executes, never again
//   (until reset). microWakeWord's init subgraph assigns "real 0" (-128) to every
//   state variable.
// Variables live in their own region at the start of the arena, zeroed at start
// and by `reset()`. The resolution from handle tensors to variables is static
// (done when the interpreter is built), so VAR_HANDLE costs nothing per invocation,
// and the memory planner can let a READ_VARIABLE output or an ASSIGN_VARIABLE input
// live directly in the variable's storage when no other access overlaps; then the
// copies below see equal pointers and do nothing.

/// READ_VARIABLE / ASSIGN_VARIABLE: copy `byteCount` bytes between the variable and
/// a tensor (skipped when the planner placed both at the same address).
@inlinable
public func copyVariable(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, byteCount: Int) {
  copyIfDistinct(from: source, to: destination, byteCount: byteCount)
}
