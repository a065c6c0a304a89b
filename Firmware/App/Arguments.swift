// The firmware's command line, from semihosting SYS_GET_CMDLINE. QEMU passes the
// kernel's file name followed by `-append "..."`, e.g.
//
//     build/kws-firmware.elf features clip.raw frames.bin
//
// Words are split at spaces in place (paths with spaces are not supported), so each
// argument is a NUL-terminated C string inside one buffer allocated at start-up.
import CSupport

struct Arguments {
  static let capacity = 512  // bytes of command line, NUL included
  static let maxWords = 16

  private let words: UnsafeMutableBufferPointer<UnsafePointer<CChar>>
  /// Index in `words` of argument 0 (1: word 0 is the program name).
  private var first = 1
  /// Number of arguments.
  private(set) var count: Int

  init() throws(SemihostingError) {
    let text = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Arguments.capacity)
    text.initialize(repeating: 0)
    let length = try Semihosting.commandLine(into: text)
    words = .allocate(capacity: Arguments.maxWords)
    var n = 0
    var i = 0
    while i < length && n < Arguments.maxWords {
      while i < length && text[i] == UInt8(ascii: " ") {
        text[i] = 0
        i += 1
      }
      guard i < length else { break }
      words[n] = UnsafeRawPointer(text.baseAddress! + i).assumingMemoryBound(to: CChar.self)
      n += 1
      while i < length && text[i] != UInt8(ascii: " ") { i += 1 }
    }
    while i < length {  // cut anything beyond maxWords
      text[i] = 0
      i += 1
    }
    // Word 0 is the kernel's file name, not an argument.
    count = max(n - 1, 0)
    if n == 0 { words[0] = UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self) }
  }

  /// Argument `index` (0 = the first after the program name).
  subscript(index: Int) -> UnsafePointer<CChar> { words[index + first] }

  /// The arguments after the first `n` (for commands that wrap another command).
  func dropping(_ n: Int) -> Arguments {
    var rest = self
    rest.first += min(n, count)
    rest.count -= min(n, count)
    return rest
  }

  /// Whether argument `index` exists and spells `word`.
  func matches(_ index: Int, _ word: StaticString) -> Bool {
    guard index < count else { return false }
    let a = self[index]
    let b = word.utf8Start
    for i in 0..<word.utf8CodeUnitCount where UInt8(bitPattern: a[i]) != b[i] { return false }
    return a[word.utf8CodeUnitCount] == 0
  }

  /// Argument `index` as a positive decimal integer, or nil.
  func integer(_ index: Int) -> Int? {
    guard index < count else { return nil }
    let a = self[index]
    var value = 0
    var i = 0
    while a[i] != 0 {
      let digit = Int(a[i]) - Int(UInt8(ascii: "0"))
      guard digit >= 0 && digit <= 9 && value < 100_000_000 else { return nil }
      value = value * 10 + digit
      i += 1
    }
    return i > 0 ? value : nil
  }
}
