import Testing

@testable import Spotter

@Suite struct FeatureWindowTests {
  @Test func copiesTheLastFramesOldestFirst() {
    var w = FeatureWindow(frameCount: 4, featureCount: 3)
    var out = [Int8](repeating: 0, count: 12)
    for f in 0..<11 {
      let frame: [Int8] = [Int8(f), Int8(f + 50), Int8(-f)]
      frame.withUnsafeBufferPointer { w.push($0) }
      #expect(w.isFull == (f >= 3))
      if w.isFull {
        out.withUnsafeMutableBufferPointer { w.copy(into: $0.baseAddress!) }
        let expected = (f - 3...f).flatMap { [Int8($0), Int8($0 + 50), Int8(-$0)] }
        #expect(out == expected, "after frame \(f)")
      }
    }
    w.reset()
    #expect(!w.isFull && w.filled == 0)
  }
}
