// Streaming sample-rate conversion to 16 kHz with libsoxr, mono, in Double.
//
// Quality is soxr's "high quality" recipe (SOXR_HQ: 20-bit precision, linear phase,
// passband to 91.3 % of the output Nyquist = 7.3 kHz at 16 kHz, stopband from Nyquist),
// which keeps aliasing below the 16-bit quantization floor. Double in and out so the
// int16 conversion (rounding, clipping) happens once, in `Int16Conversion`, not inside
// soxr (whose int16 output would add TPDF dither and make results irreproducible).
//
// soxr compensates its own filter delay: output sample 0 corresponds to input time 0,
// and the total output length is the input length times the rate ratio (rounded).

import CSoxr

/// A mono stream resampler. Feed blocks with `process`, then call `flush` once at the end
/// of the input; both append to the caller's array.
///
///     var r = try Resampler(inputRate: 44_100, outputRate: 16_000, path: "in.wav")
///     var out: [Double] = []
///     try r.process(block, into: &out)   // any block sizes
///     try r.flush(into: &out)            // out.count ~= total input * 16000 / 44100
final class Resampler {
  let inputRate: Int
  let outputRate: Int
  /// The file being resampled, for error messages.
  let path: String
  private let handle: soxr_t
  private var scratch: [Double]

  init(inputRate: Int, outputRate: Int, path: String) throws(AudioError) {
    self.path = path
    self.inputRate = inputRate
    self.outputRate = outputRate
    var error: soxr_error_t? = nil
    var io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I)
    var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
    var runtime = soxr_runtime_spec(1)  // one thread: the machine is shared, blocks are small
    guard
      let h = soxr_create(
        Double(inputRate), Double(outputRate), 1, &error, &io, &quality, &runtime),
      error == nil
    else {
      throw AudioError(
        path: path,
        kind: .decodeFailed("soxr_create \(inputRate) -> \(outputRate) Hz: \(soxrMessage(error))"))
    }
    handle = h
    scratch = []
  }

  deinit { soxr_delete(handle) }

  /// Resamples `input` and appends whatever output soxr has ready to `output`.
  func process(_ input: UnsafeBufferPointer<Double>, into output: inout [Double]) throws(AudioError)
  {
    var consumed = 0
    while consumed < input.count {
      let capacity = (input.count - consumed) * outputRate / inputRate + 64
      if scratch.count < capacity { scratch = [Double](repeating: 0, count: capacity) }
      var used = 0
      var made = 0
      let error = scratch.withUnsafeMutableBufferPointer { out in
        soxr_process(
          handle, input.baseAddress! + consumed, input.count - consumed, &used,
          out.baseAddress!, capacity, &made)
      }
      if let error {
        throw AudioError(path: path, kind: .decodeFailed("soxr_process: \(soxrMessage(error))"))
      }
      output.append(contentsOf: scratch[0..<made])
      consumed += used
      if used == 0 && made == 0 { break }  // soxr makes progress on every call; be safe anyway
    }
  }

  /// Signals the end of the input and appends the remaining output (the filter tail).
  func flush(into output: inout [Double]) throws(AudioError) {
    let capacity = 4096
    if scratch.count < capacity { scratch = [Double](repeating: 0, count: capacity) }
    while true {
      var made = 0
      let error = scratch.withUnsafeMutableBufferPointer { out in
        soxr_process(handle, nil, 0, nil, out.baseAddress!, capacity, &made)
      }
      if let error {
        throw AudioError(
          path: path, kind: .decodeFailed("soxr_process (flush): \(soxrMessage(error))"))
      }
      if made == 0 { break }
      output.append(contentsOf: scratch[0..<made])
    }
  }
}

private func soxrMessage(_ error: soxr_error_t?) -> String {
  guard let error else { return "unknown error" }
  return String(cString: error)
}
