// `features <clip.raw> <frames.bin> [chunk]`: streams a clip through the same
// MicroFrontend the host runs (Sources/Frontend) and writes every feature frame to
// the host, 40 x UInt16 little-endian per 10 ms, so the host can compare them bit
// for bit with its own front end and with the TFLM microfrontend.
//
// The clip is loaded and every buffer allocated before the heap is frozen; then the
// samples go in `chunk` at a time (default 160 = 10 ms, the size of a typical DMA
// block), and only the streaming loop is counted.

import CSupport
import Frontend

enum Features {
  static let defaultChunk = 160  // samples: 10 ms at 16 kHz

  static func run(
    clipPath: UnsafePointer<CChar>, framesPath: UnsafePointer<CChar>, chunk: Int
  ) throws(SemihostingError) -> CInt {
    // ---- start-up: everything that allocates --------------------------------------
    var clip = try Semihosting.File(path: clipPath, mode: .readBinary)
    let byteCount = try clip.length()
    let samples = UnsafeMutableBufferPointer<Int16>.allocate(capacity: byteCount / 2)
    try clip.read(into: UnsafeMutableRawBufferPointer(samples))
    clip.close()

    var frontend: MicroFrontend
    do {
      frontend = try MicroFrontend(config: .microWakeWord)
    } catch {
      Console.write("error: ")
      Console.write(error.description)
      Console.write("\n")
      return ExitStatus.usage
    }
    let channels = frontend.featureCount
    // One frame per step at most (the first needs a full window).
    let capacity = samples.count / frontend.stepSamples + 1
    let frames = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: capacity * channels)
    frames.initialize(repeating: 0)
    kws_heap_freeze()

    // ---- the measured streaming loop -----------------------------------------------
    var frameCount = 0
    var overflow = false
    Measure.start()
    var start = 0
    while start < samples.count {
      let end = min(start + chunk, samples.count)
      frontend.process(UnsafeBufferPointer(rebasing: samples[start..<end])) { frame in
        guard frameCount < capacity, frame.count == channels else {
          overflow = true
          return
        }
        let base = frameCount * channels
        for c in 0..<channels { frames[base + c] = frame[c] }
        frameCount += 1
      }
      start = end
    }
    let work = Measure.stop()

    // ---- results ---------------------------------------------------------------------
    var out = try Semihosting.File(path: framesPath, mode: .writeBinary)
    try out.write(
      UnsafeRawBufferPointer(
        rebasing: UnsafeRawBufferPointer(frames)[0..<frameCount * channels * 2]))
    out.close()

    var hash: UInt32 = 0x811C_9DC5  // FNV-1a over the frame values, low byte first
    for i in 0..<frameCount * channels {
      hash = (hash ^ UInt32(frames[i] & 0xFF)) &* 0x0100_0193
      hash = (hash ^ UInt32(frames[i] >> 8)) &* 0x0100_0193
    }
    Console.write("clip: ")
    Console.write(cString: clipPath)
    Console.write(", ")
    Console.write(samples.count)
    Console.write(" samples in chunks of ")
    Console.write(chunk)
    Console.write("\nframes: ")
    Console.write(frameCount)
    Console.write(" x ")
    Console.write(channels)
    Console.write(" -> ")
    Console.write(cString: framesPath)
    Console.write("\nframes fnv1a: ")
    Console.write(hex: hash)
    Console.write("\n")
    Report.work("frontend", work, audioSamples: samples.count)
    Report.average("frontend per frame", work, per: frameCount)
    if overflow {
      Console.write("error: the front end produced more frames than one per step\n")
    }
    let clean = Report.resources()
    return overflow
      ? ExitStatus.ioError : clean ? ExitStatus.success : ExitStatus.allocationAfterStartup
  }
}
