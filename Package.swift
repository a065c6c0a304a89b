// swift-tools-version: 6.2
//
// kws: keyword spotting in fixed point, one code base from Cortex-M4 to Linux.
//
// The four core modules (FixedPoint, Frontend, Inference, Spotter) are the ones the
// firmware compiles too (see Firmware/Makefile): no Foundation, typed throws, no
// existentials. `embeddedRules` holds the host build of them to the same rules.
// Everything that touches files, devices or libraries lives in Host and kws.
import PackageDescription

let embeddedRules: [SwiftSetting] = [.treatWarning("EmbeddedRestrictions", as: .error)]

let package = Package(
  name: "kws",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "kws", targets: ["kws"]),
    .library(name: "KWSCore", targets: ["FixedPoint", "Frontend", "Inference", "Spotter"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // Embedded-compatible core: samples -> features -> model -> scores -> detections.
    .target(name: "FixedPoint", swiftSettings: embeddedRules),
    .target(name: "Frontend", dependencies: ["FixedPoint"], swiftSettings: embeddedRules),
    .target(name: "Inference", dependencies: ["FixedPoint"], swiftSettings: embeddedRules),
    .target(name: "Spotter", dependencies: ["Frontend", "Inference"], swiftSettings: embeddedRules),

    // System libraries (host only), found through pkg-config.
    .systemLibrary(
      name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
    .systemLibrary(
      name: "CFFTW", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),
    .systemLibrary(
      name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
    .systemLibrary(
      name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),

    // Host: audio files, resampling, ALSA capture, float reference, evaluation.
    .target(
      name: "Host",
      dependencies: [
        "FixedPoint", "Frontend", "Inference", "Spotter",
        "CALSA", "CFFTW", "CSndFile", "CSoxr",
      ]),
    .executableTarget(
      name: "kws",
      dependencies: ["Host", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

    // Test-only helpers: package paths, the live Python references.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "FixedPointTests", dependencies: ["FixedPoint", "TestSupport"]),
    .testTarget(name: "FrontendTests", dependencies: ["Frontend", "Host", "TestSupport"]),
    .testTarget(
      name: "InferenceTests", dependencies: ["Inference", "Host", "TestSupport"],
      exclude: ["OpModels", "Models"]),
    .testTarget(name: "SpotterTests", dependencies: ["Spotter", "Host", "TestSupport"]),
    .testTarget(name: "HostTests", dependencies: ["Host", "TestSupport"]),
    .testTarget(name: "KwsCLITests", dependencies: ["Host", "TestSupport"]),
  ]
)
