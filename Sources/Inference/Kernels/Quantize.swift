// QUANTIZE and DEQUANTIZE, with TFLite Micro's reference semantics
// (kernels/quantize_common.cc, reference/quantize.h, requantize.h, dequantize.h):
//
// - float32 -> int8/int16: q = clamp(round(x / scale) + zeroPoint), where the
//   division is in float32 (`x / Float(scale)`) and round is half away from zero.
// - int8/uint8/int16 -> int8/uint8/int16 (requantize): Prepare turns
//   inputScale / outputScale (in double) into a Q31 multiplier and shift; Eval is
//   q = clamp(MultiplyByQuantizedMultiplier(x - inZP, m, s) + outZP). When the scales
//   are equal (m = 2^30, s = 1) that product is exactly x - inZP, so int8 -> uint8
//   with zero points -128 -> 0 is "add 128" (TFLM's xor-0x80 fast path gives the
//   same bytes).
// - DEQUANTIZE int8/uint8/int16 -> float32: Float(Double(scale) * Double(q - zp)).

import FixedPoint

/// The element types QUANTIZE reads and writes.
public enum QuantizedType: Sendable {
  case int8, uint8, int16

  @inlinable var minimum: Int32 {
    switch self {
    case .int8: return -128
    case .uint8: return 0
    case .int16: return -32768
    }
  }

  @inlinable var maximum: Int32 {
    switch self {
    case .int8: return 127
    case .uint8: return 255
    case .int16: return 32767
    }
  }

  @inlinable func load(_ p: UnsafeRawPointer, _ i: Int) -> Int32 {
    switch self {
    case .int8: return Int32(p.load(fromByteOffset: i, as: Int8.self))
    case .uint8: return Int32(p.load(fromByteOffset: i, as: UInt8.self))
    case .int16: return Int32(p.load(fromByteOffset: 2 * i, as: Int16.self))
    }
  }

  /// Stores a value already clamped to the type's range.
  @inlinable func store(_ v: Int32, _ p: UnsafeMutableRawPointer, _ i: Int) {
    switch self {
    case .int8: p.storeBytes(of: Int8(truncatingIfNeeded: v), toByteOffset: i, as: Int8.self)
    case .uint8: p.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: i, as: UInt8.self)
    case .int16: p.storeBytes(of: Int16(truncatingIfNeeded: v), toByteOffset: 2 * i, as: Int16.self)
    }
  }

  public init?(_ type: TensorType) {
    switch type {
    case .int8: self = .int8
    case .uint8: self = .uint8
    case .int16: self = .int16
    default: return nil
    }
  }
}

/// Integer parameters of one QUANTIZE node, computed once.
public enum QuantizeParams: Sendable {
  /// float32 input: `scale` is the output scale, applied in float32.
  case fromFloat(output: QuantizedType, scale: Float, zeroPoint: Int32)
  /// Integer input rescaled by a Q31 multiplier and a power-of-two shift.
  case requantize(
    input: QuantizedType, output: QuantizedType, multiplier: Int32, shift: Int32, inputZeroPoint: Int32,
    outputZeroPoint: Int32)
}

/// TFLM's Prepare for QUANTIZE: checks the type pair and derives the multiplier.
///
///     // int8 (scale 1/256, zp -128) -> uint8 (scale 1/256, zp 0): same scale,
///     // multiplier 2^30, shift 1, i.e. q + 128.
public func prepareQuantize(
  inputType: TensorType, inputScale: Float, inputZeroPoint: Int32,
  outputType: TensorType, outputScale: Float, outputZeroPoint: Int32, outputChannels: Int
) throws(OperatorError) -> QuantizeParams {
  guard outputChannels == 1 else { throw OperatorError("per-channel output quantization", value: outputChannels, unsupported: true) }
  guard outputScale > 0 else { throw OperatorError("output scale must be positive") }
  guard let output = QuantizedType(outputType) else { throw OperatorError("output type", unsupported: true) }
  if inputType == .float32 {
    // TFLM's reference QUANTIZE from float writes int8 and int16 only.
    guard output != .uint8 else { throw OperatorError("float32 -> uint8", unsupported: true) }
    return .fromFloat(output: output, scale: outputScale, zeroPoint: outputZeroPoint)
  }
  guard let input = QuantizedType(inputType) else { throw OperatorError("input type", unsupported: true) }
  // The pairs TFLM's reference kernel accepts among the 8/16-bit types.
  switch (input, output) {
  case (.int8, .int8), (.int8, .uint8), (.uint8, .int8), (.int8, .int16), (.int16, .int8), (.int16, .int16): break
  default: throw OperatorError("this input/output type pair", unsupported: true)
  }
  guard inputScale > 0 else { throw OperatorError("input scale must be positive") }
  let (m, s) = quantizeMultiplier(Double(inputScale) / Double(outputScale))
  return .requantize(
    input: input, output: output, multiplier: m, shift: s, inputZeroPoint: inputZeroPoint,
    outputZeroPoint: outputZeroPoint)
}

/// QUANTIZE over `count` elements.
public func quantize(_ p: QuantizeParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int) {
  switch p {
  case .fromFloat(let type, let scale, let zeroPoint):
    for i in 0..<count {
      let x = input.load(fromByteOffset: 4 * i, as: Float.self)
      // Round half away from zero, in float32 as TFLM does; NaN and huge values
      // saturate instead of trapping.
      let r = (x / scale).rounded(.toNearestOrAwayFromZero)
      let q: Int32
      if r.isNaN {
        q = zeroPoint
      } else if r >= 2_147_483_520 {
        q = type.maximum
      } else if r <= -2_147_483_520 {
        q = type.minimum
      } else {
        q = Int32(r) &+ zeroPoint
      }
      type.store(min(max(q, type.minimum), type.maximum), output, i)
    }
  case .requantize(let inType, let outType, let m, let s, let inZP, let outZP):
    for i in 0..<count {
      let x = inType.load(input, i) - inZP
      let q = multiplyByQuantizedMultiplier(x, m, s) &+ outZP
      outType.store(min(max(q, outType.minimum), outType.maximum), output, i)
    }
  }
}

/// Integer parameters of one DEQUANTIZE node.
public struct DequantizeParams: Sendable {
  public var input: QuantizedType
  public var scale: Double
  public var zeroPoint: Int32
}

public func prepareDequantize(
  inputType: TensorType, scale: Float, zeroPoint: Int32, outputType: TensorType, channels: Int
) throws(OperatorError) -> DequantizeParams {
  guard outputType == .float32 else { throw OperatorError("output type other than float32", unsupported: true) }
  guard channels == 1 else { throw OperatorError("per-channel dequantize", value: channels, unsupported: true) }
  guard let input = QuantizedType(inputType) else { throw OperatorError("input type", unsupported: true) }
  return DequantizeParams(input: input, scale: Double(scale), zeroPoint: zeroPoint)
}

/// DEQUANTIZE over `count` elements: real = scale * (q - zeroPoint), in double.
public func dequantize(_ p: DequantizeParams, input: UnsafeRawPointer, output: UnsafeMutableRawPointer, count: Int) {
  for i in 0..<count {
    let q = p.input.load(input, i)
    output.storeBytes(of: Float(p.scale * Double(q - p.zeroPoint)), toByteOffset: 4 * i, as: Float.self)
  }
}
