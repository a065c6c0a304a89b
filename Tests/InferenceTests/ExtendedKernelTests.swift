// The worked examples in the doc comments of the added kernels, checked: a doc
// example that drifts from the code fails here.
import Inference
import Testing

@Suite struct ExtendedKernelTests {
  @Test func reluExample() throws {
    let p = try prepareRelu(
      input: Shape(2), output: Shape(2),
      inputQuantization: TensorQuantization(scale: 0.1, zeroPoint: -3),
      outputQuantization: TensorQuantization(scale: 0.05, zeroPoint: -128))
    var out = [Int8](repeating: 0, count: 2)
    relu(p, input: [-3, 7], output: &out)
    #expect(out == [-128, -108])
  }

  @Test func relu6Example() throws {
    let p = try prepareRelu6(
      input: Shape(4), output: Shape(4),
      inputQuantization: TensorQuantization(scale: 0.0235, zeroPoint: -128))
    #expect(p.lower == -128 && p.upper == 127)
    // 6 / 0.1 = 60 steps above a zero point of 5.
    let q = try prepareRelu6(
      input: Shape(4), output: Shape(4),
      inputQuantization: TensorQuantization(scale: 0.1, zeroPoint: 5))
    var out = [Int8](repeating: 0, count: 4)
    relu6(q, input: [-100, 5, 65, 127], output: &out)
    #expect(out == [5, 5, 65, 65])
  }

  /// The table holds the kernel's result for every int8 value, in order.
  @Test func lookupTableRunsTheKernelOnEveryValue() throws {
    var p = try prepareRelu(
      input: Shape(3), output: Shape(3),
      inputQuantization: TensorQuantization(scale: 0.05, zeroPoint: 0),
      outputQuantization: TensorQuantization(scale: 0.05, zeroPoint: 0))
    p.count = 256
    let table = Int8LookupTable(count: 3) { relu(p, input: $0, output: $1) }
    var out = [Int8](repeating: 0, count: 3)
    lookUp(table, input: [-128, 0, 127], output: &out)
    #expect(out == [0, 0, 127])
    #expect(table.values[0] == 0 && table.values[255] == 127 && table.values[129] == 1)
  }

  @Test func shapeExamples() throws {
    let t = try prepareTranspose(
      input: Shape(2, 3, 4), permutation: [2, 0, 1], output: Shape(4, 2, 3), elementSize: 1)
    let input = (0..<24).map { Int8($0) }
    var out = [Int8](repeating: 0, count: 24)
    input.withUnsafeBytes { i in
      out.withUnsafeMutableBytes { transpose(t, input: i.baseAddress!, output: $0.baseAddress!) }
    }
    // out[k][a][b] = in[a][b][k]: the first row walks the inputs' k = 0 column.
    #expect(Array(out[0..<6]) == [0, 4, 8, 12, 16, 20])
    try prepareSqueeze(input: Shape(1, 49, 1, 64), squeezeDims: [2], output: Shape(1, 49, 64))
    try prepareSqueeze(input: Shape(1, 49, 1, 64), squeezeDims: [], output: Shape(49, 64))
    try prepareExpandDims(input: Shape(1, 49, 64), axis: 2, output: Shape(1, 49, 1, 64))
    try prepareExpandDims(input: Shape(1, 49, 64), axis: -2, output: Shape(1, 49, 1, 64))
    #expect(throws: OperatorError.self) {
      try prepareExpandDims(input: Shape(1, 49, 64), axis: 4, output: Shape(1, 49, 64, 1))
    }
    let split = try prepareSplit(
      input: Shape(1, 10, 8), axis: -1, splitCount: 2, outputCount: 2,
      outputShape: { _ in Shape(1, 10, 4) },
      elementSize: 1)
    #expect(split.axis == 2)
  }
}
