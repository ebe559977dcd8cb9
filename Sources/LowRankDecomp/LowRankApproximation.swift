import PruningCore

/// Rank-r approximations of a weight matrix, plain or weighted by its input correlation — the
/// factorizations of the truncated-SVD baselines.
///
/// For `W` `[out, in]` and an input correlation `C = E[x xᵀ]` (`[in, in]`), the rank-r matrix
/// minimizing the expected output error `E‖(W − Ŵ) x‖² = ‖(W − Ŵ) C^{1/2}‖_F²` is
/// `Ŵ = U_r U_rᵀ W`, with `U_r` the top-r left singular vectors of `W C^{1/2}` (Eckart–Young on
/// the whitened matrix, as in SVD-LLM, Wang et al., 2024, arXiv 2403.07378, which obtains the
/// same optimum with a Cholesky factor). With `C = I` this is the plain truncated SVD
/// `U_r Σ_r V_rᵀ`. The factors returned are `B = U_r` (`[out, r]`) and `A = U_rᵀ W`
/// (`[r, in]`); no inverse of `C` is needed, so a singular correlation is harmless.
public enum LowRankApproximation {
    /// The factors `(B, A)` of the best rank-`rank` approximation `B · A` of `weight`.
    ///
    /// - Parameters:
    ///   - weight: `W`, `[out, in]`.
    ///   - correlation: `C`, `[in, in]`, or nil for the plain (unweighted) SVD.
    ///   - rank: `r`, in `1 ... min(out, in)`.
    /// - Returns: `outputFactor` `[out, r]` and `inputFactor` `[r, in]`, and every singular value
    ///   of the (whitened) matrix, descending.
    /// - Throws: `LinearAlgebraError` from the square root or the SVD.
    public static func factors(
        of weight: Matrix64, correlation: Matrix64?, rank: Int
    ) throws(LinearAlgebraError) -> (outputFactor: Matrix64, inputFactor: Matrix64, singularValues: [Double]) {
        precondition(
            rank >= 1 && rank <= Swift.min(weight.rows, weight.columns),
            "LowRankApproximation: rank \(rank) is outside 1...\(Swift.min(weight.rows, weight.columns)) for \(weight.shape)")
        if let correlation {
            precondition(
                correlation.shape == [weight.columns, weight.columns],
                "LowRankApproximation: correlation \(correlation.shape) does not match weight \(weight.shape)")
        }
        let root = try correlation.map { c throws(LinearAlgebraError) in try LinearAlgebra.symmetricSquareRoot(c) }
        let (vectors, values) = try spectrum(of: weight, correlationRoot: root)
        let (b, a) = factors(of: weight, leftSingularVectors: vectors, rank: rank)
        return (b, a, values)
    }

    /// The left singular vectors and the singular values of `W C^{1/2}` (of `W` when `root` is
    /// nil): the part of ``factors(of:correlation:rank:)`` that does not depend on the rank, so
    /// that several ranks of one matrix share one SVD.
    ///
    /// - Parameters:
    ///   - weight: `W`, `[out, in]`.
    ///   - root: `C^{1/2}`, `[in, in]`, or nil.
    /// - Throws: `LinearAlgebraError` from the SVD.
    public static func spectrum(
        of weight: Matrix64, correlationRoot root: Matrix64?
    ) throws(LinearAlgebraError) -> (leftSingularVectors: Matrix64, singularValues: [Double]) {
        let (u, s, _) = try LinearAlgebra.svd(root.map { weight.matmul($0) } ?? weight)
        return (u, s)
    }

    /// The factors `B = U_r` and `A = U_rᵀ W` of the rank-`rank` approximation, from the left
    /// singular vectors `U` that ``spectrum(of:correlationRoot:)`` gives for `weight`.
    public static func factors(
        of weight: Matrix64, leftSingularVectors u: Matrix64, rank: Int
    ) -> (outputFactor: Matrix64, inputFactor: Matrix64) {
        precondition(
            u.rows == weight.rows && rank >= 1 && rank <= Swift.min(u.columns, weight.columns),
            "LowRankApproximation: rank \(rank) and singular vectors \(u.shape) do not fit weight \(weight.shape)")
        let basis = u.columns(0..<rank)
        return (basis, basis.matmul(weight, transposingSelf: true))
    }

    /// The largest rank whose two factors hold at most `fraction` of the dense parameters of an
    /// `[out, in]` matrix, `⌊fraction · out · in / (out + in)⌋` but at least 1; nil when the
    /// factors at that rank would not be smaller than the dense matrix (keep it dense).
    public static func rank(keeping fraction: Double, rows: Int, columns: Int) -> Int? {
        let rank = Int((fraction * Double(rows * columns) / Double(rows + columns)).rounded(.down))
        guard rank < Swift.min(rows, columns), rank * (rows + columns) < rows * columns else { return nil }
        return Swift.max(rank, 1)
    }
}
