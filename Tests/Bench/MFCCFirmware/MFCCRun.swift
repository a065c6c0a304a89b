// `mfcc <clip.raw>` for the firmware (Firmware/App): MFCCFrontend over a clip on the
// Cortex-M4 under QEMU, instructions counted, heap frozen after init. Not wired in: the
// firmware app belongs to its own branch. To measure, copy this file to Firmware/App/,
// add to Firmware/App/Main.swift's run():
//
//     if arguments.matches(0, "mfcc") && arguments.count == 2 {
//       return try MFCCRun.run(clipPath: arguments[1])
//     }
//
// then `make -C Firmware SWIFT_OPT=-O && cd Firmware && ./run-qemu.sh build/kws-firmware.elf
// mfcc clip.raw`. The printed fnv1a over the Q16 frames equals the host's for the same
// clip (checked: 0x9b517804 for espeak-ng "yes" at -3 dBFS, both sides).
import CSupport
import Frontend

enum MFCCRun {
  static func run(clipPath: UnsafePointer<CChar>) throws(SemihostingError) -> CInt {
    var file = try Semihosting.File(path: clipPath, mode: .readBinary)
    let byteCount = try file.length()
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: byteCount / 2)
    try file.read(into: UnsafeMutableRawBufferPointer(samples))
    file.close()
    Board.startCounter()
    var frontend: MFCCFrontend
    do { frontend = try MFCCFrontend(config: MFCCConfig()) } catch { return 2 }
    let quantizer: FeatureQuantizer
    do {
      quantizer = try FeatureQuantizer(scale: 0.5847029, zeroPoint: 83, codeUnit: 1.0 / 65536)
    } catch { return 2 }
    var qsum = 0
    let initWork = Board.counter()
    kws_heap_freeze()
    var hash: UInt32 = 0x811C_9DC5
    var frames = 0
    Board.startCounter()
    var i = 0
    while i < samples.count {
      let n = min(160, samples.count - i)
      frontend.process(UnsafeBufferPointer(rebasing: samples[i..<(i + n)])) { f in
        for v in f {
          let b = UInt32(bitPattern: v)
          hash = (hash ^ (b & 0xFFFF)) &* 0x0100_0193
          hash = (hash ^ (b >> 16)) &* 0x0100_0193
        }
        frames += 1
        qsum &+= Int(quantizer.quantize(f[0])) &+ Int(quantizer.quantize(f[5]))
      }
      i += n
    }
    let work = Board.counter()
    Console.write("frames: ")
    Console.write(frames)
    Console.write("\nquantized sum: ")
    Console.write(qsum)
    Console.write("\nfnv1a: ")
    Console.write(hex: hash)
    Console.write("\n")
    Report.work("mfcc init", initWork, audioSamples: 0)
    Report.work("mfcc", work, audioSamples: samples.count)
    return Report.resources() ? 0 : 3
  }
}
