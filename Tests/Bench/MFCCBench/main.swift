// Host speed of MFCCFrontend (not a test: timings never are); run.sh beside this file
// builds and runs it. Feeds 60 s of pseudo-random int16 audio in 10 ms chunks, best of 5.
import Foundation
import Frontend

let seconds = 60
var samples = [Int16](repeating: 0, count: 16_000 * seconds)
var seed: UInt64 = 1
for i in samples.indices {
  seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
  samples[i] = Int16(truncatingIfNeeded: Int64(seed >> 40) % 20000 - 10000)
}
var frontend = try! MFCCFrontend(config: MFCCConfig())
var checksum: Int64 = 0
var best = Double.infinity
for _ in 0..<5 {
  frontend.reset()
  let start = DispatchTime.now().uptimeNanoseconds
  samples.withUnsafeBufferPointer { s in
    var i = 0
    while i < s.count {
      let n = min(160, s.count - i)
      frontend.process(UnsafeBufferPointer(rebasing: s[i..<(i + n)])) { f in
        checksum &+= Int64(f[0])
      }
      i += n
    }
  }
  let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3
  best = min(best, elapsed / Double(seconds))
}
print(
  String(
    format: "MFCCFrontend: %.1f us per second of audio (%.2f us per frame), checksum %lld", best,
    best / 50, checksum))
