import PruningCore

/// MoDeGPT's Type-II compression of the query–key products by a CR decomposition that keeps
/// whole rotary pairs (Lin et al., 2025, arXiv 2408.09632, Section 3.2 and Algorithm 2).
///
/// The product `RoPE(q) · RoPE(k)ᵀ` of a head is a sum over its dimensions; the rotary
/// embedding mixes the two dimensions of a pair and nothing else, so only a selection of whole
/// pairs commutes with it (any other change of basis would not). The CR (column–row) sampling
/// score of dimension `j` is `‖A_q[:, j]‖ · ‖A_k[:, j]‖` with `A = (C + εI)^{1/2}` the
/// symmetric square roots of the query and key correlations taken before the rotary embedding.
/// For a pair `(a, b)` this port scores
///
///     score = √( Σ_h ‖A_q,h[:, a]‖² ‖A_k[:, a]‖² + Σ_h ‖A_q,h[:, b]‖² ‖A_k[:, b]‖² )
///
/// where `h` runs over the query heads sharing the key–value head (grouped-query attention),
/// and keeps the highest-scoring pairs in the rows of `k_proj` and of every `q_proj` head of
/// the group, with their rotary frequencies. Weights are sliced, not re-weighted, and the
/// attention keeps the dense scale `1/√d_head`.
///
/// Since `A` is symmetric, `‖A[:, j]‖² = (AᵀA)_jj = C_jj + ε`: the scores depend only on the
/// diagonals of the correlations; the square root is still formed, as in the paper.
public enum RotaryPairSelection {
    /// The squared column norms of `(C + ridge · I)^{1/2}`, `[n]`.
    ///
    /// - Throws: `LinearAlgebraError` from the eigendecomposition.
    public static func squaredColumnNormsOfSquareRoot(
        _ correlation: Matrix64, ridge: Double
    ) throws(LinearAlgebraError) -> [Double] {
        try LinearAlgebra.symmetricSquareRoot(correlation.addingToDiagonal(ridge)).squaredColumnNorms
    }

    /// The score of every pair of one key–value head.
    ///
    /// - Parameters:
    ///   - queryCorrelations: `E[q qᵀ]` of each query head of the group, before the rotary
    ///     embedding, `[dq, dq]` each.
    ///   - keyCorrelation: `E[k kᵀ]` of the key head, before the rotary embedding, `[dq, dq]`.
    ///   - pairs: the two head dimensions of each pair, in the model's layout.
    ///   - ridge: ε added to both correlations before the square roots.
    /// - Throws: `LinearAlgebraError` from the square roots.
    public static func pairScores(
        queryCorrelations: [Matrix64], keyCorrelation: Matrix64, pairs: [(Int, Int)], ridge: Double
    ) throws(LinearAlgebraError) -> [Double] {
        let size = keyCorrelation.rows
        precondition(
            !queryCorrelations.isEmpty && queryCorrelations.allSatisfy { $0.shape == [size, size] }
                && keyCorrelation.columns == size,
            "RotaryPairSelection: query correlations \(queryCorrelations.map(\.shape)) and key correlation \(keyCorrelation.shape) differ in size")
        let key = try squaredColumnNormsOfSquareRoot(keyCorrelation, ridge: ridge)
        var query = [Double](repeating: 0, count: size)
        for correlation in queryCorrelations {
            let norms = try squaredColumnNormsOfSquareRoot(correlation, ridge: ridge)
            for j in 0..<size { query[j] += norms[j] }
        }
        return pairs.map { a, b in
            precondition(a >= 0 && a < size && b >= 0 && b < size, "RotaryPairSelection: pair (\(a), \(b)) is outside 0..<\(size)")
            return (query[a] * key[a] + query[b] * key[b]).squareRoot()
        }
    }

    /// The `count` pairs of highest score, ascending.
    public static func selectPairs(scores: [Double], keeping count: Int) -> [Int] {
        precondition(count >= 1 && count <= scores.count, "RotaryPairSelection: cannot keep \(count) of \(scores.count) pairs")
        return topIndices(of: scores, count: count)
    }
}
