// The static memory plan: where each intermediate tensor lives in the arena.
//
// Input: one entry per buffer (a tensor, or a group of tensors that share bytes),
// with its size in bytes, its alignment, and its lifetime [first, last] in steps of
// the execution order (the init subgraph run by CALL_ONCE is inlined at the
// CALL_ONCE step, so its tensors get steps too).
//
// Algorithm (greedy by size, as TFLM's GreedyMemoryPlanner): take the buffers from
// largest to smallest (ties: earlier first use first); place each at the lowest
// aligned offset where it overlaps no already-placed buffer whose lifetime
// intersects its own. The arena size is the highest end offset. Large buffers go
// first because they constrain most; small ones then fill the gaps between them.
// O(n^2) in the number of buffers, which is at most a few hundred.
//
// What makes our plan smaller than TFLM's for the same model is decided before this
// planner runs (in the interpreter): RESHAPE outputs share their input's bytes,
// READ_VARIABLE outputs and ASSIGN_VARIABLE inputs live in the variable itself when
// nothing else touches it meanwhile, and the interpreter's own bookkeeping (tensor
// and node tables) is not in the arena at all.

/// One block of memory to place.
public struct PlannedBuffer: Sendable {
  public var size: Int
  public var alignment: Int
  /// First and last step (inclusive) at which the bytes must hold their value.
  public var first: Int
  public var last: Int
  /// Byte offset in the planned region (the planner's output).
  public var offset: Int = 0

  public init(size: Int, alignment: Int, first: Int, last: Int) {
    self.size = size
    self.alignment = alignment
    self.first = first
    self.last = last
  }
}

/// Places `buffers` (filling in `offset`) and returns the bytes the plan needs.
///
///     var b = [PlannedBuffer(size: 100, alignment: 4, first: 0, last: 1),
///              PlannedBuffer(size: 100, alignment: 4, first: 2, last: 3)]
///     planMemory(&b)   // 100: the second reuses the first's bytes
public func planMemory(_ buffers: inout [PlannedBuffer]) -> Int {
  let order = buffers.indices.sorted { a, b in
    if buffers[a].size != buffers[b].size { return buffers[a].size > buffers[b].size }
    if buffers[a].first != buffers[b].first { return buffers[a].first < buffers[b].first }
    return a < b
  }
  var placed: [Int] = []
  placed.reserveCapacity(buffers.count)
  var conflicts: [Int] = []
  var total = 0
  for i in order {
    let b = buffers[i]
    // Buffers already placed that are alive at the same time, by offset.
    conflicts.removeAll(keepingCapacity: true)
    for j in placed where buffers[j].first <= b.last && b.first <= buffers[j].last {
      conflicts.append(j)
    }
    conflicts.sort { buffers[$0].offset < buffers[$1].offset }
    var offset = 0
    for j in conflicts {
      let candidate = alignUp(offset, b.alignment)
      if candidate + b.size <= buffers[j].offset { break }
      offset = max(offset, buffers[j].offset + buffers[j].size)
    }
    offset = alignUp(offset, b.alignment)
    buffers[i].offset = offset
    total = max(total, offset + b.size)
    placed.append(i)
  }
  return total
}

@inlinable
func alignUp(_ value: Int, _ alignment: Int) -> Int {
  (value + alignment - 1) / alignment * alignment
}
