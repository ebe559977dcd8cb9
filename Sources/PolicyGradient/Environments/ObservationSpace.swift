/// The bounds of an observation vector: a float32 box `[low, high]` per dimension, as
/// Gymnasium's `spaces.Box(dtype=np.float32)`.
///
/// Gymnasium environments may return observations outside their box (custom reset bounds, or
/// velocities that are not clipped); the box documents the nominal range.
public struct ObservationSpace: Sendable, Equatable {
    /// The lower bound of each dimension (`-.infinity` when unbounded).
    public var low: [Float]
    /// The upper bound of each dimension (`.infinity` when unbounded).
    public var high: [Float]

    /// A box with the given bounds.
    ///
    /// - Precondition: `low` and `high` have the same length and `low[i] <= high[i]`.
    public init(low: [Float], high: [Float]) {
        precondition(
            low.count == high.count,
            "ObservationSpace: low has \(low.count) dimensions, high has \(high.count)")
        precondition(
            zip(low, high).allSatisfy { $0 <= $1 },
            "ObservationSpace: low \(low) exceeds high \(high)")
        self.low = low
        self.high = high
    }

    /// The symmetric box `[-high, high]`.
    public init(symmetric high: [Float]) {
        self.init(low: high.map { -$0 }, high: high)
    }

    /// A box of `size` unbounded dimensions.
    public init(unboundedSize size: Int) {
        self.init(
            low: Array(repeating: -.infinity, count: size),
            high: Array(repeating: .infinity, count: size))
    }

    /// The number of dimensions.
    public var size: Int { low.count }

    /// Whether `observation` has the right length and lies inside the box.
    public func contains(_ observation: [Float]) -> Bool {
        guard observation.count == size else { return false }
        for i in 0..<size where !(observation[i] >= low[i] && observation[i] <= high[i]) {
            return false
        }
        return true
    }
}
