// `selftest allocate|trap`: proves the two safety nets work, so that a clean
// "0 after start-up" or a clean exit elsewhere means something.
//   allocate: allocates after freezing the heap; must end with exit status 3.
//   trap:     overflows checked arithmetic; the fault handler must report it and
//             exit 134 instead of hanging QEMU.
import CSupport

enum SelfTest {
  static func allocateAfterStartup() -> CInt {
    kws_heap_freeze()
    let late = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 4)
    late.initialize(repeating: 0)
    return Report.resources() ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }

  static func trap(_ arguments: Arguments) -> CInt {
    // Checked arithmetic the compiler cannot fold: the argument count (2) is only
    // known at run time, and Int32.max + 2 overflows.
    let value = Int32.max + Int32(arguments.count)
    Console.write("not reached: ")
    Console.write(Int(value))
    Console.write("\n")
    return ExitStatus.success
  }
}
