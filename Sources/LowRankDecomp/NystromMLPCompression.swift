import PruningCore

/// MoDeGPT's Type-I compression of a SwiGLU MLP by a Nyström approximation (Lin et al., 2025,
/// arXiv 2408.09632, Section 3.2 and Algorithm 1).
///
/// The MLP is `down · z` with `z = silu(gate · x) ⊙ (up · x)`, the input of `down_proj`. The
/// nonlinearity forbids any change of basis of `z`, so the method keeps a subset `J` of the
/// intermediate channels — rows of `gate_proj` and `up_proj` — and refits `down_proj` to the
/// kept channels in closed form. With `C = E[z zᵀ]` (`[I, I]`), the refit
///
///     down' = down · C[:, J] · C[J, J]⁺        ([out, |J|])
///
/// is the least-squares regression of `down · z` on `z_J`: it minimizes
/// `E‖down · z − down' · z_J‖²`. The channels are chosen by their ridge-leverage scores
/// `τ_j = [C (C + λI)⁻¹]_jj ∈ [0, 1)`, which measure how much channel `j` contributes to the
/// span of the correlation (a column-sampling Nyström approximation of `C`).
///
/// Matrices are in the model's `[out, in]` layout.
public enum NystromMLPCompression {
    /// The result of `compress(gate:up:down:correlation:keeping:ridge:)`.
    public struct Result {
        /// The kept rows of `gate_proj`, `[|J|, in]`.
        public var gate: Tensor
        /// The kept rows of `up_proj`, `[|J|, in]`.
        public var up: Tensor
        /// The refitted `down_proj`, `[out, |J|]`.
        public var down: Tensor
        /// The kept channels `J`, ascending.
        public var keptChannels: [Int]
        /// The ridge-leverage score of every channel.
        public var scores: [Double]
    }

    /// The ridge-leverage scores `τ_j = [C (C + λI)⁻¹]_jj` of a symmetric positive-semidefinite
    /// correlation `C`.
    ///
    /// Computed from the eigendecomposition `C = Σ_i μ_i v_i v_iᵀ` as
    /// `τ_j = Σ_i (v_i)_j² · μ_i / (μ_i + λ)` (negative rounding noise in `μ` is clamped to 0),
    /// which is exact, needs no inverse and keeps every score in `[0, 1)`.
    ///
    /// - Parameters:
    ///   - correlation: `C`, `[n, n]` (the lower triangle is read).
    ///   - ridge: `λ > 0`.
    /// - Throws: `LinearAlgebraError` from the eigendecomposition.
    public static func ridgeLeverageScores(
        of correlation: Matrix64, ridge: Double
    ) throws(LinearAlgebraError) -> [Double] {
        precondition(ridge > 0, "NystromMLPCompression: the ridge must be positive, got \(ridge)")
        let n = correlation.rows
        let (values, vectors) = try LinearAlgebra.symmetricEigen(correlation)
        let weights = values.map { value in
            let clamped = Swift.max(value, 0)
            return clamped / (clamped + ridge)
        }
        var scores = [Double](repeating: 0, count: n)
        vectors.scalars.withUnsafeBufferPointer { v in
            for j in 0..<n {
                var sum = 0.0
                for i in 0..<n { sum += v[j * n + i] * v[j * n + i] * weights[i] }
                scores[j] = sum
            }
        }
        return scores
    }

    /// `down · C[:, J] · C[J, J]⁺`: the least-squares refit of `down_proj` `[out, I]` to the
    /// channels `kept`, giving `[out, |J|]` (computed in float64, rounded to float).
    ///
    /// The pseudo-inverse of the symmetric positive-semidefinite `C[J, J]` comes from its
    /// eigendecomposition, with eigenvalues at or below `|J| · ε · λ_max` treated as zero (the
    /// cutoff of the SVD-based pseudo-inverse, at a third of the cost).
    ///
    /// - Throws: `LinearAlgebraError` from the eigendecomposition.
    public static func refittedDownProjection(
        _ down: Tensor, correlation: Matrix64, keeping kept: [Int]
    ) throws(LinearAlgebraError) -> Tensor {
        precondition(
            down.rank == 2 && correlation.rows == down.shape[1] && correlation.columns == down.shape[1],
            "NystromMLPCompression: down_proj \(down.shape) does not match the correlation \(correlation.shape)")
        let crossColumns = correlation.selectingColumns(kept)          // [I, k]
        let keptBlock = crossColumns.selectingRows(kept)               // [k, k]
        let projected = Matrix64(down).matmul(crossColumns)            // [out, k]
        return Tensor(projected.matmul(try symmetricPseudoInverse(keptBlock)))
    }

    /// `A⁺` of a symmetric positive-semidefinite `A` (`[n, n]`): `W Wᵀ` with
    /// `W = V diag(1/√λ)` over the eigenvalues above `n · ε · λ_max`.
    static func symmetricPseudoInverse(_ a: Matrix64) throws(LinearAlgebraError) -> Matrix64 {
        let (values, vectors) = try LinearAlgebra.symmetricEigen(a)
        let cutoff = Double(a.rows) * Double.ulpOfOne * (values.map(abs).max() ?? 0)
        let scales = values.map { $0 > cutoff ? 1 / $0.squareRoot() : 0 }
        let w = vectors.scalingColumns(by: scales)
        return w.matmul(w, transposingOther: true)
    }

    /// Keeps the `count` channels of highest ridge-leverage score and refits `down_proj`.
    ///
    /// - Parameters:
    ///   - gate: `gate_proj`, `[I, in]`.
    ///   - up: `up_proj`, `[I, in]`.
    ///   - down: `down_proj`, `[out, I]`.
    ///   - correlation: `E[z zᵀ]` of the `down_proj` input, `[I, I]`.
    ///   - count: the number of channels kept, in `1 ... I`.
    ///   - ridge: λ of the leverage scores.
    ///   - precomputed: the leverage scores ``ridgeLeverageScores(of:ridge:)`` of `correlation` with
    ///     `ridge`, when already computed (nil: computed here).
    /// - Throws: `LinearAlgebraError` from the eigendecompositions.
    public static func compress(
        gate: Tensor, up: Tensor, down: Tensor, correlation: Matrix64, keeping count: Int, ridge: Double,
        scores precomputed: [Double]? = nil
    ) throws(LinearAlgebraError) -> Result {
        let width = gate.shape.first ?? 0
        precondition(
            gate.rank == 2 && up.shape == gate.shape && down.rank == 2 && down.shape[1] == width
                && correlation.rows == width && correlation.columns == width,
            "NystromMLPCompression: gate \(gate.shape), up \(up.shape), down \(down.shape) and correlation \(correlation.shape) do not form an MLP of width \(width)")
        precondition(count >= 1 && count <= width, "NystromMLPCompression: cannot keep \(count) of \(width) channels")
        precondition(
            precomputed == nil || precomputed!.count == width,
            "NystromMLPCompression: \(precomputed!.count) scores for \(width) channels")
        let scores: [Double]
        if let precomputed { scores = precomputed } else { scores = try ridgeLeverageScores(of: correlation, ridge: ridge) }
        let kept = topIndices(of: scores, count: count)
        return Result(
            gate: gate.indexSelect(kept, alongAxis: 0), up: up.indexSelect(kept, alongAxis: 0),
            down: try refittedDownProjection(down, correlation: correlation, keeping: kept),
            keptChannels: kept, scores: scores)
    }
}
