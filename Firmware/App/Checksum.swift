// `checksum <clip.raw>`: the smoke test of the whole chain (start-up, semihosting
// file I/O, the allocator, the counter, exit status) before any DSP is involved.
// The host recomputes the same two numbers from the same file.
import CSupport

enum Checksum {
  static func run(clipPath: UnsafePointer<CChar>) throws(SemihostingError) -> CInt {
    var file = try Semihosting.File(path: clipPath, mode: .readBinary)
    let byteCount = try file.length()
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: byteCount / 2)
    try file.read(into: UnsafeMutableRawBufferPointer(samples))
    file.close()
    kws_heap_freeze()

    Measure.start()
    // FNV-1a over the little-endian bytes, and the plain sum of the samples.
    var hash: UInt32 = 0x811C_9DC5
    var sum: Int64 = 0
    for sample in samples {
      let bits = UInt16(bitPattern: sample)
      hash = (hash ^ UInt32(bits & 0xFF)) &* 0x0100_0193
      hash = (hash ^ UInt32(bits >> 8)) &* 0x0100_0193
      sum += Int64(sample)
    }
    let work = Measure.stop()

    Console.write("clip: ")
    Console.write(cString: clipPath)
    Console.write(", ")
    Console.write(samples.count)
    Console.write(" samples\n")
    Console.write("fnv1a: ")
    Console.write(hex: hash)
    Console.write("\nsum: ")
    Console.write(sum)
    Console.write("\n")
    Report.work("checksum", work, audioSamples: samples.count)
    return Report.resources() ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }
}
