// The error every kernel prepare step throws: what was wrong and the offending value.
// Eval functions never throw; they rely on what prepare validated.

/// Why a kernel cannot be prepared. `what` names the rule that was broken, `value` is
/// the offending number (a dimension, a scale's bit pattern, an axis), for messages
/// such as "CONV_2D: output height does not match the padding (value 7)".
public struct KernelError: Error, Equatable, Sendable, CustomStringConvertible {
  public var op: StaticString
  public var what: StaticString
  public var value: Int

  public init(_ op: StaticString, _ what: StaticString, value: Int = 0) {
    self.op = op
    self.what = what
    self.value = value
  }

  public var description: String { "\(op): \(what) (value \(value))" }

  public static func == (a: KernelError, b: KernelError) -> Bool {
    a.op.description == b.op.description && a.what.description == b.what.description
      && a.value == b.value
  }
}

/// The scale and zero point of a per-tensor quantized int8 tensor:
/// `real = scale * (q - zeroPoint)`.
public struct TensorQuantization: Equatable, Sendable {
  public var scale: Float
  public var zeroPoint: Int32

  public init(scale: Float, zeroPoint: Int32) {
    self.scale = scale
    self.zeroPoint = zeroPoint
  }
}

/// Scales must be positive and finite for a multiplier to exist.
@inlinable
func checkScale(_ scale: Float, op: StaticString, what: StaticString) throws(KernelError) {
  guard scale.isFinite, scale > 0 else {
    throw KernelError(op, what, value: Int(scale.bitPattern))
  }
}

/// int8 zero points lie in [-128, 127].
@inlinable
func checkZeroPoint(_ zp: Int32, op: StaticString) throws(KernelError) {
  guard zp >= -128, zp <= 127 else {
    throw KernelError(op, "int8 zero point out of range", value: Int(zp))
  }
}

/// Shapes of rank 4 in [N, H, W, C] order, every dimension positive.
@inlinable
func checkRank4(_ s: Shape, op: StaticString, what: StaticString) throws(KernelError) {
  guard s.rank == 4 else { throw KernelError(op, what, value: s.rank) }
  for i in 0..<4 where s[i] <= 0 { throw KernelError(op, what, value: s[i]) }
}
