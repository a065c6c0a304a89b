import FixedPoint

// FULLY_CONNECTED with int8 activations and int8 weights (per-tensor or per-channel),
// optional int32 bias: TFLM `reference_integer_ops::FullyConnected` and
// `FullyConnectedPerChannel`.
//
// Layouts: weights [O, D]; input any shape whose element count is B * D (B rows of
// D values); output [..., O] with B * O elements: [B, O], or the input's leading
// dimensions + [O] when keep_num_dims is set. bias [O] (optional).

/// Everything the integer eval needs, computed once by `prepareFullyConnected`.
public struct FullyConnectedParams: Sendable {
  /// -input zero point.
  public var inputOffset: Int32
  /// -weights zero point (0 for the symmetric int8 weights TFLite produces).
  public var weightsOffset: Int32
  /// The output zero point.
  public var outputOffset: Int32
  public var activation: ActivationRange
  /// One entry for per-tensor weights, else one per output channel.
  public var channels: ChannelMultipliers
  /// B: rows of the input.
  public var batches: Int
  /// D: values per row (the weights' last dimension).
  public var accumulationDepth: Int
  /// O: output values per row.
  public var outputDepth: Int
  /// The loops eval runs, chosen by `prepareFullyConnected` (set `.reference` to
  /// force the plain loops, as the fast-path tests do).
  public var path: FullyConnectedPath
}

/// How `fullyConnected` computes: both paths give the same bytes.
public enum FullyConnectedPath: Equatable, Sendable {
  /// The reference loops: any shape, any weights zero point.
  case reference
  /// Each input row widened once to int16 (offset added) on the stack, then four
  /// weight rows per pass (`fullyConnectedGEMV`). Needs weights zero point 0 and
  /// D <= `stackPatchCapacity`.
  case gemv
}

/// Turns the float quantization of a FULLY_CONNECTED into integer parameters.
///
/// The multiplier is Double(input scale) * Double(weight scale) / Double(output scale)
/// for per-tensor and per-channel weights alike, as the pinned TFLM computes it (not
/// the Float product of older TFLM's `GetQuantizedConvolutionMultipler`).
public func prepareFullyConnected(
  input: Shape, weights: Shape, output: Shape, biasCount: Int?,
  inputQuantization: TensorQuantization, weightScales: [Float], weightsZeroPoint: Int32 = 0,
  outputQuantization: TensorQuantization, activation: FusedActivation
) throws(KernelError) -> FullyConnectedParams {
  let op: StaticString = "FULLY_CONNECTED"
  guard weights.rank == 2, weights[0] > 0, weights[1] > 0 else {
    throw KernelError(op, "weights must be [O, D] with positive dimensions", value: weights.rank)
  }
  guard output.rank >= 1 else { throw KernelError(op, "output must have rank 1 or more", value: 0) }
  let outputDepth = output[output.rank - 1]
  guard outputDepth == weights[0] else {
    throw KernelError(op, "output depth differs from the weights' row count", value: outputDepth)
  }
  let depth = weights[1]
  let batches = output.elementCount / outputDepth
  guard input.elementCount == batches * depth else {
    throw KernelError(
      op, "input element count differs from batches * weights depth", value: input.elementCount)
  }
  if let biasCount, biasCount != outputDepth {
    throw KernelError(op, "bias length differs from the output depth", value: biasCount)
  }
  try checkZeroPoint(inputQuantization.zeroPoint, op: op)
  try checkZeroPoint(outputQuantization.zeroPoint, op: op)
  try checkZeroPoint(weightsZeroPoint, op: op)
  let channels: ChannelMultipliers
  if weightScales.count == 1 {
    try checkScale(inputQuantization.scale, op: op, what: "input scale must be positive and finite")
    try checkScale(weightScales[0], op: op, what: "weight scale must be positive and finite")
    try checkScale(
      outputQuantization.scale, op: op, what: "output scale must be positive and finite")
    // All in Double. (Older TFLM multiplied the two scales in Float first, in
    // GetQuantizedConvolutionMultipler; the pinned TFLM does not: the vector
    // edge_fc_float_product tells the two apart.)
    let real =
      Double(inputQuantization.scale) * Double(weightScales[0]) / Double(outputQuantization.scale)
    let q = quantizeMultiplier(real)
    channels = ChannelMultipliers(multipliers: [q.multiplier], shifts: [q.shift])
  } else {
    channels = try ChannelMultipliers.checked(
      op: op, input: inputQuantization.scale, filterScales: weightScales,
      output: outputQuantization.scale, channels: outputDepth)
  }
  return FullyConnectedParams(
    inputOffset: -inputQuantization.zeroPoint, weightsOffset: -weightsZeroPoint,
    outputOffset: outputQuantization.zeroPoint,
    activation: activationRange(activation, output: outputQuantization), channels: channels,
    batches: batches, accumulationDepth: depth, outputDepth: outputDepth,
    path: weightsZeroPoint == 0 && depth <= stackPatchCapacity ? .gemv : .reference)
}

/// Integer-only FULLY_CONNECTED over shapes checked by `prepareFullyConnected`, by the
/// path prepare chose.
public func fullyConnected(
  _ p: FullyConnectedParams,
  input: UnsafePointer<Int8>,
  weights: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>
) {
  switch p.path {
  case .reference:
    fullyConnectedReference(p, input: input, weights: weights, bias: bias, output: output)
  case .gemv:
    fullyConnectedGEMV(p, input: input, weights: weights, bias: bias, output: output)
  }
}

/// The reference loops of FULLY_CONNECTED (TFLM `FullyConnected[PerChannel]`), for any
/// shape `prepareFullyConnected` accepts.
public func fullyConnectedReference(
  _ p: FullyConnectedParams,
  input: UnsafePointer<Int8>,
  weights: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>
) {
  let depth = p.accumulationDepth
  let perChannel = p.channels.count > 1
  p.channels.withOutput(offset: p.outputOffset, activation: p.activation) { q in
    for b in 0..<p.batches {
      let row = input + b * depth
      for o in 0..<p.outputDepth {
        let w = weights + o * depth
        var acc: Int32 = 0
        for d in 0..<depth {
          acc &+= (Int32(w[d]) &+ p.weightsOffset) &* (Int32(row[d]) &+ p.inputOffset)
        }
        if let bias { acc &+= bias[o] }
        let c = perChannel ? o : 0
        output[b * p.outputDepth + o] = q.requantize(acc, c)
      }
    }
  }
}
