// Features of one clip as the CLI hands them on: frames x features, in the element
// type the front end produced (or int8 after --quantize, float after --reference).
import Host

/// The element types of a feature matrix; each maps to one npy dtype.
enum FeatureValues {
  /// Microfrontend codes (40 per frame, about 0..670).
  case uint16([UInt16])
  /// MFCC codes in the front end's Q format.
  case int32([Int32])
  /// Model input after --quantize.
  case int8([Int8])
  /// Float reference front ends, in the same units as the fixed-point codes.
  case float32([Float])

  var count: Int {
    switch self {
    case .uint16(let v): return v.count
    case .int32(let v): return v.count
    case .int8(let v): return v.count
    case .float32(let v): return v.count
    }
  }

  var dtype: NpyDType {
    switch self {
    case .uint16: return .uint16
    case .int32: return .int32
    case .int8: return .int8
    case .float32: return .float32
    }
  }

  /// The text of element `i` ("%g"-like shortest round-trip form for floats).
  func text(_ i: Int) -> String {
    switch self {
    case .uint16(let v): return String(v[i])
    case .int32(let v): return String(v[i])
    case .int8(let v): return String(v[i])
    case .float32(let v): return "\(v[i])"
    }
  }

  func append(to writer: NpyWriter) throws(NpyError) {
    switch self {
    case .uint16(let v): try writer.append(v)
    case .int32(let v): try writer.append(v)
    case .int8(let v): try writer.append(v)
    case .float32(let v): try writer.append(v)
    }
  }
}

/// `frameCount` rows of `featureCount` values, row-major.
struct FeatureMatrix {
  /// Where the features came from: a path, or "clips.raw#12" for a raw clip.
  var source: String
  var featureCount: Int
  var values: FeatureValues

  var frameCount: Int { featureCount > 0 ? values.count / featureCount : 0 }
}
