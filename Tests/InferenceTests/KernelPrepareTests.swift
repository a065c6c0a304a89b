// The shared pieces of the kernels (padding, activation ranges) against worked
// examples, and every prepare step's refusal of bad input: a clear KernelError, no
// crash.
import Inference
import Testing

@Suite struct KernelPrepareTests {
  static let q = TensorQuantization(scale: 0.05, zeroPoint: -3)

  @Test func paddingMatchesTFLMRules() {
    // DS-CNN first layer: 49x10 input, 10x4 filter, stride 2, SAME -> 25x5.
    let g = windowGeometry(
      .same, inputHeight: 49, inputWidth: 10, filterHeight: 10, filterWidth: 4, strideHeight: 2,
      strideWidth: 2)
    #expect(g.outputHeight == 25 && g.outputWidth == 5)
    // Height: total (25-1)*2 + 10 - 49 = 9 -> 4 before, odd remainder 1.
    // Width: total (5-1)*2 + 4 - 10 = 2 -> 1 before, no remainder.
    #expect(g.padding == PaddingValues(height: 4, width: 1, heightOffset: 1, widthOffset: 0))
    // VALID never pads and shrinks by the effective (dilated) filter.
    let v = windowGeometry(
      .valid, inputHeight: 9, inputWidth: 9, filterHeight: 2, filterWidth: 2, strideHeight: 1,
      strideWidth: 1, dilationHeight: 2, dilationWidth: 3)
    #expect(v.outputHeight == 7 && v.outputWidth == 6)
    #expect(v.padding == PaddingValues(height: 0, width: 0))
    #expect(windowOutputSize(.same, input: 49, filter: 10, stride: 2) == 25)
    #expect(windowOutputSize(.valid, input: 49, filter: 10, stride: 2) == 20)
    #expect(windowOutputSize(.same, input: 5, filter: 3, stride: 0) == 0)
    // A SAME window larger than the input pads on both sides.
    #expect(windowPadding(input: 5, filter: 5, stride: 1, output: 5) == (2, 0))
  }

  @Test func activationRangesMatchTFLMRules() {
    let out = TensorQuantization(scale: 0.0235, zeroPoint: -128)
    #expect(activationRange(.none, output: out) == .int8)
    #expect(activationRange(.relu, output: out) == ActivationRange(min: -128, max: 127))
    #expect(activationRange(.relu6, output: out) == ActivationRange(min: -128, max: 127))
    // Scale 0.1, zero point 10: ReLU6 -> [10, 70], ReLU_N1_TO_1 -> [0, 20].
    let tenths = TensorQuantization(scale: 0.1, zeroPoint: 10)
    #expect(activationRange(.relu6, output: tenths) == ActivationRange(min: 10, max: 70))
    #expect(activationRange(.reluN1To1, output: tenths) == ActivationRange(min: 0, max: 20))
    // Rounding is half away from zero on Float: 1 / 0.4 = 2.5 -> 3 (not 2).
    let r = activationRange(.reluN1To1, output: TensorQuantization(scale: 0.4, zeroPoint: 0))
    #expect(r == ActivationRange(min: -3, max: 3))
  }

  @Test func convRefusesBadShapesAndScales() {
    func prepare(
      output: Shape = Shape(1, 5, 5, 2), stride: Int = 1, scale: Float = 0.05, zp: Int32 = -3,
      filterScales: [Float] = [0.01, 0.02], bias: Int? = 2
    ) throws(KernelError) -> Conv2DParams {
      try prepareConv2D(
        input: Shape(1, 5, 5, 3), filter: Shape(2, 3, 3, 3), output: output, biasCount: bias,
        inputQuantization: TensorQuantization(scale: scale, zeroPoint: zp),
        filterScales: filterScales,
        outputQuantization: Self.q, padding: .same, strideHeight: stride, strideWidth: stride,
        activation: .relu)
    }
    #expect(throws: Never.self) { _ = try prepare() }
    #expect(throws: KernelError("CONV_2D", "output height does not match the padding", value: 4)) {
      _ = try prepare(output: Shape(1, 4, 5, 2))
    }
    #expect(throws: KernelError("CONV_2D", "stride height must be positive", value: 0)) {
      _ = try prepare(stride: 0)
    }
    #expect(throws: KernelError.self) { _ = try prepare(scale: 0) }
    #expect(throws: KernelError.self) { _ = try prepare(scale: .nan) }
    #expect(throws: KernelError("CONV_2D", "int8 zero point out of range", value: 200)) {
      _ = try prepare(zp: 200)
    }
    #expect(
      throws: KernelError(
        "CONV_2D", "filter scale count is neither 1 nor the output channel count", value: 3)
    ) {
      _ = try prepare(filterScales: [1, 1, 1])
    }
    #expect(throws: KernelError("CONV_2D", "bias length differs from the output depth", value: 3)) {
      _ = try prepare(bias: 3)
    }
    #expect(throws: KernelError("CONV_2D", "output depth differs from filter count", value: 3)) {
      _ = try prepare(output: Shape(1, 5, 5, 3))
    }
  }

  @Test func otherKernelsRefuseBadInput() {
    #expect(
      throws: KernelError(
        "DEPTHWISE_CONV_2D", "filter depth differs from input depth * multiplier", value: 4)
    ) {
      _ = try prepareDepthwiseConv2D(
        input: Shape(1, 5, 5, 3), filter: Shape(1, 3, 3, 4), output: Shape(1, 5, 5, 4),
        biasCount: nil,
        inputQuantization: Self.q, filterScales: [0.1], outputQuantization: Self.q, padding: .same,
        strideHeight: 1, strideWidth: 1, depthMultiplier: 1, activation: .none)
    }
    #expect(
      throws: KernelError(
        "FULLY_CONNECTED", "input element count differs from batches * weights depth", value: 10)
    ) {
      _ = try prepareFullyConnected(
        input: Shape(1, 10), weights: Shape(4, 12), output: Shape(1, 4), biasCount: 4,
        inputQuantization: Self.q, weightScales: [0.1], outputQuantization: Self.q,
        activation: .none)
    }
    #expect(
      throws: KernelError("POOL_2D", "filter larger than the input for VALID padding", value: 6)
    ) {
      _ = try preparePool2D(
        input: Shape(1, 5, 5, 3), output: Shape(1, 1, 1, 3), outputQuantization: Self.q,
        padding: .valid,
        filterHeight: 6, filterWidth: 2, strideHeight: 1, strideWidth: 1, activation: .none)
    }
    #expect(throws: KernelError("SOFTMAX", "int8 output zero point must be -128", value: -3)) {
      _ = try prepareSoftmax(
        input: Shape(1, 12), output: Shape(1, 12), inputScale: 0.1, outputQuantization: Self.q,
        beta: 1)
    }
    #expect(throws: KernelError.self) {
      // beta * scale * 2^26 <= 1: TFLM aborts, we refuse.
      _ = try prepareSoftmax(
        input: Shape(1, 12), output: Shape(1, 12), inputScale: 1e-9,
        outputQuantization: TensorQuantization(scale: 1.0 / 256, zeroPoint: -128), beta: 1)
    }
    #expect(throws: KernelError("LOGISTIC", "output zero point must be -128", value: -3)) {
      _ = try prepareLogistic(
        input: Shape(1, 4), output: Shape(1, 4), inputQuantization: Self.q,
        outputQuantization: Self.q)
    }
    #expect(
      throws: KernelError("ADD", "input shapes do not broadcast to the output shape", value: 4)
    ) {
      _ = try prepareAdd(
        input1: Shape(1, 4, 4, 3), input2: Shape(1, 1, 2, 3), output: Shape(1, 4, 4, 3),
        input1Quantization: Self.q, input2Quantization: Self.q, outputQuantization: Self.q,
        activation: .none)
    }
    #expect(
      throws: KernelError("MUL", "input shapes do not broadcast to the output shape", value: 2)
    ) {
      _ = try prepareMul(
        input1: Shape(3, 7), input2: Shape(3, 7), output: Shape(3, 8),
        input1Quantization: Self.q, input2Quantization: Self.q, outputQuantization: Self.q,
        activation: .none)
    }
    #expect(throws: KernelError("MEAN", "more than two reduced axes", value: 3)) {
      _ = try prepareMean(
        input: Shape(2, 3, 4, 5), output: Shape(5), axes: [0, 1, 2], keepDims: false,
        inputQuantization: Self.q, outputQuantization: Self.q)
    }
    #expect(throws: KernelError("MEAN", "axis out of range", value: 4)) {
      _ = try prepareMean(
        input: Shape(2, 3, 4, 5), output: Shape(2, 3, 4), axes: [4], keepDims: false,
        inputQuantization: Self.q, outputQuantization: Self.q)
    }
  }

  @Test func errorsDescribeThemselves() {
    let e = KernelError("CONV_2D", "output height does not match the padding", value: 7)
    #expect(e.description == "CONV_2D: output height does not match the padding (value 7)")
  }
}
