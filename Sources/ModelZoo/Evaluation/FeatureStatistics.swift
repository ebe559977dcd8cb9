import PruningCore

/// The mean and covariance of a set of feature vectors, in `Double`: what the Fréchet
/// distance compares.
public struct FeatureStatistics: Sendable, Equatable {
    /// The mean feature vector.
    public var mean: [Double]
    /// The unbiased sample covariance (divided by `n − 1`), `d × d`.
    public var covariance: Matrix64

    /// Statistics given directly (for example of a known Gaussian).
    ///
    /// - Precondition: `covariance` is `mean.count × mean.count`.
    public init(mean: [Double], covariance: Matrix64) {
        precondition(
            covariance.rows == mean.count && covariance.columns == mean.count,
            "FeatureStatistics: a \(covariance.rows)×\(covariance.columns) covariance for \(mean.count) features")
        self.mean = mean
        self.covariance = covariance
    }

    /// The statistics of the rows of `features` (`[samples, d]`, at least two samples).
    ///
    /// - Precondition: `features` is `[n, d]` with `n ≥ 2`.
    public init(of features: Tensor) {
        precondition(features.rank == 2 && features.shape[0] >= 2, "FeatureStatistics: features must be [n ≥ 2, d], got \(features.shape)")
        let (n, d) = (features.shape[0], features.shape[1])
        let values = features.scalars.map(Double.init)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += values[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centered = values
        for i in 0..<n { for j in 0..<d { centered[i * d + j] -= mean[j] } }
        let matrix = Matrix64(rows: n, columns: d, scalars: centered)
        self.init(mean: mean, covariance: matrix.matmul(matrix, transposingSelf: true) * (1 / Double(n - 1)))
    }
}
