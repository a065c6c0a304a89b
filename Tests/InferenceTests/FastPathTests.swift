import FixedPoint
import Testing

@testable import Inference

// Every fast kernel path against the reference loops it replaces, on random shapes,
// strides, paddings, dilations, zero points, scales, activations, weights and biases.
// The reference loops themselves are pinned to the live TFLM interpreter by
// KernelModelTests and KernelVectorTests; here the oracle is those loops, and the
// property is byte equality of every output. Each test also checks that prepare
// chose the fast path, so a broken selection cannot hide behind the reference.

private func randomInt8s(_ n: Int, _ g: inout SplitMix64) -> [Int8] {
  (0..<n).map { _ in Int8(truncatingIfNeeded: g.next()) }
}

/// A scale whose ratio to the others spans 2^-24 ... 2^4, so requantization meets
/// right shifts up to 24 and left shifts up to 4.
private func randomScale(_ g: inout SplitMix64) -> Float {
  Float(
    Double(sign: .plus, exponent: Int.random(in: -12...2, using: &g), significand: 1)
      * Double.random(in: 1..<2, using: &g))
}

private func randomQuantization(_ g: inout SplitMix64) -> TensorQuantization {
  TensorQuantization(scale: randomScale(&g), zeroPoint: Int32.random(in: -128...127, using: &g))
}

private func randomActivation(_ g: inout SplitMix64) -> FusedActivation {
  [.none, .relu, .relu6, .reluN1To1][Int.random(in: 0..<4, using: &g)]
}

private func randomBias(_ n: Int, _ g: inout SplitMix64) -> [Int32]? {
  Bool.random(using: &g)
    ? nil : (0..<n).map { _ in Int32.random(in: -(1 << 18)...(1 << 18), using: &g) }
}

/// Counts the bytes where two outputs differ, printing the first few.
private func reportMismatches(_ what: String, _ fast: [Int8], _ reference: [Int8]) -> Int {
  var mismatches = 0
  for i in 0..<fast.count where fast[i] != reference[i] {
    if mismatches < 5 { print("\(what): output \(i) fast \(fast[i]) reference \(reference[i])") }
    mismatches += 1
  }
  return mismatches
}

@Suite struct FastPathTests {
  @Test func requantizationVectorsEqualTheScalarFunction() {
    var g = SplitMix64(seed: 0x5EED_0001)
    var mismatches = 0
    let edges: [Int32] = [0, 1, -1, .max, .min, .max - 1, .min + 1, 1 << 30, -(1 << 30)]
    for trial in 0..<20_000 {
      var acc = SIMD4<Int32>()
      var multiplier = SIMD4<Int32>()
      var shift = SIMD4<Int32>()
      for lane in 0..<4 {
        acc[lane] =
          trial % 3 == 0
          ? edges[Int.random(in: 0..<edges.count, using: &g)]
          : Int32(truncatingIfNeeded: g.next() >> UInt64.random(in: 32...63, using: &g))
            &* (Bool.random(using: &g) ? 1 : -1)
        // Real multipliers from 2^-33 (flushed to 0) to 2^31.
        let real =
          Double(sign: .plus, exponent: Int.random(in: -33...30, using: &g), significand: 1)
          * Double.random(in: 1..<2, using: &g)
        let q = quantizeMultiplier(real)
        multiplier[lane] = q.multiplier
        shift[lane] = q.shift
      }
      let vector = multiplyByQuantizedMultiplier4(acc, multiplier, shift)
      for lane in 0..<4 {
        let scalar = multiplyByQuantizedMultiplier(acc[lane], multiplier[lane], shift[lane])
        if vector[lane] != scalar {
          if mismatches < 5 {
            print(
              "acc \(acc[lane]) m \(multiplier[lane]) s \(shift[lane]): \(vector[lane]) vs \(scalar)"
            )
          }
          mismatches += 1
        }
      }
    }
    #expect(mismatches == 0)
  }

  @Test func pairedLayoutDotProductsEqualPlainSums() {
    var g = SplitMix64(seed: 0x5EED_0002)
    for count in [1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 40, 64, 100, 512] {
      let x = (0..<count).map { _ in Int16.random(in: -255...255, using: &g) }
      let w = randomInt8s(4 * count, &g)
      var paired = [Int16](repeating: 0, count: count)
      for k in 0..<count { paired[pairedIndex(k, count: count)] = x[k] }
      var expected = SIMD4<Int32>()
      for r in 0..<4 {
        for k in 0..<count { expected[r] &+= Int32(x[k]) &* Int32(w[r * count + k]) }
      }
      let (four, one) = paired.withUnsafeBufferPointer { xp in
        w.withUnsafeBufferPointer { wp in
          (
            dotProducts4(xp.baseAddress!, wp.baseAddress!, stride: count, count: count),
            dotProduct(xp.baseAddress!, wp.baseAddress! + 3 * count, count: count)
          )
        }
      }
      #expect(four == expected, "count \(count)")
      #expect(one == expected[3], "count \(count)")
    }
  }

  @Test func conv2DPatchGEMMEqualsReference() throws {
    var g = SplitMix64(seed: 0x5EED_0003)
    var cases = 0
    var smladCases = 0
    var mismatches = 0
    // DS-CNN-S's first conv and a pointwise layer, then random shapes.
    var shapes: [(Shape, Shape, Int, Int, Int, Int, PaddingMode)] = [
      (Shape(1, 49, 10, 1), Shape(64, 10, 4, 1), 2, 2, 1, 1, .same),
      (Shape(1, 25, 5, 64), Shape(64, 1, 1, 64), 1, 1, 1, 1, .same),
    ]
    while shapes.count < 300 {
      let input = Shape(
        Int.random(in: 1...2, using: &g), Int.random(in: 1...9, using: &g),
        Int.random(in: 1...9, using: &g), Int.random(in: 1...40, using: &g))
      let filter = Shape(
        Int.random(in: 1...13, using: &g), Int.random(in: 1...4, using: &g),
        Int.random(in: 1...4, using: &g), input[3])
      shapes.append(
        (
          input, filter, Int.random(in: 1...3, using: &g), Int.random(in: 1...3, using: &g),
          Int.random(in: 1...2, using: &g), Int.random(in: 1...2, using: &g),
          Bool.random(using: &g) ? .same : .valid
        ))
    }
    for (input, filter, strideH, strideW, dilationH, dilationW, padding) in shapes {
      let geometry = windowGeometry(
        padding, inputHeight: input[1], inputWidth: input[2], filterHeight: filter[1],
        filterWidth: filter[2], strideHeight: strideH, strideWidth: strideW,
        dilationHeight: dilationH, dilationWidth: dilationW)
      guard geometry.outputHeight > 0, geometry.outputWidth > 0 else { continue }
      let output = Shape(input[0], geometry.outputHeight, geometry.outputWidth, filter[0])
      let bias = randomBias(filter[0], &g)
      let scales =
        Bool.random(using: &g) ? [randomScale(&g)] : (0..<filter[0]).map { _ in randomScale(&g) }
      var p = try prepareConv2D(
        input: input, filter: filter, output: output, biasCount: bias?.count,
        inputQuantization: randomQuantization(&g), filterScales: scales,
        outputQuantization: randomQuantization(&g), padding: padding, strideHeight: strideH,
        strideWidth: strideW, dilationHeight: dilationH, dilationWidth: dilationW,
        activation: randomActivation(&g))
      let fits = filter[1] * filter[2] * filter[3] <= stackPatchCapacity
      #expect(p.path == (fits ? (dspPathsPreferred ? .patchSMLAD : .patchGEMM) : .reference))
      let x = randomInt8s(input.elementCount, &g)
      let w = randomInt8s(filter.elementCount, &g)
      func run(_ path: Conv2DPath) -> [Int8] {
        p.path = path
        var out = [Int8](repeating: 0, count: output.elementCount)
        x.withUnsafeBufferPointer { xp in
          w.withUnsafeBufferPointer { wp in
            (bias ?? []).withUnsafeBufferPointer { bp in
              out.withUnsafeMutableBufferPointer { op in
                conv2D(
                  p, input: xp.baseAddress!, inputShape: input, filter: wp.baseAddress!,
                  filterShape: filter, bias: bias == nil ? nil : bp.baseAddress,
                  output: op.baseAddress!, outputShape: output)
              }
            }
          }
        }
        return out
      }
      let reference = run(.reference)
      mismatches += reportMismatches("conv \(input) \(filter)", run(.patchGEMM), reference)
      // Only shapes that fit the patch buffer may take the patch paths.
      if fits {
        mismatches += reportMismatches("conv SMLAD \(input) \(filter)", run(.patchSMLAD), reference)
        // Without a folded table the SMLAD path runs the patch GEMM: count the cases
        // that really ran the SMLAD loops.
        if !p.channels.roundings.isEmpty { smladCases += 1 }
      }
      cases += 1
    }
    #expect(cases > 200)
    #expect(smladCases > 100)
    #expect(mismatches == 0)
  }

  @Test func conv2DKeepsTheReferenceWhereThePatchDoesNotFit() throws {
    let q = TensorQuantization(scale: 0.5, zeroPoint: 0)
    // Grouped (input depth 8, filter depth 4) and a 3x3x64 = 576-value patch.
    let grouped = try prepareConv2D(
      input: Shape(1, 4, 4, 8), filter: Shape(4, 1, 1, 4), output: Shape(1, 4, 4, 4),
      biasCount: nil, inputQuantization: q, filterScales: [0.1], outputQuantization: q,
      padding: .same, strideHeight: 1, strideWidth: 1, activation: .none)
    #expect(grouped.path == .reference)
    let large = try prepareConv2D(
      input: Shape(1, 4, 4, 64), filter: Shape(4, 3, 3, 64), output: Shape(1, 4, 4, 4),
      biasCount: nil, inputQuantization: q, filterScales: [0.1], outputQuantization: q,
      padding: .same, strideHeight: 1, strideWidth: 1, activation: .none)
    #expect(large.path == .reference)
  }

  @Test func depthwiseChannelVectorsEqualReference() throws {
    var g = SplitMix64(seed: 0x5EED_0004)
    var cases = 0
    var quadCases = 0
    var mismatches = 0
    for trial in 0..<300 {
      let input =
        trial == 0
        ? Shape(1, 25, 5, 64)
        : Shape(
          Int.random(in: 1...2, using: &g), Int.random(in: 1...9, using: &g),
          Int.random(in: 1...9, using: &g), Int.random(in: 1...40, using: &g))
      let filter =
        trial == 0
        ? Shape(1, 3, 3, 64)
        : Shape(1, Int.random(in: 1...5, using: &g), Int.random(in: 1...5, using: &g), input[3])
      let (strideH, strideW) =
        trial == 0 ? (1, 1) : (Int.random(in: 1...3, using: &g), Int.random(in: 1...3, using: &g))
      let padding: PaddingMode = trial == 0 || Bool.random(using: &g) ? .same : .valid
      let geometry = windowGeometry(
        padding, inputHeight: input[1], inputWidth: input[2], filterHeight: filter[1],
        filterWidth: filter[2], strideHeight: strideH, strideWidth: strideW)
      guard geometry.outputHeight > 0, geometry.outputWidth > 0 else { continue }
      let output = Shape(input[0], geometry.outputHeight, geometry.outputWidth, input[3])
      let bias = randomBias(input[3], &g)
      let scales =
        Bool.random(using: &g) ? [randomScale(&g)] : (0..<input[3]).map { _ in randomScale(&g) }
      var p = try prepareDepthwiseConv2D(
        input: input, filter: filter, output: output, biasCount: bias?.count,
        inputQuantization: randomQuantization(&g), filterScales: scales,
        outputQuantization: randomQuantization(&g), padding: padding, strideHeight: strideH,
        strideWidth: strideW, depthMultiplier: 1, activation: randomActivation(&g))
      #expect(p.path == (dspPathsPreferred ? .channelQuads : .channelVectors))
      let x = randomInt8s(input.elementCount, &g)
      let w = randomInt8s(filter.elementCount, &g)
      func run(_ path: DepthwiseConv2DPath) -> [Int8] {
        p.path = path
        var out = [Int8](repeating: 0, count: output.elementCount)
        x.withUnsafeBufferPointer { xp in
          w.withUnsafeBufferPointer { wp in
            (bias ?? []).withUnsafeBufferPointer { bp in
              out.withUnsafeMutableBufferPointer { op in
                depthwiseConv2D(
                  p, input: xp.baseAddress!, inputShape: input, filter: wp.baseAddress!,
                  filterShape: filter, bias: bias == nil ? nil : bp.baseAddress,
                  output: op.baseAddress!, outputShape: output)
              }
            }
          }
        }
        return out
      }
      let reference = run(.reference)
      mismatches += reportMismatches(
        "depthwise \(input) \(filter)", run(.channelVectors), reference)
      mismatches += reportMismatches(
        "depthwise quads \(input) \(filter)", run(.channelQuads), reference)
      // Without a folded table the quads path runs the vector one.
      if !p.channels.roundings.isEmpty { quadCases += 1 }
      cases += 1
    }
    #expect(cases > 200)
    #expect(quadCases > 100)
    #expect(mismatches == 0)
    // Depth multiplier 2 and dilation keep the reference loops.
    let q = TensorQuantization(scale: 0.5, zeroPoint: 0)
    let multiplied = try prepareDepthwiseConv2D(
      input: Shape(1, 4, 4, 3), filter: Shape(1, 3, 3, 6), output: Shape(1, 4, 4, 6),
      biasCount: nil, inputQuantization: q, filterScales: [0.1], outputQuantization: q,
      padding: .same, strideHeight: 1, strideWidth: 1, depthMultiplier: 2, activation: .none)
    #expect(multiplied.path == .reference)
    let dilated = try prepareDepthwiseConv2D(
      input: Shape(1, 6, 6, 3), filter: Shape(1, 3, 3, 3), output: Shape(1, 6, 6, 3),
      biasCount: nil, inputQuantization: q, filterScales: [0.1], outputQuantization: q,
      padding: .same, strideHeight: 1, strideWidth: 1, dilationHeight: 2, dilationWidth: 2,
      depthMultiplier: 1, activation: .none)
    #expect(dilated.path == .reference)
  }

  @Test func fullyConnectedGEMVEqualsReference() throws {
    var g = SplitMix64(seed: 0x5EED_0005)
    var mismatches = 0
    for trial in 0..<300 {
      let batches = Int.random(in: 1...3, using: &g)
      let depth = trial == 0 ? 64 : Int.random(in: 1...80, using: &g)
      let outputs = trial == 0 ? 12 : Int.random(in: 1...13, using: &g)
      let bias = randomBias(outputs, &g)
      let scales =
        Bool.random(using: &g) ? [randomScale(&g)] : (0..<outputs).map { _ in randomScale(&g) }
      var p = try prepareFullyConnected(
        input: Shape(batches, depth), weights: Shape(outputs, depth),
        output: Shape(batches, outputs), biasCount: bias?.count,
        inputQuantization: randomQuantization(&g), weightScales: scales,
        outputQuantization: randomQuantization(&g), activation: randomActivation(&g))
      #expect(p.path == .gemv)
      let x = randomInt8s(batches * depth, &g)
      let w = randomInt8s(outputs * depth, &g)
      func run(_ path: FullyConnectedPath) -> [Int8] {
        p.path = path
        var out = [Int8](repeating: 0, count: batches * outputs)
        x.withUnsafeBufferPointer { xp in
          w.withUnsafeBufferPointer { wp in
            (bias ?? []).withUnsafeBufferPointer { bp in
              out.withUnsafeMutableBufferPointer { op in
                fullyConnected(
                  p, input: xp.baseAddress!, weights: wp.baseAddress!,
                  bias: bias == nil ? nil : bp.baseAddress, output: op.baseAddress!)
              }
            }
          }
        }
        return out
      }
      mismatches += reportMismatches(
        "fc \(batches)x\(depth)->\(outputs)", run(.gemv), run(.reference))
    }
    #expect(mismatches == 0)
    // A weights zero point keeps the reference loops.
    let q = TensorQuantization(scale: 0.5, zeroPoint: 0)
    let offsetWeights = try prepareFullyConnected(
      input: Shape(1, 8), weights: Shape(2, 8), output: Shape(1, 2), biasCount: nil,
      inputQuantization: q, weightScales: [0.1], weightsZeroPoint: 3, outputQuantization: q,
      activation: .none)
    #expect(offsetWeights.path == .reference)
  }

  @Test func averagePoolChannelVectorsEqualReference() throws {
    var g = SplitMix64(seed: 0x5EED_0006)
    var mismatches = 0
    for trial in 0..<300 {
      let input =
        trial == 0
        ? Shape(1, 25, 5, 64)
        : Shape(
          Int.random(in: 1...2, using: &g), Int.random(in: 1...9, using: &g),
          Int.random(in: 1...9, using: &g), Int.random(in: 1...40, using: &g))
      let (fh, fw) =
        trial == 0
        ? (25, 5)
        : (Int.random(in: 1...input[1], using: &g), Int.random(in: 1...input[2], using: &g))
      let (sh, sw) =
        trial == 0 ? (1, 1) : (Int.random(in: 1...3, using: &g), Int.random(in: 1...3, using: &g))
      let padding: PaddingMode = trial == 0 || Bool.random(using: &g) ? .valid : .same
      let geometry = windowGeometry(
        padding, inputHeight: input[1], inputWidth: input[2], filterHeight: fh, filterWidth: fw,
        strideHeight: sh, strideWidth: sw)
      let output = Shape(input[0], geometry.outputHeight, geometry.outputWidth, input[3])
      guard
        var p = try? preparePool2D(
          input: input, output: output, outputQuantization: randomQuantization(&g),
          padding: padding, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw,
          activation: randomActivation(&g))
      else { continue }
      #expect(p.path == .channelVectors)
      let x = randomInt8s(input.elementCount, &g)
      func run(_ path: Pool2DPath) -> [Int8] {
        p.path = path
        var out = [Int8](repeating: 0, count: output.elementCount)
        x.withUnsafeBufferPointer { xp in
          out.withUnsafeMutableBufferPointer { op in
            averagePool2D(
              p, input: xp.baseAddress!, inputShape: input, output: op.baseAddress!,
              outputShape: output)
          }
        }
        return out
      }
      mismatches += reportMismatches(
        "pool \(input) \(fh)x\(fw)", run(.channelVectors), run(.reference))
    }
    #expect(mismatches == 0)
  }
}
