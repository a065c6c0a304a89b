// A stored vector (a short clip and the features the reference gave for it) that both
// our front end and the live reference must still reproduce: if pymicro-features (or
// the libm under it) ever changes what it computes, this fails instead of the target
// moving silently. See Tests/Reference/data/README.md for provenance.
import Foundation
import Frontend
import TestSupport
import Testing

private typealias Support = MicroFrontendTestSupport

@Suite("MicroFrontend stored regression vector")
struct MicroFrontendRegressionTests {
  static let clipPath = TestSupport.path("Tests/Reference/data/microfrontend_okay_nabu.s16")
  static let featuresPath = TestSupport.path(
    "Tests/Reference/data/microfrontend_okay_nabu.features.u16")

  @Test("our features equal the stored ones")
  func oursMatchStored() throws {
    let clip = try Support.readRaw(Self.clipPath)
    let stored = Support.uint16s(try Data(contentsOf: URL(fileURLWithPath: Self.featuresPath)))
    #expect(clip.count == 14_818)
    #expect(stored.count == 90 * 40)
    Support.expectSameFeatures(try Support.ours(clip), stored, "ours vs stored vector")
  }

  @Test("the live reference still gives the stored features")
  func referenceMatchesStored() throws {
    let clip = try Support.readRaw(Self.clipPath)
    let stored = Support.uint16s(try Data(contentsOf: URL(fileURLWithPath: Self.featuresPath)))
    Support.expectSameFeatures(
      try Support.reference(clip), stored, "live pymicro-features vs stored vector")
  }
}
