import PruningCore

/// The kernel inception distance of Bińkowski et al. (2018) on caller-supplied features: the
/// unbiased estimate of the squared maximum mean discrepancy under the cubic polynomial kernel
/// `k(x, y) = (xᵀy / d + 1)³`,
///
///     1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/(mn) Σ_{i,j} k(xᵢ, yⱼ),
///
/// averaged over random subsets as the reference implementation does. Unlike the Fréchet
/// distance it is unbiased: its expectation is zero for two samples of one distribution, and it
/// can be negative.
public enum KernelInceptionDistance {
    /// The estimate for the rows of `first` (`[m, d]`) and `second` (`[n, d]`), averaged over
    /// `subsetCount` random subsets of `subsetSize` rows of each (all rows when `subsetSize` is
    /// `nil` or at least the row count).
    ///
    /// - Precondition: both have at least two rows and the same number of columns.
    public static func between(
        _ first: Tensor, _ second: Tensor, subsetSize: Int? = nil, subsetCount: Int = 1, seed: UInt64 = 0
    ) -> Double {
        precondition(first.rank == 2 && second.rank == 2 && first.shape[1] == second.shape[1],
                     "KernelInceptionDistance: features \(first.shape) and \(second.shape) must be [n, d] with equal d")
        precondition(first.shape[0] >= 2 && second.shape[0] >= 2, "KernelInceptionDistance: need at least two rows of each")
        precondition(subsetCount > 0, "KernelInceptionDistance: subsetCount \(subsetCount) must be positive")
        let d = first.shape[1]
        let x = first.scalars.map(Double.init)
        let y = second.scalars.map(Double.init)
        var random = RandomGenerator(seed: seed)
        var total = 0.0
        for _ in 0..<subsetCount {
            let rowsX = subset(first.shape[0], size: subsetSize, using: &random)
            let rowsY = subset(second.shape[0], size: subsetSize, using: &random)
            total += squaredMMD(x, rowsX, y, rowsY, d: d)
        }
        return total / Double(subsetCount)
    }

    static func subset(_ count: Int, size: Int?, using random: inout RandomGenerator) -> [Int] {
        guard let size, size < count else { return Array(0..<count) }
        var indices = Array(0..<count)
        for i in 0..<size {
            let j = i + random.nextInt(below: count - i)
            indices.swapAt(i, j)
        }
        return Array(indices.prefix(max(2, size)))
    }

    static func squaredMMD(_ x: [Double], _ rowsX: [Int], _ y: [Double], _ rowsY: [Int], d: Int) -> Double {
        func kernel(_ a: [Double], _ i: Int, _ b: [Double], _ j: Int) -> Double {
            var dot = 0.0
            for k in 0..<d { dot += a[i * d + k] * b[j * d + k] }
            let base = dot / Double(d) + 1
            return base * base * base
        }
        let (m, n) = (Double(rowsX.count), Double(rowsY.count))
        var xx = 0.0, yy = 0.0, xy = 0.0
        for (p, i) in rowsX.enumerated() { for j in rowsX[(p + 1)...] { xx += kernel(x, i, x, j) } }
        for (p, i) in rowsY.enumerated() { for j in rowsY[(p + 1)...] { yy += kernel(y, i, y, j) } }
        for i in rowsX { for j in rowsY { xy += kernel(x, i, y, j) } }
        return 2 * xx / (m * (m - 1)) + 2 * yy / (n * (n - 1)) - 2 * xy / (m * n)
    }
}
