// Console output that never allocates: Swift's `print` with string interpolation
// builds a heap String, which would count as an allocation violation once the heap
// is frozen. These go byte by byte into putchar's line buffer (Support/runtime.c).
import CSupport

// putchar comes from CSupport (declared in kws_support.h); its result is the byte.

enum Console {
  static func write(_ text: StaticString) {
    let p = text.utf8Start
    for i in 0..<text.utf8CodeUnitCount { putchar(CInt(p[i])) }
  }

  /// For text built at start-up (error descriptions); a String is a heap value.
  static func write(_ text: String) {
    for byte in text.utf8 { putchar(CInt(byte)) }
  }

  static func write(cString: UnsafePointer<CChar>) {
    var p = cString
    while p.pointee != 0 {
      putchar(CInt(p.pointee))
      p += 1
    }
  }

  /// Decimal, with a minus sign when negative.
  static func write(_ value: Int64) {
    var magnitude = value.magnitude
    if value < 0 { putchar(CInt(UInt8(ascii: "-"))) }
    // 20 digits hold any UInt64.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
      var n = 0
      repeat {
        buffer[n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        n += 1
      } while magnitude > 0
      while n > 0 {
        n -= 1
        putchar(CInt(buffer[n]))
      }
    }
  }

  static func write(_ value: Int) { write(Int64(value)) }

  /// Eight hex digits with a 0x prefix, e.g. 0x0000beef.
  static func write(hex value: UInt32) {
    write("0x")
    var shift = 28
    while shift >= 0 {
      let nibble = UInt8((value >> UInt32(shift)) & 0xF)
      putchar(CInt(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10))
      shift -= 4
    }
  }

  /// `value / divisor` with `places` decimals, rounded to nearest, e.g.
  /// `write(1234567, over: 1000, places: 2)` prints 1234.57.
  static func write(_ value: Int64, over divisor: Int64, places: Int) {
    var scale: Int64 = 1
    for _ in 0..<places { scale *= 10 }
    let scaled = (value * scale + divisor / 2) / divisor
    write(scaled / scale)
    guard places > 0 else { return }
    putchar(CInt(UInt8(ascii: ".")))
    var fraction = scaled % scale
    var unit = scale / 10
    while unit > 0 {
      putchar(CInt(UInt8(ascii: "0") + UInt8(fraction / unit)))
      fraction %= unit
      unit /= 10
    }
  }
}
