/// Matrix functions built on a decomposition: the Moore–Penrose pseudo-inverse (from the SVD) and
/// symmetric square roots (from the eigendecomposition).
extension DenseMatrix {
    /// The default relative cutoff of ``pseudoInverse(rcond:)``: `max(m, n) · ε`, as in NumPy's
    /// `matrix_rank`.
    var defaultRelativeCutoff: Scalar { Scalar(Swift.max(rows, columns)) * Scalar.ulpOfOne }

    /// `A⁺ = V · diag(1/σ) · Uᵀ` (`n × m`), treating singular values `σ ≤ rcond · σ_max` as zero.
    func pseudoInverse(rcond: Scalar) throws(LinearAlgebraError) -> DenseMatrix {
        let (u, s, vt) = try singularValueDecomposition(full: false)
        guard let largest = s.first else { return DenseMatrix.zeros(rows: columns, columns: rows) }
        let cutoff = rcond * largest
        let reciprocals = s.map { $0 > cutoff && $0 > 0 ? 1 / $0 : 0 }
        var scaledVt = vt
        scaledVt.scaleRows(by: reciprocals)
        // (diag(1/σ) Vᵀ)ᵀ · Uᵀ
        return scaledVt.multiplied(by: u, transposingSelf: true, transposingOther: true)
    }

    /// `V · diag(f(λ)) · Vᵀ` for the eigendecomposition of the symmetric `self` and a function
    /// `f` that is non-negative on the spectrum, formed as `W · Wᵀ` with `W = V · diag(√f(λ))`
    /// so that the result is exactly symmetric and positive semidefinite.
    func symmetricSpectralFunction(
        _ f: (Scalar) -> Scalar
    ) throws(LinearAlgebraError) -> DenseMatrix {
        let (values, vectors) = try symmetricEigendecomposition()
        var w = vectors
        w.scaleColumns(by: values.map { f($0).squareRoot() })
        return w.outerGram()
    }

    /// The symmetric positive-semidefinite square root; negative eigenvalues (rounding noise on
    /// a semidefinite input) are clamped to zero.
    func symmetricSquareRoot() throws(LinearAlgebraError) -> DenseMatrix {
        try symmetricSpectralFunction { Swift.max($0, 0).squareRoot() }
    }

    /// `V · diag(1/√max(λ, ε)) · Vᵀ`: eigenvalues below `epsilon` (tiny, zero or negative) are
    /// raised to `epsilon` before the inverse square root.
    func symmetricInverseSquareRoot(epsilon: Scalar) throws(LinearAlgebraError) -> DenseMatrix {
        precondition(epsilon > 0, "symmetricInverseSquareRoot: epsilon must be positive, got \(epsilon)")
        return try symmetricSpectralFunction { 1 / Swift.max($0, epsilon).squareRoot() }
    }
}
