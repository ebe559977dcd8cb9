import Foundation
import PruningCore

/// The Fréchet distance between two Gaussians fitted to feature sets (the FID of Heusel et al.,
/// 2017, on whatever features the caller supplies):
///
///     ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½
///
/// computed with symmetric eigendecompositions only: Σ₁^½ from the eigenvectors of Σ₁, then
/// the eigenvalues of the symmetric Σ₁^½ Σ₂ Σ₁^½, whose square roots sum to the trace term.
/// Eigenvalues that rounding makes slightly negative are clamped to zero, so the result is
/// real and at least zero up to rounding.
public enum FrechetDistance {
    /// The distance between two sets of statistics of the same dimension.
    ///
    /// - Throws: `LinearAlgebraError` when an eigendecomposition fails; a precondition
    ///   failure for statistics of different dimensions.
    public static func between(_ first: FeatureStatistics, _ second: FeatureStatistics) throws -> Double {
        let d = first.mean.count
        precondition(second.mean.count == d, "FrechetDistance: \(d) features against \(second.mean.count)")
        var meanTerm = 0.0
        for j in 0..<d { meanTerm += (first.mean[j] - second.mean[j]) * (first.mean[j] - second.mean[j]) }
        var traces = 0.0
        for j in 0..<d { traces += first.covariance[j, j] + second.covariance[j, j] }
        let root = try squareRoot(of: first.covariance)
        let product = root.matmul(second.covariance).matmul(root)
        // Symmetrize against rounding before the symmetric solver reads one triangle.
        let symmetric = (product + transpose(product)) * 0.5
        let values = try LinearAlgebra.symmetricEigen(symmetric).values
        let crossTrace = values.reduce(0) { $0 + Foundation.sqrt(max($1, 0)) }
        return meanTerm + traces - 2 * crossTrace
    }

    /// The distance between the rows of two feature matrices `[n, d]` and `[m, d]`.
    ///
    /// - Throws: `LinearAlgebraError` when an eigendecomposition fails.
    public static func between(_ first: Tensor, _ second: Tensor) throws -> Double {
        try between(FeatureStatistics(of: first), FeatureStatistics(of: second))
    }

    /// The symmetric square root of a positive semi-definite matrix.
    static func squareRoot(of matrix: Matrix64) throws -> Matrix64 {
        let (values, vectors) = try LinearAlgebra.symmetricEigen(matrix)
        let n = matrix.rows
        var scaled = vectors
        for i in 0..<n { for j in 0..<n { scaled[i, j] *= Foundation.sqrt(max(values[j], 0)) } }
        return scaled.matmul(vectors, transposingOther: true)
    }

    static func transpose(_ matrix: Matrix64) -> Matrix64 {
        var result = Matrix64.zeros(rows: matrix.columns, columns: matrix.rows)
        for i in 0..<matrix.rows { for j in 0..<matrix.columns { result[j, i] = matrix[i, j] } }
        return result
    }
}
