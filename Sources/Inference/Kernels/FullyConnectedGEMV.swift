// FULLY_CONNECTED fast path: each input row is widened to int16 once (offset added),
// then multiplied with four weight rows per pass, as the patch GEMM of CONV_2D does.
//
// Same integers as `fullyConnectedReference` when the weights zero point is 0 (TFLite's
// symmetric int8 weights): the same wrapping int32 sums in another order.
// Constraints (checked by `prepareFullyConnected`, which otherwise picks the
// reference): weights zero point 0, D <= `stackPatchCapacity`.
// Layouts: input B rows of D values, weights [O, D], bias [O], output B rows of O.

/// FULLY_CONNECTED as a matrix-vector product per row; shapes checked by
/// `prepareFullyConnected` with `p.path == .gemv`.
public func fullyConnectedGEMV(
  _ p: FullyConnectedParams,
  input: UnsafePointer<Int8>,
  weights: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  output: UnsafeMutablePointer<Int8>
) {
  let depth = p.accumulationDepth
  let outputDepth = p.outputDepth
  let perChannel = p.channels.count > 1
  let offset = Int16(truncatingIfNeeded: p.inputOffset)
  let (outputOffset, low, high) = (p.outputOffset, p.activation.min, p.activation.max)
  let vectorOutputs = outputDepth & ~3
  p.channels.withConstants { k in
    withStackPatch { x in
      for b in 0..<p.batches {
        let row = input + b * depth
        for d in 0..<depth {
          x[pairedIndex(d, count: depth)] = Int16(truncatingIfNeeded: row[d]) &+ offset
        }
        let out = output + b * outputDepth
        var o = 0
        while o < vectorOutputs {
          var acc = dotProducts4(x, weights + o * depth, stride: depth, count: depth)
          if let bias { acc &+= load4(bias + o) }
          let m = perChannel ? k.multipliers4(o) : SIMD4(repeating: k.multiplier(0))
          let s = perChannel ? k.shifts4(o) : SIMD4(repeating: k.shift(0))
          requantizeAndStore4(
            acc, multiplier: m, shift: s, outputOffset: outputOffset, min: low, max: high,
            to: out + o)
          o &+= 4
        }
        while o < outputDepth {
          var acc = dotProduct(x, weights + o * depth, count: depth)
          if let bias { acc &+= bias[o] }
          let c = perChannel ? o : 0
          out[o] = requantize(
            acc, multiplier: k.multiplier(c), shift: k.shift(c), outputOffset: outputOffset,
            min: low, max: high)
          o &+= 1
        }
      }
    }
  }
}
