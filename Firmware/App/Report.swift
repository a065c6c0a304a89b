// The lines every command ends with: how much heap and stack the run needed, and
// whether anything allocated after start-up (the core promises not to, per frame).
import CSupport

enum Report {
  /// Prints heap and stack use; returns false if anything allocated while frozen.
  static func resources() -> Bool {
    let heap = kws_heap_stats()
    Console.write("heap: ")
    Console.write(Int(heap.allocations))
    Console.write(" allocations, ")
    Console.write(Int(heap.bytes))
    Console.write(" of ")
    Console.write(Int(heap.capacity))
    Console.write(" bytes, ")
    Console.write(Int(heap.violations))
    Console.write(" after start-up; peak live ")
    Console.write(Int(heap.peakLiveBytes))
    Console.write(" bytes\n")
    Console.write("stack: ")
    Console.write(Int(kws_stack_high_water()))
    Console.write(" of ")
    Console.write(Int(kws_stack_size()))
    // The deepest the stack has been since reset: Reset_Handler paints it, and the
    // first word from the bottom that lost its paint marks the high-water line.
    Console.write(" bytes (high-water mark since reset)\n")
    if heap.violations > 0 {
      Console.write("error: the core allocated after start-up (see heap above)\n")
    }
    return heap.violations == 0
  }

  /// `label: N instructions`, plus the rate per second of audio when `audioSamples`
  /// (at 16 kHz) is non-zero.
  static func work(_ label: StaticString, _ count: UInt64, audioSamples: Int) {
    Console.write(label)
    Console.write(": ")
    Console.write(Int64(count))
    Console.write(" ")
    Console.write(Board.counterUnit)
    Console.write("\n")
    guard audioSamples > 0 else { return }
    Console.write(label)
    Console.write(" per second of audio: ")
    // count / (samples / 16000) in units of a million, two decimals.
    Console.write(Int64(count) * 16_000, over: Int64(audioSamples) * 1_000_000, places: 2)
    Console.write(" M ")
    Console.write(Board.counterUnit)
    Console.write("\n")
  }

  /// `label: total/count instructions` plus `note`, printed only when `count` > 0:
  /// e.g. `model per invocation: 9075375 instructions (quantizing the input included)`.
  static func average(
    _ label: StaticString, _ total: UInt64, per count: Int, note: StaticString = ""
  ) {
    guard count > 0 else { return }
    Console.write(label)
    Console.write(": ")
    Console.write(Int64(total / UInt64(count)))
    Console.write(" ")
    Console.write(Board.counterUnit)
    Console.write(note)
    Console.write("\n")
  }

  /// `error: <path>: <message>`; returns the I/O error exit status.
  static func failure(_ path: UnsafePointer<CChar>, _ message: String) -> CInt {
    Console.write("error: ")
    Console.write(cString: path)
    Console.write(": ")
    Console.write(message)
    Console.write("\n")
    return ExitStatus.ioError
  }
}
