// Our npy writer against numpy itself (the live reference): dtype, shape and every
// value must come back as written.
import Foundation
import Host
import TestSupport
import Testing

private struct NumpyView: Decodable {
  let dtype: String
  let shape: [Int]
  let values: [Double]
}

private func numpyRead(_ path: String) throws -> NumpyView {
  let out = try TestSupport.reference("npy_read.py", [path])
  return try JSONDecoder().decode(NumpyView.self, from: out)
}

@Suite struct NpyWriterTests {
  @Test func headerIsAlignedAndTerminated() {
    for shape in [[], [7], [98, 40], [12_345, 49, 10]] {
      let h = Npy.header(dtype: .uint16, shape: shape)
      #expect(h.count % 64 == 0, "\(shape)")
      #expect(h.last == UInt8(ascii: "\n"))
      #expect(Array(h[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
      #expect(Int(h[8]) | Int(h[9]) << 8 == h.count - 10)
    }
  }

  @Test func numpyReadsEveryDtype() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }

    let u16: [UInt16] = [0, 1, 670, 65535, 300, 12]
    let i8: [Int8] = [-128, -1, 0, 1, 127, 42]
    let i32: [Int32] = [.min, -1, 0, 1, .max, 123_456]
    let f32: [Float] = [0, -1.5, 3.25e-7, 1e30, -0.0, 26.0 / 255]
    var paths: [String] = []
    func write(
      _ name: String, _ dtype: NpyDType, _ shape: [Int], _ append: (NpyWriter) throws -> Void
    ) throws {
      let path = dir.appendingPathComponent(name).path
      let w = try NpyWriter(path: path, dtype: dtype, shape: shape)
      try append(w)
      try w.finish()
      paths.append(path)
    }
    try write("u16.npy", .uint16, [2, 3]) { try $0.append(u16) }
    try write("i8.npy", .int8, [1, 2, 3]) {
      try $0.append(Array(i8[0..<3]))
      try $0.append(Array(i8[3...]))
    }
    try write("i32.npy", .int32, [6]) { try $0.append(i32) }
    try write("f32.npy", .float32, [3, 2]) { try $0.append(f32) }

    let u = try numpyRead(paths[0])
    #expect(u.dtype == "<u2" && u.shape == [2, 3] && u.values == u16.map(Double.init))
    let b = try numpyRead(paths[1])
    #expect(b.dtype == "|i1" && b.shape == [1, 2, 3] && b.values == i8.map(Double.init))
    let i = try numpyRead(paths[2])
    #expect(i.dtype == "<i4" && i.shape == [6] && i.values == i32.map(Double.init))
    let f = try numpyRead(paths[3])
    #expect(f.dtype == "<f4" && f.shape == [3, 2] && f.values == f32.map(Double.init))
  }

  @Test func wrongCountOrTypeIsAnError() throws {
    let dir = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("short.npy").path
    let w = try NpyWriter(path: path, dtype: .uint16, shape: [2, 2])
    #expect(throws: NpyError.self) { try w.append([Int8(1)]) }
    try w.append([UInt16(1), 2, 3])
    let error = #expect(throws: NpyError.self) { try w.finish() }
    #expect(error?.description.contains("wrote 3 elements") == true)
  }
}
