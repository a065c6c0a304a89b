// Fused activations as an int8 clamp range, computed the way TFLM's
// CalculateActivationRangeQuantized does: the bound's real value divided by the output
// scale in Float, rounded half away from zero, plus the zero point, then limited to
// the int8 range.

/// A fused activation function of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, pools,
/// ADD and MUL (TFLite `ActivationFunctionType`; TANH and SIGN_BIT are not fusable
/// into int8 kernels and are refused by `activationRange`).
public enum FusedActivation: Equatable, Sendable {
  case none
  case relu
  case reluN1To1
  case relu6
}

/// The inclusive int8 output range [min, max] an activation leaves.
public struct ActivationRange: Equatable, Sendable {
  public var min: Int32
  public var max: Int32

  public init(min: Int32, max: Int32) {
    self.min = min
    self.max = max
  }

  /// No activation: the whole int8 range.
  public static let int8 = ActivationRange(min: -128, max: 127)
}

/// The clamp range of `activation` for an int8 output with `scale` and `zeroPoint`.
///
///     // ReLU6 on an output with scale 0.0235, zero point -128:
///     // 0 -> -128, 6 / 0.0235 = 255.3 -> 255 - 128 = 127.
///     activationRange(.relu6, output: TensorQuantization(scale: 0.0235, zeroPoint: -128))
///     // ActivationRange(min: -128, max: 127)
public func activationRange(_ activation: FusedActivation, output: TensorQuantization)
  -> ActivationRange
{
  let qmin: Int32 = -128
  let qmax: Int32 = 127
  // Float division and rounding, as TFLM (f / scale with both float).
  func quantize(_ real: Float) -> Int32 {
    let steps = (real / output.scale).rounded(.toNearestOrAwayFromZero)
    // TFLM converts with static_cast<int32_t>; out-of-range values only arise for
    // absurd scales, and are clamped here instead of being undefined.
    let clamped = Swift.min(Swift.max(steps, -2_147_483_648.0), 2_147_483_520.0)
    return output.zeroPoint &+ Int32(clamped)
  }
  switch activation {
  case .none:
    return ActivationRange(min: qmin, max: qmax)
  case .relu:
    return ActivationRange(min: Swift.max(qmin, quantize(0)), max: qmax)
  case .relu6:
    return ActivationRange(min: Swift.max(qmin, quantize(0)), max: Swift.min(qmax, quantize(6)))
  case .reluN1To1:
    return ActivationRange(min: Swift.max(qmin, quantize(-1)), max: Swift.min(qmax, quantize(1)))
  }
}
