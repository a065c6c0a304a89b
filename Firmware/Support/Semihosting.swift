// ARM semihosting: file and console I/O served by the debugger, here QEMU started
// with `-semihosting`. Each call is one BKPT 0xAB trap (CSupport.kws_semihost); the
// host does the work, so I/O costs the firmware almost no instructions.
//
// Parameter blocks follow the "Semihosting for AArch32 and AArch64" specification:
// r1 points at consecutive 32-bit words. Paths are resolved by the host, relative
// to the directory QEMU runs in.
import CSupport

/// A semihosting call that failed, naming the file it was about. The paths point
/// into the command-line buffer, which lives (unchanged) until reset: hence the
/// unchecked Sendable.
enum SemihostingError: Error, @unchecked Sendable {
  case cannotOpen(path: UnsafePointer<CChar>)
  case cannotMeasure(path: UnsafePointer<CChar>)
  /// `missing` of the requested bytes did not arrive (end of file or host error).
  case shortRead(path: UnsafePointer<CChar>, offset: Int, missing: Int)
  case shortWrite(path: UnsafePointer<CChar>, offset: Int, missing: Int)
  case noCommandLine
}

enum Semihosting {
  private enum Operation: UInt32 {
    case open = 0x01
    case close = 0x02
    case write = 0x05
    case read = 0x06
    case fileLength = 0x0C
    case commandLine = 0x15
  }

  /// ISO C fopen modes as numbered by the specification (binary variants).
  enum Mode: UInt32 {
    case readBinary = 1  // "rb"
    case writeBinary = 5  // "wb": create or truncate
  }

  /// Calls `operation` with a parameter block of three words (unused words are
  /// ignored by the host) and returns r0 as a signed value (-1 is the usual error).
  private static func call(
    _ operation: Operation, _ a: UInt32, _ b: UInt32 = 0, _ c: UInt32 = 0
  ) -> Int {
    var block: (UInt32, UInt32, UInt32) = (a, b, c)
    let r0 = withUnsafeMutablePointer(to: &block) { pointer in
      kws_semihost(operation.rawValue, UInt(bitPattern: pointer))
    }
    return Int(bitPattern: r0)
  }

  private static func word(_ pointer: UnsafeRawPointer) -> UInt32 {
    UInt32(UInt(bitPattern: pointer))
  }

  /// Copies the command line QEMU was given (`-append`, after the kernel's file
  /// name) into `buffer` as a NUL-terminated string and returns its length in bytes.
  static func commandLine(into buffer: UnsafeMutableBufferPointer<UInt8>) throws(SemihostingError)
    -> Int
  {
    guard let base = buffer.baseAddress else { throw .noCommandLine }
    var block: (UInt32, UInt32) = (word(base), UInt32(buffer.count))
    let r0 = withUnsafeMutablePointer(to: &block) { pointer in
      kws_semihost(Operation.commandLine.rawValue, UInt(bitPattern: pointer))
    }
    // On success the host rewrites the second word with the length it stored.
    guard r0 == 0 else { throw .noCommandLine }
    return Int(block.1)
  }

  /// A file on the host, read or written sequentially.
  struct File {
    let handle: UInt32
    let path: UnsafePointer<CChar>
    private(set) var offset = 0

    init(path: UnsafePointer<CChar>, mode: Mode) throws(SemihostingError) {
      let length = UInt32(strlenInBytes(path))
      let r = Semihosting.call(.open, Semihosting.word(path), mode.rawValue, length)
      guard r >= 0 else { throw .cannotOpen(path: path) }
      handle = UInt32(r)
      self.path = path
    }

    /// The file's length in bytes.
    func length() throws(SemihostingError) -> Int {
      let r = Semihosting.call(.fileLength, handle)
      guard r >= 0 else { throw .cannotMeasure(path: path) }
      return r
    }

    /// Fills `buffer` completely or throws.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(SemihostingError) {
      guard let base = buffer.baseAddress, buffer.count > 0 else { return }
      // The host answers with the number of bytes it could NOT read.
      let missing = Semihosting.call(.read, handle, Semihosting.word(base), UInt32(buffer.count))
      guard missing == 0 else { throw .shortRead(path: path, offset: offset, missing: missing) }
      offset += buffer.count
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SemihostingError) {
      guard let base = bytes.baseAddress, bytes.count > 0 else { return }
      let missing = Semihosting.call(.write, handle, Semihosting.word(base), UInt32(bytes.count))
      guard missing == 0 else { throw .shortWrite(path: path, offset: offset, missing: missing) }
      offset += bytes.count
    }

    func close() {
      _ = Semihosting.call(.close, handle)
    }
  }
}

/// Length of a NUL-terminated string in bytes.
func strlenInBytes(_ s: UnsafePointer<CChar>) -> Int {
  var n = 0
  while s[n] != 0 { n += 1 }
  return n
}
