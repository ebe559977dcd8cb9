import PruningCore

/// The neighbourhoods of the original generator's outputs: for every sample of a pool, the `k`
/// other samples whose generated images are nearest to its own (Euclidean distance between the
/// teacher's outputs), so that a centre and its neighbours cover one local region of the
/// learned manifold.
public struct NeighbourhoodIndex: Sendable {
    /// The `k` nearest other samples of each pool sample, nearest first.
    public let neighbours: [[Int]]

    /// The index of `outputs` `[pool, …]` with `k` neighbours each.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` unless
    ///   `1 ≤ k < pool`.
    public init(outputs: Tensor, neighbours k: Int) throws(StructuralPruningError) {
        let pool = outputs.shape[0]
        guard k >= 1, k < pool else {
            throw .invalidSetting(field: "neighbours", value: Double(k), expected: "1...\(pool - 1) for a pool of \(pool)")
        }
        let flat = outputs.reshaped(to: [pool, outputs.count / pool])
        let (gram, norms) = withoutGradients { (flat.matmul(flat, transposingOther: true).scalars, flat.squared().sum(alongAxis: 1).scalars) }
        var result: [[Int]] = []
        result.reserveCapacity(pool)
        for i in 0..<pool {
            var row: [(Float, Int)] = []
            row.reserveCapacity(pool - 1)
            for j in 0..<pool where j != i { row.append((norms[i] + norms[j] - 2 * gram[i * pool + j], j)) }
            row.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            result.append(row.prefix(k).map(\.1))
        }
        neighbours = result
    }

    /// The pool indices of `centres` each followed by its neighbours (`centres.count · (k + 1)`
    /// indices, the layout ``LocalDensityObjective/grouped(_:)`` expects).
    public func batch(centres: [Int]) -> [Int] { centres.flatMap { [$0] + neighbours[$0] } }
}
