import Frontend

/// A model's spotter settings as a compact binary blob, so that a firmware carries
/// them in flash next to the model (`.incbin`) instead of in code: what
/// `SpotterModelConfig` holds, the detection settings of every keyword, the labels,
/// and the identity of the model the settings were made for.
///
/// The host writes the blob from a manifest (`kws pack-model`, Host's
/// `ModelSettings.encode`); this decoder reads it on either side, bounds-checked, and
/// throws a `ModelSettingsError` naming the field and its byte offset. Decoding
/// allocates (the keyword list, the labels): do it at start-up.
///
/// Format, version 1, all integers little-endian (offsets in bytes):
///
///     0   4  magic "KWSS"
///     4   2  format version (1)
///     6   2  keyword count K
///     8   4  blob byte count (the whole blob; nothing may follow)
///     12  4  model byte count (the .tflite these settings belong to)
///     16  4  model FNV-1a 32 over those bytes
///     20  1  kind: 0 classifier, 1 streaming
///     21  1  front end: 0 microfrontend, 1 micro-speech, 2 mfcc
///     22  1  flags: bit 0 clip-peak normalization, bit 1 input quantization override
///     23  1  label count L
///     24  2  classifier stride, frames
///     26  2  0
///     28  4  input zero point (Int32; 0 without the override)
///     32  8  input scale (Float64 bits; 0 without the override)
///     40  K x 24  keywords: u16 label index, u16 smoothing window (invocations),
///                 u16 minimum count, u16 0, u32 refractory ms, u32 0,
///                 Float64 bits of the threshold (probability, 0...1)
///     ..  L x (u8 length n, n bytes of UTF-8)  labels in output order
///
/// The threshold travels as the exact Float64 the manifest gave, so the integer
/// firing boundary `KeywordDetector` derives from it is the same on both sides.
///
///     let settings = try ModelSettings(bytes: blob)
///     try settings.check(model: modelBytes)      // made for this .tflite?
///     let spotter = try Spotter(models: [(interpreter, settings.config)])
public struct ModelSettings {
  public static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x4B, 0x57, 0x53, 0x53)  // "KWSS"
  public static let version: UInt16 = 1
  public static let headerBytes = 40
  public static let keywordBytes = 24
  public static let clipPeakFlag: UInt8 = 1
  public static let inputOverrideFlag: UInt8 = 2

  public var config: SpotterModelConfig
  /// Labels in output order, UTF-8 bytes (no String: the firmware prints bytes).
  public var labels: [[UInt8]]
  /// The model these settings were made for: its byte count and FNV-1a 32.
  public var modelByteCount: Int
  public var modelHash: UInt32

  public init(config: SpotterModelConfig, labels: [[UInt8]], modelByteCount: Int, modelHash: UInt32)
  {
    self.config = config
    self.labels = labels
    self.modelByteCount = modelByteCount
    self.modelHash = modelHash
  }

  /// Reads a blob; every field is range-checked.
  public init(bytes: UnsafeRawBufferPointer) throws(ModelSettingsError) {
    var r = BlobReader(bytes: bytes)
    let m0 = try r.u8("magic")
    let m1 = try r.u8("magic")
    let m2 = try r.u8("magic")
    let m3 = try r.u8("magic")
    guard (m0, m1, m2, m3) == ModelSettings.magic else { throw .badMagic }
    let version = try r.u16("version")
    guard version == ModelSettings.version else { throw .unsupportedVersion(Int(version)) }
    let keywordCount = Int(try r.u16("keyword count"))
    let declared = Int(try r.u32("blob byte count"))
    guard declared == bytes.count else {
      throw .invalid(field: "blob byte count", offset: 8, value: declared)
    }
    modelByteCount = Int(try r.u32("model byte count"))
    modelHash = try r.u32("model hash")
    let kindCode = try r.u8("kind")
    let kind: ModelKind
    switch kindCode {
    case 0: kind = .classifier
    case 1: kind = .streaming
    default: throw .invalid(field: "kind", offset: 20, value: Int(kindCode))
    }
    let frontendCode = try r.u8("front end")
    let frontend: FrontendKind
    switch frontendCode {
    case 0: frontend = .microfrontend
    case 1: frontend = .microSpeech
    case 2: frontend = .mfcc
    default: throw .invalid(field: "front end", offset: 21, value: Int(frontendCode))
    }
    let flags = try r.u8("flags")
    guard flags & ~(ModelSettings.clipPeakFlag | ModelSettings.inputOverrideFlag) == 0 else {
      throw .invalid(field: "flags", offset: 22, value: Int(flags))
    }
    let labelCount = Int(try r.u8("label count"))
    guard labelCount >= 1 else { throw .invalid(field: "label count", offset: 23, value: 0) }
    let stride = Int(try r.u16("stride frames"))
    guard stride >= 1 else { throw .invalid(field: "stride frames", offset: 24, value: 0) }
    _ = try r.u16("reserved")
    let zeroPoint = Int32(bitPattern: try r.u32("input zero point"))
    let scaleOffset = r.offset
    let scale = Double(bitPattern: try r.u64("input scale"))
    let hasOverride = flags & ModelSettings.inputOverrideFlag != 0
    if hasOverride {
      guard scale > 0, scale.isFinite else {
        throw .invalid(field: "input scale", offset: scaleOffset, value: -1)
      }
      guard zeroPoint >= -128, zeroPoint <= 127 else {
        throw .invalid(field: "input zero point", offset: 28, value: Int(zeroPoint))
      }
    }
    var keywords: [(label: Int, settings: DetectionSettings)] = []
    for _ in 0..<keywordCount {
      let start = r.offset
      let label = Int(try r.u16("keyword label"))
      guard label < labelCount else {
        throw .invalid(field: "keyword label", offset: start, value: label)
      }
      let smoothing = Int(try r.u16("keyword smoothing"))
      guard smoothing >= 1 else {
        throw .invalid(field: "keyword smoothing", offset: start + 2, value: 0)
      }
      let minimum = Int(try r.u16("keyword minimum count"))
      guard minimum >= 1 else {
        throw .invalid(field: "keyword minimum count", offset: start + 4, value: 0)
      }
      _ = try r.u16("reserved")
      let refractory = Int(try r.u32("keyword refractory ms"))
      _ = try r.u32("reserved")
      let threshold = Double(bitPattern: try r.u64("keyword threshold"))
      // `!(a <= b)` also refuses NaN.
      guard threshold >= 0, threshold <= 1 else {
        throw .invalid(field: "keyword threshold", offset: start + 16, value: -1)
      }
      keywords.append(
        (
          label: label,
          settings: DetectionSettings(
            threshold: threshold, smoothingWindow: smoothing, refractoryMs: refractory,
            minimumCount: minimum)
        ))
    }
    var labels: [[UInt8]] = []
    for _ in 0..<labelCount {
      let length = Int(try r.u8("label length"))
      labels.append(try r.bytes(length, "label"))
    }
    guard r.offset == bytes.count else {
      throw .invalid(field: "trailing bytes", offset: r.offset, value: bytes.count - r.offset)
    }
    self.labels = labels
    config = SpotterModelConfig(
      kind: kind, frontend: frontend, strideFrames: stride, inputScale: hasOverride ? scale : nil,
      inputZeroPoint: hasOverride ? zeroPoint : nil, keywords: keywords,
      clipPeakNormalization: flags & ModelSettings.clipPeakFlag != 0)
  }

  /// Throws unless `model` is the .tflite these settings were made for.
  public func check(model: UnsafeRawBufferPointer) throws(ModelSettingsError) {
    let hash = ModelSettings.fnv1a(model)
    guard model.count == modelByteCount, hash == modelHash else {
      throw .otherModel(
        expectedBytes: modelByteCount, expectedHash: modelHash, foundBytes: model.count,
        foundHash: hash)
    }
  }

  /// FNV-1a, 32 bits, over `bytes`: the model identity kept in the blob.
  public static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5
    for b in bytes { hash = (hash ^ UInt32(b)) &* 0x0100_0193 }
    return hash
  }
}

/// Why a settings blob was refused. `offset` is the byte offset of the field.
public enum ModelSettingsError: Error, CustomStringConvertible {
  case badMagic
  case unsupportedVersion(Int)
  /// The blob ends inside `field`, which starts at `offset`.
  case truncated(field: StaticString, offset: Int)
  /// `field` at `offset` holds a value outside its range (-1: not representable).
  case invalid(field: StaticString, offset: Int, value: Int)
  case otherModel(expectedBytes: Int, expectedHash: UInt32, foundBytes: Int, foundHash: UInt32)

  public var description: String {
    switch self {
    case .badMagic:
      return "not a model settings blob (no \"KWSS\" at byte 0)"
    case .unsupportedVersion(let v):
      return "settings blob version \(v) is not supported (only 1)"
    case .truncated(let field, let offset):
      return "settings blob ends inside \(field) at byte \(offset)"
    case .invalid(let field, let offset, let value):
      return "settings blob: \(field) at byte \(offset) is out of range (\(value))"
    case .otherModel(let eb, let eh, let fb, let fh):
      return
        "the settings were made for another model (\(eb) bytes, FNV-1a \(eh)), not this one (\(fb) bytes, FNV-1a \(fh)): pack them again from its manifest"
    }
  }
}

/// Little-endian reads that throw at the end of the blob.
private struct BlobReader {
  let bytes: UnsafeRawBufferPointer
  var offset = 0

  mutating func bytes(_ n: Int, _ field: StaticString) throws(ModelSettingsError) -> [UInt8] {
    guard n <= bytes.count - offset else { throw .truncated(field: field, offset: offset) }
    var out: [UInt8] = []
    out.reserveCapacity(n)
    for i in 0..<n { out.append(bytes[offset + i]) }
    offset += n
    return out
  }

  private mutating func unsigned(_ n: Int, _ field: StaticString) throws(ModelSettingsError)
    -> UInt64
  {
    guard n <= bytes.count - offset else { throw .truncated(field: field, offset: offset) }
    var value: UInt64 = 0
    for i in 0..<n { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
    offset += n
    return value
  }

  mutating func u8(_ field: StaticString) throws(ModelSettingsError) -> UInt8 {
    UInt8(try unsigned(1, field))
  }
  mutating func u16(_ field: StaticString) throws(ModelSettingsError) -> UInt16 {
    UInt16(try unsigned(2, field))
  }
  mutating func u32(_ field: StaticString) throws(ModelSettingsError) -> UInt32 {
    UInt32(try unsigned(4, field))
  }
  mutating func u64(_ field: StaticString) throws(ModelSettingsError) -> UInt64 {
    try unsigned(8, field)
  }
}
