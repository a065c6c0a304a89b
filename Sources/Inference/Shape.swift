/// The dimensions of a tensor, up to six, stored inline so that shapes never
/// allocate. Dimensions follow TFLite's layout conventions: activations are
/// [N, H, W, C], CONV_2D filters [O, H, W, I], DEPTHWISE_CONV_2D filters
/// [1, H, W, C*multiplier], FULLY_CONNECTED weights [O, I].
///
///     let s = Shape(1, 49, 10, 1)
///     s.rank            // 4
///     s[1]              // 49
///     s.elementCount    // 490
public struct Shape: Equatable, Sendable {
  public static let maxRank = 6

  public private(set) var rank: Int
  @usableFromInline var storage: InlineArray<6, Int32>

  public init() {
    rank = 0
    storage = InlineArray(repeating: 0)
  }

  public init(_ dims: Int...) {
    self.init()
    precondition(dims.count <= Shape.maxRank, "rank above 6")
    rank = dims.count
    for i in 0..<dims.count { storage[i] = Int32(dims[i]) }
  }

  /// Builds a shape from raw dimensions (for example straight from a model file).
  public init(rank: Int, dimension: (Int) -> Int) {
    self.init()
    precondition(rank <= Shape.maxRank, "rank above 6")
    self.rank = rank
    for i in 0..<rank { storage[i] = Int32(dimension(i)) }
  }

  /// The four dimensions of a rank-4 shape, for unpacking in one line (the window
  /// kernels' [N, H, W, C] operands).
  ///
  ///     let (batches, height, width, depth) = Shape(1, 49, 10, 8).nhwc   // (1, 49, 10, 8)
  @inlinable var nhwc: (Int, Int, Int, Int) { (self[0], self[1], self[2], self[3]) }

  @inlinable public subscript(index: Int) -> Int {
    get { Int(storage[index]) }
    set { storage[index] = Int32(newValue) }
  }

  /// The product of all dimensions (1 for a scalar).
  public var elementCount: Int {
    var n = 1
    for i in 0..<rank { n *= Int(storage[i]) }
    return n
  }

  /// Flat offset of [n, h, w, c] in a rank-4 row-major tensor.
  @inlinable public func offset(_ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Int {
    ((n * Int(storage[1]) + h) * Int(storage[2]) + w) * Int(storage[3]) + c
  }

  public static func == (a: Shape, b: Shape) -> Bool {
    guard a.rank == b.rank else { return false }
    for i in 0..<a.rank where a.storage[i] != b.storage[i] { return false }
    return true
  }
}
