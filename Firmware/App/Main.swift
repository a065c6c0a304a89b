// The kws firmware: the same core modules the Linux host runs (FixedPoint, Frontend,
// Inference, Spotter), driven by a clip read from the host through semihosting.
//
//     checksum <clip.raw>                    s16le mono; prints a checksum and the
//                                            instructions spent computing it
//     features <clip.raw> <frames.bin> [chunk]
//                                            streams the clip through the microfrontend,
//                                            writes 40 x UInt16 LE per 10 ms frame
//     spot <clip.raw> [records.bin|- [chunk [model.tflite settings.kwss]...]]
//                                            the whole spotter with the linked model and
//                                            settings (App/model.S) or models loaded at
//                                            start-up; writes the record stream
//                                            (Sources/Spotter/SpotterRecord.swift)
//     dump <model.tflite> <settings.kwss>    the linked model and settings, byte for byte
//     infer <model.tflite> <in.bin> <out.bin>
//                                            any model, case after case (Infer.swift)
//     layers <model.tflite> <inputs.bin>     instructions per node (Perf.swift)
//     frontend <kind> <clip.raw>             instructions per second of audio
//     profile <pcs.bin> <command...>         runs the command, sampling the PC every
//                                            1,000 instructions (see profile.sh)
//     selftest allocate|trap                 exercises the safety nets (SelfTest.swift)
//
// Exit status: 0 done, 1 I/O error, 2 usage, 3 allocation after start-up,
// 134 Swift runtime trap, 139 fault (see Board/*/startup.c).
import CSupport
import FixedPoint
import Frontend
import Inference
import Spotter

enum ExitStatus {
  static let success: CInt = 0
  static let ioError: CInt = 1
  static let usage: CInt = 2
  static let allocationAfterStartup: CInt = 3
}

@main
struct Firmware {
  static func main() {
    Console.write("kws firmware on ")
    Console.write(Board.name)
    Console.write("\n")
    let status: CInt
    do {
      status = try run()
    } catch {
      report(error)
      status = ExitStatus.ioError
    }
    kws_exit(status)
  }

  static func run() throws(SemihostingError) -> CInt {
    let arguments = try Arguments()
    if arguments.matches(0, "profile") && arguments.count >= 3 {
      return try Measure.profile(into: arguments[1]) { () throws(SemihostingError) -> CInt in
        try dispatch(arguments.dropping(2))
      }
    }
    return try dispatch(arguments)
  }

  static func dispatch(_ arguments: Arguments) throws(SemihostingError) -> CInt {
    if arguments.matches(0, "checksum") && arguments.count == 2 {
      return try Checksum.run(clipPath: arguments[1])
    }
    if arguments.matches(0, "features") && (arguments.count == 3 || arguments.count == 4) {
      let chunk = arguments.count == 4 ? arguments.integer(3) : Features.defaultChunk
      guard let chunk, chunk > 0 else {
        Console.write("error: chunk must be a positive number of samples\n")
        return ExitStatus.usage
      }
      return try Features.run(clipPath: arguments[1], framesPath: arguments[2], chunk: chunk)
    }
    if arguments.matches(0, "spot") && arguments.count >= 2 {
      return try Spot.run(arguments)
    }
    if arguments.matches(0, "dump") && arguments.count == 3 {
      return try Dump.run(modelPath: arguments[1], settingsPath: arguments[2])
    }
    if arguments.matches(0, "infer") && arguments.count == 4 {
      return try Infer.run(
        modelPath: arguments[1], inputsPath: arguments[2], outputsPath: arguments[3])
    }
    if arguments.matches(0, "layers") && arguments.count == 3 {
      return try Perf.layers(modelPath: arguments[1], inputsPath: arguments[2])
    }
    if arguments.matches(0, "frontend") && arguments.count == 3 {
      var kind: FrontendKind? = nil
      if arguments.matches(1, "microfrontend") { kind = .microfrontend }
      if arguments.matches(1, "micro-speech") { kind = .microSpeech }
      if arguments.matches(1, "mfcc") { kind = .mfcc }
      if let kind { return try Perf.frontend(kind: kind, clipPath: arguments[2]) }
    }
    if arguments.matches(0, "selftest") && arguments.matches(1, "allocate") {
      return SelfTest.allocateAfterStartup()
    }
    if arguments.matches(0, "selftest") && arguments.matches(1, "trap") {
      return SelfTest.trap(arguments)
    }
    Console.write(
      """
      usage: checksum <clip.raw>
             features <clip.raw> <frames.bin> [chunk samples, default 160]
             spot <clip.raw> [records.bin|- [chunk, default 160 [model.tflite settings.kwss]...]]
             dump <model.tflite> <settings.kwss>
             infer <model.tflite> <inputs.bin> <outputs.bin>
             layers <model.tflite> <inputs.bin>
             frontend microfrontend|micro-speech|mfcc <clip.raw>
             profile <pcs.bin> <command...>
             selftest allocate|trap
      (QEMU: -semihosting -kernel kws-firmware.elf -append "checksum clip.raw")

      """)
    return ExitStatus.usage
  }

  static func report(_ error: SemihostingError) {
    Console.write("error: ")
    switch error {
    case .cannotOpen(let path):
      Console.write("cannot open ")
      Console.write(cString: path)
    case .cannotMeasure(let path):
      Console.write("cannot get the length of ")
      Console.write(cString: path)
    case .shortRead(let path, let offset, let missing):
      Console.write("short read from ")
      Console.write(cString: path)
      Console.write(" at byte ")
      Console.write(offset)
      Console.write(": ")
      Console.write(missing)
      Console.write(" bytes missing")
    case .shortWrite(let path, let offset, let missing):
      Console.write("short write to ")
      Console.write(cString: path)
      Console.write(" at byte ")
      Console.write(offset)
      Console.write(": ")
      Console.write(missing)
      Console.write(" bytes not written")
    case .noCommandLine:
      Console.write("the host gave no command line (run QEMU with -semihosting)")
    }
    Console.write("\n")
  }
}
