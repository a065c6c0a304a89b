// NumPy .npy output (format version 1.0), written by us so the training recipe can
// `np.load` our features without any Swift-side dependency.
//
// Layout: the magic "\x93NUMPY", version bytes 1 0, a little-endian uint16 header
// length, then an ASCII Python dict literal such as
// `{'descr': '<u2', 'fortran_order': False, 'shape': (98, 40), }` padded with spaces and
// ended by '\n' so that the data starts at a multiple of 64 bytes; then the elements in
// C order, little-endian.

import Glibc

/// The element types our features come in.
public enum NpyDType: String, Sendable, CaseIterable {
  case float32 = "<f4"
  case uint16 = "<u2"
  case int8 = "|i1"
  case int32 = "<i4"

  public var byteSize: Int {
    switch self {
    case .float32, .int32: return 4
    case .uint16: return 2
    case .int8: return 1
    }
  }
}

public struct NpyError: Error, CustomStringConvertible, Sendable {
  public let description: String
}

public enum Npy {
  /// Data offset alignment that NumPy itself uses (and requires to be at least 16).
  static let alignment = 64

  /// The complete preamble (magic, version, length, padded dict) for an array.
  ///
  ///     header(dtype: .uint16, shape: [98, 40]).count == 128   // 10 + 118, data at 128
  public static func header(dtype: NpyDType, shape: [Int]) -> [UInt8] {
    let dims: String
    switch shape.count {
    case 0: dims = "()"
    case 1: dims = "(\(shape[0]),)"
    default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(dims), }"
    let prefix = 10  // magic 6 + version 2 + header length 2
    let unpadded = prefix + dict.utf8.count + 1  // + the closing '\n'
    let padded = (unpadded + alignment - 1) / alignment * alignment
    dict += String(repeating: " ", count: padded - unpadded) + "\n"
    let length = dict.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
      + Array(dict.utf8)
  }
}

/// Streams one array to a file (or standard output): header first, then elements as
/// they are produced; `finish` checks that exactly shape.product elements came.
public final class NpyWriter {
  public let dtype: NpyDType
  public let shape: [Int]
  private let destination: String
  private var file: UnsafeMutablePointer<FILE>?
  private var written = 0

  /// `path` "-" writes to standard output.
  public init(path: String, dtype: NpyDType, shape: [Int]) throws(NpyError) {
    self.dtype = dtype
    self.shape = shape
    destination = path == "-" ? "standard output" : path
    if path == "-" {
      // A stream of our own on a duplicate of descriptor 1: nothing else writes to
      // standard output while an array goes out.
      guard let f = fdopen(dup(STDOUT_FILENO), "wb") else {
        throw NpyError(
          description: "standard output: cannot write: \(String(cString: strerror(errno)))")
      }
      file = f
    } else {
      guard let f = fopen(path, "wb") else {
        throw NpyError(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
      }
      file = f
    }
    try write(Npy.header(dtype: dtype, shape: shape))
  }

  deinit {
    if let file { fclose(file) }
  }

  // Every host we build for (x86_64, arm64) is little-endian, the byte order the
  // header declares, so elements go out straight from memory.
  public func append(_ values: [UInt16]) throws(NpyError) { try raw(values, .uint16) }
  public func append(_ values: [Int8]) throws(NpyError) { try raw(values, .int8) }
  public func append(_ values: [Int32]) throws(NpyError) { try raw(values, .int32) }
  public func append(_ values: [Float]) throws(NpyError) { try raw(values, .float32) }

  private func raw<T>(_ values: [T], _ type: NpyDType) throws(NpyError) {
    guard type == dtype else {
      throw NpyError(description: "\(destination): \(type) values appended to a \(dtype) array")
    }
    guard let file else { throw NpyError(description: "\(destination): already finished") }
    let n = values.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard n == values.count * type.byteSize else {
      throw NpyError(
        description: "\(destination): cannot write: \(String(cString: strerror(errno)))")
    }
    written += values.count
  }

  /// Checks the element count against the shape and closes the file.
  public func finish() throws(NpyError) {
    let expected = shape.reduce(1, *)
    guard written == expected else {
      throw NpyError(
        description: "\(destination): wrote \(written) elements, shape \(shape) needs \(expected)")
    }
    if let file {
      if fflush(file) != 0 {
        throw NpyError(
          description: "\(destination): cannot write: \(String(cString: strerror(errno)))")
      }
      fclose(file)
    }
    file = nil
  }

  private func write(_ bytes: [UInt8]) throws(NpyError) {
    guard let file else { throw NpyError(description: "\(destination): already finished") }
    let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard n == bytes.count else {
      throw NpyError(
        description: "\(destination): cannot write: \(String(cString: strerror(errno)))")
    }
  }
}
