import Foundation
import PruningCore

/// The squared maximum mean discrepancy under a Gaussian RBF kernel — the estimator of CMMD
/// (Jayasumana et al., 2024, "Rethinking FID"; reference `cmmd-pytorch/distance.py`), applied to
/// caller-supplied features:
///
///     scale · (mean_{i,j} k(xᵢ, xⱼ) + mean_{i,j} k(yᵢ, yⱼ) − 2 mean_{i,j} k(xᵢ, yⱼ)),
///     k(a, b) = exp(−‖a − b‖² / (2σ²)),
///
/// the biased (V-statistic) form CMMD uses, with its scale 1,000. CMMD fixes σ = 10 for CLIP
/// embeddings; for other features ``between(_:_:bandwidth:)`` defaults to the median heuristic,
/// σ = the median distance between rows of the pooled sample.
public enum RBFMaximumMeanDiscrepancy {
    /// CMMD's scale factor.
    public static let scale = 1000.0

    /// The estimate and the bandwidth used, for `first` `[m, d]` and `second` `[n, d]`.
    ///
    /// - Precondition: both have at least one row and equal columns; `bandwidth`, when given,
    ///   is positive.
    public static func between(_ first: Tensor, _ second: Tensor, bandwidth: Double? = nil) -> (value: Double, bandwidth: Double) {
        precondition(first.rank == 2 && second.rank == 2 && first.shape[1] == second.shape[1] && first.shape[0] >= 1 && second.shape[0] >= 1,
                     "RBFMaximumMeanDiscrepancy: features \(first.shape) and \(second.shape) must be [n, d] with equal d")
        precondition(bandwidth.map { $0 > 0 } ?? true, "RBFMaximumMeanDiscrepancy: the bandwidth must be positive")
        let d = first.shape[1]
        let x = first.scalars.map(Double.init), y = second.scalars.map(Double.init)
        let (m, n) = (first.shape[0], second.shape[0])
        func distance(_ a: [Double], _ i: Int, _ b: [Double], _ j: Int) -> Double {
            var sum = 0.0
            for k in 0..<d { let delta = a[i * d + k] - b[j * d + k]; sum += delta * delta }
            return sum
        }
        let sigma = bandwidth ?? medianDistance(x, m, y, n, d: d, distance: distance)
        let gamma = 1 / (2 * sigma * sigma)
        func meanKernel(_ a: [Double], _ rowsA: Int, _ b: [Double], _ rowsB: Int) -> Double {
            var total = 0.0
            for i in 0..<rowsA { for j in 0..<rowsB { total += Foundation.exp(-gamma * distance(a, i, b, j)) } }
            return total / Double(rowsA * rowsB)
        }
        let value = scale * (meanKernel(x, m, x, m) + meanKernel(y, n, y, n) - 2 * meanKernel(x, m, y, n))
        return (value, sigma)
    }

    /// The median distance between distinct rows of the pooled sample (at most 500 rows of each,
    /// evenly spaced; 1 when every distance is zero).
    static func medianDistance(_ x: [Double], _ m: Int, _ y: [Double], _ n: Int, d: Int,
                               distance: ([Double], Int, [Double], Int) -> Double) -> Double {
        var pooled: [Double] = []
        for (values, rows) in [(x, m), (y, n)] {
            let stride = max(1, rows / 500)
            for row in Swift.stride(from: 0, to: rows, by: stride).prefix(500) { pooled += values[(row * d)..<((row + 1) * d)] }
        }
        let count = pooled.count / d
        var distances: [Double] = []
        for i in 0..<count { for j in (i + 1)..<max(i + 1, count) { distances.append(distance(pooled, i, pooled, j).squareRoot()) } }
        guard !distances.isEmpty else { return 1 }
        distances.sort()
        let median = distances[distances.count / 2]
        return median > 0 ? median : 1
    }
}
