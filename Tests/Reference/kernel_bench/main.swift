// Host timing of the int8 kernels on the DS-CNN-S model: prepare every layer once,
// then run whole inferences (ours only, chained) and print the median. Not a test:
// timings are machine dependent. Build and run with ./run.sh (release, -O).
import FixedPoint
import Foundation
import Inference

struct Tensor {
  var shape: Shape
  var scales: [Float]
  var zeroPoint: Int32
  var int8: [Int8]
  var int32: [Int32]?
}

func tensor(_ any: Any?) -> Tensor? {
  guard let d = any as? [String: Any] else { return nil }
  let dims = (d["shape"] as! [Int])
  let data = d["data"] as? [Int]
  let type = d["type"] as! String
  return Tensor(
    shape: Shape(rank: dims.count) { dims[$0] },
    scales: (d["scales"] as! [Double]).map { Float($0) },
    zeroPoint: Int32((d["zero_points"] as! [Int]).first ?? 0),
    int8: type == "INT8" ? (data ?? []).map { Int8($0) } : [],
    int32: type == "INT32" ? data?.map { Int32($0) } : nil)
}

enum Layer {
  case conv(Conv2DParams, Tensor, Tensor, Tensor?, Tensor)
  case depthwise(DepthwiseConv2DParams, Tensor, Tensor, Tensor?, Tensor)
  case pool(Pool2DParams, Tensor, Tensor)
  case fc(FullyConnectedParams, Tensor, Tensor?, Tensor)
  case softmax(SoftmaxParams, Tensor)
}

func padding(_ o: [String: Any]) -> PaddingMode {
  (o["padding"] as? String) == "VALID" ? .valid : .same
}
func activation(_ o: [String: Any]) -> FusedActivation {
  switch o["activation"] as? String {
  case "RELU": .relu
  case "RELU6": .relu6
  case "RELU_N1_TO_1": .reluN1To1
  default: .none
  }
}

let path =
  CommandLine.arguments.count > 1
  ? CommandLine.arguments[1] : "Tests/InferenceTests/Models/dscnn_random.layers.json"
let json =
  try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
  as! [String: Any]
var layers: [Layer] = []
for op in json["ops"] as! [[String: Any]] {
  let o = op["options"] as! [String: Any]
  let ins = (op["inputs"] as! [Any]).map(tensor)
  let out = tensor((op["outputs"] as! [Any])[0])!
  let x = ins[0]!
  let q = { (t: Tensor) in TensorQuantization(scale: t.scales[0], zeroPoint: t.zeroPoint) }
  switch op["op"] as! String {
  case "CONV_2D":
    let f = ins[1]!
    let p = try prepareConv2D(
      input: x.shape, filter: f.shape, output: out.shape, biasCount: ins[2]?.int32?.count,
      inputQuantization: q(x), filterScales: f.scales, outputQuantization: q(out),
      padding: padding(o),
      strideHeight: o["stride_h"] as! Int, strideWidth: o["stride_w"] as! Int,
      dilationHeight: o["dilation_h"] as! Int, dilationWidth: o["dilation_w"] as! Int,
      activation: activation(o))
    layers.append(.conv(p, x, f, ins[2], out))
  case "DEPTHWISE_CONV_2D":
    let f = ins[1]!
    let p = try prepareDepthwiseConv2D(
      input: x.shape, filter: f.shape, output: out.shape, biasCount: ins[2]?.int32?.count,
      inputQuantization: q(x), filterScales: f.scales, outputQuantization: q(out),
      padding: padding(o),
      strideHeight: o["stride_h"] as! Int, strideWidth: o["stride_w"] as! Int,
      dilationHeight: o["dilation_h"] as! Int, dilationWidth: o["dilation_w"] as! Int,
      depthMultiplier: o["depth_multiplier"] as! Int, activation: activation(o))
    layers.append(.depthwise(p, x, f, ins[2], out))
  case "AVERAGE_POOL_2D":
    let p = try preparePool2D(
      input: x.shape, output: out.shape, outputQuantization: q(out), padding: padding(o),
      filterHeight: o["filter_h"] as! Int, filterWidth: o["filter_w"] as! Int,
      strideHeight: o["stride_h"] as! Int, strideWidth: o["stride_w"] as! Int,
      activation: activation(o))
    layers.append(.pool(p, x, out))
  case "FULLY_CONNECTED":
    let w = ins[1]!
    let p = try prepareFullyConnected(
      input: x.shape, weights: w.shape, output: out.shape, biasCount: ins[2]?.int32?.count,
      inputQuantization: q(x), weightScales: w.scales, outputQuantization: q(out),
      activation: activation(o))
    layers.append(.fc(p, w, ins[2], out))
  case "SOFTMAX":
    let p = try prepareSoftmax(
      input: x.shape, output: out.shape, inputScale: x.scales[0], outputQuantization: q(out),
      beta: Float(o["beta"] as? Double ?? 1))
    layers.append(.softmax(p, out))
  default:
    continue  // RESHAPE: same bytes
  }
}

// Two ping-pong activation buffers, big enough for any layer.
let input = ((json["cases"] as! [[String: Any]])[0]["input"] as! [Int]).map { Int8($0) }
var a = [Int8](repeating: 0, count: 64 * 1024)
var b = [Int8](repeating: 0, count: 64 * 1024)
func infer() -> [Int8] {
  for i in 0..<input.count { a[i] = input[i] }
  var count = input.count
  for layer in layers {
    a.withUnsafeBufferPointer { src in
      b.withUnsafeMutableBufferPointer { dst in
        let s = src.baseAddress!
        let d = dst.baseAddress!
        switch layer {
        case .conv(let p, let x, let f, let bias, let out):
          f.int8.withUnsafeBufferPointer { fp in
            (bias?.int32 ?? []).withUnsafeBufferPointer { bp in
              conv2D(
                p, input: s, inputShape: x.shape, filter: fp.baseAddress!, filterShape: f.shape,
                bias: bias == nil ? nil : bp.baseAddress, output: d, outputShape: out.shape)
            }
          }
          count = out.shape.elementCount
        case .depthwise(let p, let x, let f, let bias, let out):
          f.int8.withUnsafeBufferPointer { fp in
            (bias?.int32 ?? []).withUnsafeBufferPointer { bp in
              depthwiseConv2D(
                p, input: s, inputShape: x.shape, filter: fp.baseAddress!, filterShape: f.shape,
                bias: bias == nil ? nil : bp.baseAddress, output: d, outputShape: out.shape)
            }
          }
          count = out.shape.elementCount
        case .pool(let p, let x, let out):
          averagePool2D(p, input: s, inputShape: x.shape, output: d, outputShape: out.shape)
          count = out.shape.elementCount
        case .fc(let p, let w, let bias, let out):
          w.int8.withUnsafeBufferPointer { wp in
            (bias?.int32 ?? []).withUnsafeBufferPointer { bp in
              fullyConnected(
                p, input: s, weights: wp.baseAddress!, bias: bias == nil ? nil : bp.baseAddress,
                output: d)
            }
          }
          count = out.shape.elementCount
        case .softmax(let p, let out):
          softmax(p, input: s, output: d)
          count = out.shape.elementCount
        }
      }
    }
    swap(&a, &b)
  }
  return Array(a[0..<count])
}

let expected = ((json["cases"] as! [[String: Any]])[0]["output"] as! [Int]).map { Int8($0) }
let scores = infer()
precondition(scores == expected, "scores \(scores) differ from TFLM's \(expected)")
var times: [Double] = []
let clock = ContinuousClock()
for _ in 0..<(CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 300) {
  let t = clock.measure { _ = infer() }
  times.append(Double(t.components.attoseconds) / 1e12 + Double(t.components.seconds) * 1e6)
}
times.sort()
print(
  "\(path): \(layers.count) kernels, scores equal TFLM's; median \(Int(times[times.count / 2])) us per inference, min \(Int(times[0])) us (\(times.count) runs)"
)
