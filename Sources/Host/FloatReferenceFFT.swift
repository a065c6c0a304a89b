// FloatRealFFT: FFTW's real-to-complex transform in double precision, for the float
// references (FloatMFCC, FloatMicroFrontend) that the fixed-point front ends are measured
// against. Host only.
import CFFTW
import Foundation

/// FFTW's planner keeps global state and is not thread-safe (only `fftw_execute` is), so
/// every plan is made and destroyed under this lock.
private let fftwPlannerLock = NSLock()

/// An unnormalized forward real DFT of a fixed length, `X[k] = sum_n x[n] e^{-2 pi i k n / N}`
/// for `k` in `0...N/2`. The plan is made once at init and reused for every frame.
///
///     let fft = FloatRealFFT(length: 512)
///     let bins = fft.magnitudes(of: frame)   // 257 values, |X[k]|
///
/// One instance is not safe to use from two threads at once (it owns its buffers).
public final class FloatRealFFT {
  public let length: Int
  private let input: UnsafeMutablePointer<Double>
  private let output: UnsafeMutablePointer<fftw_complex>
  private let plan: fftw_plan

  public init(length: Int) {
    precondition(
      length >= 2 && length % 2 == 0, "FloatRealFFT length must be even and >= 2, got \(length)")
    self.length = length
    input = fftw_alloc_real(length)!
    output = fftw_alloc_complex(length / 2 + 1)!
    fftwPlannerLock.lock()
    // FFTW_ESTIMATE does not overwrite the buffers while planning and is deterministic.
    plan = fftw_plan_dft_r2c_1d(Int32(length), input, output, UInt32(FFTW_ESTIMATE))!
    fftwPlannerLock.unlock()
  }

  deinit {
    fftwPlannerLock.lock()
    fftw_destroy_plan(plan)
    fftwPlannerLock.unlock()
    fftw_free(input)
    fftw_free(output)
  }

  /// Number of output bins, `length / 2 + 1`.
  public var binCount: Int { length / 2 + 1 }

  /// Transforms `frame` (zero-padded to `length` when shorter) and hands the complex bins
  /// to `body` as (re, im) pairs.
  public func transform<R>(
    _ frame: UnsafeBufferPointer<Double>, _ body: (UnsafeBufferPointer<fftw_complex>) -> R
  ) -> R {
    precondition(
      frame.count <= length, "frame of \(frame.count) samples exceeds FFT length \(length)")
    for i in 0..<length { input[i] = i < frame.count ? frame[i] : 0 }
    fftw_execute(plan)
    return body(UnsafeBufferPointer(start: output, count: binCount))
  }

  /// |X[k]| for k in 0...length/2.
  public func magnitudes(of frame: [Double]) -> [Double] {
    frame.withUnsafeBufferPointer { frame in
      transform(frame) { bins in bins.map { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() } }
    }
  }

  /// |X[k]|^2 for k in 0...length/2.
  public func powers(of frame: [Double]) -> [Double] {
    frame.withUnsafeBufferPointer { frame in
      transform(frame) { bins in bins.map { $0.0 * $0.0 + $0.1 * $0.1 } }
    }
  }
}
