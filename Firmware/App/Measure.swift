// Counting the work of a measured region, and, under `profile`, sampling where it
// goes. Commands bracket only their streaming or inference loops with start/stop,
// so start-up (tables, file I/O) is never in the figures.
import CSupport

enum Measure {
  /// One profiler sample every 25 ticks = 1,000 instructions under QEMU; 64 K
  /// samples cover 65 M instructions (about 7 s of audio through the front end).
  static let profileIntervalTicks: UInt32 = 25
  static let profileCapacity = 65_536

  /// Restarts the board's counter from zero and resumes sampling if profiling.
  static func start() {
    Board.startCounter()
    kws_profiler_run(1)
  }

  /// Work since `start()`, in `Board.counterUnit`; pauses sampling.
  static func stop() -> UInt64 {
    let work = Board.counter()
    kws_profiler_run(0)
    return work
  }

  /// `profile <pcs.bin> <command...>`: runs the command with sampling on during its
  /// measured regions and writes the sampled PCs (UInt32 LE) to `pcs.bin`.
  static func profile(
    into path: UnsafePointer<CChar>, _ command: () throws(SemihostingError) -> CInt
  ) throws(SemihostingError) -> CInt {
    let pcs = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: profileCapacity)
    kws_profiler_configure(pcs.baseAddress, UInt32(pcs.count), profileIntervalTicks)
    let status = try command()
    var dropped: UInt32 = 0
    let count = Int(kws_profiler_samples(&dropped))
    var out = try Semihosting.File(path: path, mode: .writeBinary)
    try out.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(pcs)[0..<count * 4]))
    out.close()
    Console.write("profile: ")
    Console.write(count)
    Console.write(" samples, one per ")
    Console.write(Int64(UInt64(profileIntervalTicks) * Board.countsPerTick))
    Console.write(" ")
    Console.write(Board.counterUnit)
    Console.write(", ")
    Console.write(Int(dropped))
    Console.write(" dropped -> ")
    Console.write(cString: path)
    Console.write("\n")
    return status
  }
}
