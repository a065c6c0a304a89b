// Runs one job per item over N workers, each with its own state (front end, interpreter),
// and returns the results in item order, so the output is the same whatever N is.
import Foundation

/// The work queue and results, shared by the worker threads under one lock.
private final class ParallelState<Worker, Result>: @unchecked Sendable {
  let lock = NSLock()
  var next = 0
  var done = 0
  var results: [Result?]
  let workers: [Worker]
  let work: (Worker, Int) -> Result
  init(count: Int, workers: [Worker], work: @escaping (Worker, Int) -> Result) {
    results = Array(repeating: nil, count: count)
    self.workers = workers
    self.work = work
  }
}

public enum EvalParallel {
  /// - Parameters:
  ///   - makeWorker: builds one worker's state (called once per worker, on the caller's thread).
  ///   - progress: called (serialized, from any thread) after each item with the done count.
  ///   - work: runs item `i` on a worker; one worker is never used by two threads at once.
  public static func map<Worker, Result>(
    count: Int, jobs: Int, makeWorker: () throws -> Worker,
    progress: @escaping @Sendable (Int) -> Void = { _ in },
    work: @escaping (Worker, Int) -> Result
  ) rethrows -> [Result] {
    let workerCount = max(1, min(jobs, count))
    let state = ParallelState(
      count: count, workers: try (0..<workerCount).map { _ in try makeWorker() }, work: work)
    DispatchQueue.concurrentPerform(iterations: workerCount) { w in
      while true {
        state.lock.lock()
        let i = state.next
        state.next += 1
        state.lock.unlock()
        guard i < count else { return }
        let result = state.work(state.workers[w], i)
        state.lock.lock()
        state.results[i] = result
        state.done += 1
        progress(state.done)
        state.lock.unlock()
      }
    }
    return state.results.map { $0! }
  }
}
