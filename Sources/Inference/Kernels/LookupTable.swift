// A 256-entry table for the unary int8 ops whose output byte depends on the input
// byte alone (RELU, LEAKY_RELU, HARD_SWISH, TANH): prepare runs the op's integer
// kernel once on every int8 value and keeps the results, so eval is one load per
// element and gives the kernel's bytes by construction (the kernels themselves are
// what the tests compare with TFLM). On the Cortex-M4, TANH costs about 1,370
// instructions per element through gemmlowp's fixed-point tanh; the table costs a
// few. 256 bytes per node, made once at prepare (`Interpreter.bookkeepingBytes`
// counts them).

/// Output byte for each input byte; `values[Int(x) + 128]` is f(x).
public struct Int8LookupTable: Sendable {
  public var values: InlineArray<256, Int8>
  /// Elements per invocation.
  public var count: Int

  /// Runs `kernel` (a unary int8 kernel prepared for 256 elements) on -128...127.
  ///
  ///     // RELU with equal scales, zero point 0: values[0...127] = 0, values[128...] = 0...127
  public init(count: Int, kernel: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void) {
    var inputs = InlineArray<256, Int8>(repeating: 0)
    for i in 0..<256 { inputs[i] = Int8(truncatingIfNeeded: i - 128) }
    var results = InlineArray<256, Int8>(repeating: 0)
    withUnsafePointer(to: &inputs) { input in
      withUnsafeMutablePointer(to: &results) { output in
        kernel(
          UnsafeRawPointer(input).assumingMemoryBound(to: Int8.self),
          UnsafeMutableRawPointer(output).assumingMemoryBound(to: Int8.self))
      }
    }
    values = results
    self.count = count
  }
}

/// Looks every input byte up in the table.
public func lookUp(
  _ table: Int8LookupTable, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  // Through a pointer: subscripting the InlineArray in the loop cost about 115
  // instructions per element on the Cortex-M4 (-Osize), the pointer a handful.
  withUnsafePointer(to: table.values) { values in
    let entries = UnsafeRawPointer(values).assumingMemoryBound(to: Int8.self)
    for i in 0..<table.count {
      output[i] = entries[Int(input[i]) &+ 128]
    }
  }
}
