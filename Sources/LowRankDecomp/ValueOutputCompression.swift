import PruningCore

/// MoDeGPT's Type-III compression of the value–output products by a whitened SVD (Lin et al.,
/// 2025, arXiv 2408.09632, Section 3.2 and Algorithm 3).
///
/// In the model's `[out, in]` layout, key–value head `g` has value rows `V` (`[dv, d]`) and each
/// query head `h` of its group reads the attention-weighted values through its `o_proj`
/// columns `O_h` (`[d, dv]`). Nothing nonlinear sits between `V` and `O_h` (the attention
/// weights act on tokens, not on value dimensions), so the inner dimension may be changed
/// freely. With the attention-input correlation `C = E[x xᵀ]` (plus a ridge), the method solves
///
///     min over V̂ (k × d), Ô_h (d × k) of  Σ_h ‖(O_h V − Ô_h V̂) C^{1/2}‖_F²,
///
/// whose optimum (Eckart–Young) is the rank-k truncated SVD of `M = [O_1; …; O_g] V C^{1/2}`
/// with the whitening undone on the value side. For one query head per key–value head this is
/// the paper's per-head SVD of `C^{1/2} W_V W_O`; with grouped-query attention the query heads
/// of a group share the reduced value basis, and summing their errors is the exact joint
/// optimum (the port `cbacary/MoDeGPT` approximates it by projecting each o-head separately).
///
/// The computation never forms `C^{±1/2}`: from the eigendecomposition
/// `V C Vᵀ = Q S² Qᵀ` (`[dv, dv]`) one has `V C^{1/2} = Q S U₁ᵀ` with `U₁` orthonormal, so
/// `M = N U₁ᵀ` with `N = [O_h] Q S`. The SVD `N = P Σ Rᵀ` then gives
///
///     Ô = P_k Σ_k (split into the g heads),  V̂ = R_kᵀ S⁺ Qᵀ V,
///
/// so that `Ô_h V̂ C^{1/2} = (P_k Σ_k R_kᵀ U₁ᵀ)_h`, the truncated SVD. At `k = dv` the product
/// `Ô_h V̂` equals `O_h V` whenever `V C Vᵀ` is invertible.
public enum ValueOutputCompression {
    /// The result of ``compress(value:outputs:correlation:rank:ridge:)`` for one key–value head.
    public struct Result {
        /// The new value rows `V̂`, `[k, d]`.
        public var value: Matrix64
        /// The new `o_proj` columns `Ô_h` of each query head of the group, `[d, k]` each.
        public var outputs: [Matrix64]
        /// The singular values of the whitened product `M`, descending (`dv` values).
        public var singularValues: [Double]
    }

    /// The rank-`rank` whitened SVD of one key–value head and its query heads.
    ///
    /// - Parameters:
    ///   - value: the head's `v_proj` rows, `[dv, d]`.
    ///   - outputs: the `o_proj` columns of each query head of the group, `[dout, dv]` each.
    ///   - correlation: `E[x xᵀ]` of the attention input, `[d, d]`.
    ///   - rank: the new value dimension `k`, in `1 ... dv`.
    ///   - ridge: added to the diagonal of `correlation` (the objective then also penalizes
    ///     `ridge · ‖ΔW‖²`).
    /// - Throws: `LinearAlgebraError` from the eigendecomposition or the SVD.
    public static func compress(
        value: Matrix64, outputs: [Matrix64], correlation: Matrix64, rank: Int, ridge: Double
    ) throws(LinearAlgebraError) -> Result {
        let (dv, d) = (value.rows, value.columns)
        precondition(
            correlation.shape == [d, d] && !outputs.isEmpty && outputs.allSatisfy { $0.columns == dv },
            "ValueOutputCompression: value \(value.shape), outputs \(outputs.map(\.shape)) and correlation \(correlation.shape) do not match")
        precondition(rank >= 1 && rank <= dv, "ValueOutputCompression: rank \(rank) is outside 1...\(dv)")

        // V C Vᵀ = Q S² Qᵀ.
        let whitened = correlation.addingToDiagonal(ridge)
        var gram = value.matmul(whitened).matmul(value, transposingOther: true)
        for i in 0..<dv {
            for j in 0..<i {
                let mean = (gram[i, j] + gram[j, i]) / 2
                gram[i, j] = mean
                gram[j, i] = mean
            }
        }
        let (eigenvalues, q) = try LinearAlgebra.symmetricEigen(gram)
        let s = eigenvalues.map { Swift.max($0, 0).squareRoot() }
        let largest = s.max() ?? 0
        let cutoff = largest * Double(dv) * Double.ulpOfOne.squareRoot()
        let sInverse = s.map { $0 > cutoff && $0 > 0 ? 1 / $0 : 0 }

        // N = [O_1; …; O_g] Q S, SVD N = P Σ Rᵀ.
        let stacked = Matrix64.verticallyStacked(outputs)
        let n = stacked.matmul(q).scalingColumns(by: s)
        let (p, sigma, rt) = try LinearAlgebra.svd(n)
        let kept = Array(0..<rank)

        // V̂ = R_kᵀ S⁺ Qᵀ V; Ô = P_k Σ_k.
        let transform = rt.selectingRows(kept).scalingColumns(by: sInverse).matmul(q, transposingOther: true)
        let newValue = transform.matmul(value)
        let newOutputs = p.selectingColumns(kept).scalingColumns(by: Array(sigma.prefix(rank)))
        var offset = 0
        let split = outputs.map { output -> Matrix64 in
            defer { offset += output.rows }
            return newOutputs.rows(offset..<(offset + output.rows))
        }
        return Result(value: newValue, outputs: split, singularValues: sigma)
    }
}
