/// The double-precision forms of ``LinearAlgebra`` on ``Matrix64`` (LAPACK's `d…` routines).
///
/// Conventions are those of ``LinearAlgebra``: row-major, thin factors by default, singular
/// values descending, eigenvalues ascending with eigenvectors as columns, only the lower triangle
/// of symmetric inputs read, inputs never modified.
extension LinearAlgebra {
    /// The singular value decomposition `A = U · diag(s) · Vᵀ` (`dgesdd`).
    ///
    /// - Parameters:
    ///   - a: the `m × n` matrix.
    ///   - full: Whether `u` is `m × m` and `vt` `n × n`; by default the thin factors,
    ///     `u` `m × k` and `vt` `k × n` with `k = min(m, n)`.
    /// - Returns: `u` with orthonormal columns, the `k` singular values in descending order and
    ///   `vt` with orthonormal rows.
    /// - Throws: ``LinearAlgebraError/noConvergence(routine:shape:info:)``.
    public static func svd(
        _ a: Matrix64, full: Bool = false
    ) throws(LinearAlgebraError) -> (u: Matrix64, s: [Double], vt: Matrix64) {
        let (u, s, vt) = try a.dense.singularValueDecomposition(full: full)
        return (Matrix64(u), s, Matrix64(vt))
    }

    /// The eigendecomposition of a symmetric matrix (`dsyevd`), reading its lower triangle.
    ///
    /// - Returns: The eigenvalues in ascending order and the orthonormal eigenvectors as the
    ///   columns of `vectors`.
    /// - Throws: ``LinearAlgebraError/notSquare(routine:shape:)``,
    ///   ``LinearAlgebraError/noConvergence(routine:shape:info:)``.
    public static func symmetricEigen(_ a: Matrix64) throws(LinearAlgebraError) -> (values: [Double], vectors: Matrix64) {
        let (values, vectors) = try a.dense.symmetricEigendecomposition()
        return (values, Matrix64(vectors))
    }

    /// The lower Cholesky factor `L` with `A = L · Lᵀ` (`dpotrf`), strict upper triangle zero.
    ///
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(routine:shape:info:)``,
    ///   ``LinearAlgebraError/notSquare(routine:shape:)``.
    public static func cholesky(_ a: Matrix64) throws(LinearAlgebraError) -> Matrix64 {
        Matrix64(try a.dense.choleskyFactor())
    }

    /// The thin QR decomposition (`dgeqrf` + `dorgqr`): `q` `m × k` with orthonormal columns,
    /// `r` `k × n` upper triangular, `k = min(m, n)`.
    public static func qr(_ a: Matrix64) throws(LinearAlgebraError) -> (q: Matrix64, r: Matrix64) {
        let (q, r) = try a.dense.qrDecomposition()
        return (Matrix64(q), Matrix64(r))
    }

    /// The solution `X` (`n × r`) of `A · X = B` for a square `A` (`dgesv`).
    ///
    /// - Throws: ``LinearAlgebraError/singular(routine:shape:info:)``,
    ///   ``LinearAlgebraError/notSquare(routine:shape:)``,
    ///   ``LinearAlgebraError/mismatchedRightHandSide(routine:shape:rightHandSideShape:)``.
    public static func solve(_ a: Matrix64, _ b: Matrix64) throws(LinearAlgebraError) -> Matrix64 {
        Matrix64(try a.dense.solving(b.dense))
    }

    /// The solution `x` of `A · x = b` for a square `A` and a vector `b` (`dgesv`).
    ///
    /// - Throws: As ``solve(_:_:)-(Matrix64,Matrix64)``.
    public static func solve(_ a: Matrix64, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try a.dense.solving(DenseMatrix(rows: b.count, columns: 1, scalars: b)).scalars
    }

    /// The minimum-norm least-squares solution `X = argmin ‖A · X − B‖` (`dgelsd`).
    ///
    /// - Parameters:
    ///   - a: the `m × n` matrix.
    ///   - b: the right-hand sides, `m × k`.
    ///   - rcond: Singular values `≤ rcond · σ_max` count as zero; `nil` means
    ///     `max(m, n) · ε`.
    /// - Throws: ``LinearAlgebraError/mismatchedRightHandSide(routine:shape:rightHandSideShape:)``,
    ///   ``LinearAlgebraError/noConvergence(routine:shape:info:)``.
    public static func leastSquares(
        _ a: Matrix64, _ b: Matrix64, rcond: Double? = nil
    ) throws(LinearAlgebraError) -> Matrix64 {
        let matrix = a.dense
        return Matrix64(try matrix.leastSquaresSolution(b.dense, rcond: rcond ?? matrix.defaultRelativeCutoff))
    }

    /// The inverse of a square matrix (`dgetrf` + `dgetri`).
    ///
    /// - Throws: ``LinearAlgebraError/singular(routine:shape:info:)``,
    ///   ``LinearAlgebraError/notSquare(routine:shape:)``.
    public static func inverse(_ a: Matrix64) throws(LinearAlgebraError) -> Matrix64 {
        Matrix64(try a.dense.inverted())
    }

    /// The Moore–Penrose pseudo-inverse (`n × m`) from the thin SVD (`dgesdd`).
    ///
    /// - Parameters:
    ///   - a: the `m × n` matrix.
    ///   - rcond: Singular values `≤ rcond · σ_max` are treated as zero; `nil` means
    ///     `max(m, n) · ε`.
    public static func pseudoInverse(_ a: Matrix64, rcond: Double? = nil) throws(LinearAlgebraError) -> Matrix64 {
        let matrix = a.dense
        return Matrix64(try matrix.pseudoInverse(rcond: rcond ?? matrix.defaultRelativeCutoff))
    }

    /// The symmetric positive-semidefinite square root `V · diag(√max(λ, 0)) · Vᵀ` (`dsyevd`);
    /// negative eigenvalues are clamped to zero.
    public static func symmetricSquareRoot(_ a: Matrix64) throws(LinearAlgebraError) -> Matrix64 {
        Matrix64(try a.dense.symmetricSquareRoot())
    }

    /// The inverse symmetric square root `V · diag(1/√max(λ, ε)) · Vᵀ` (`dsyevd`): eigenvalues
    /// below `epsilon` are raised to `epsilon`.
    ///
    /// - Parameters:
    ///   - a: the symmetric matrix (only its lower triangle is read).
    ///   - epsilon: The absolute eigenvalue floor; must be positive.
    public static func symmetricInverseSquareRoot(
        _ a: Matrix64, epsilon: Double = 1e-12
    ) throws(LinearAlgebraError) -> Matrix64 {
        Matrix64(try a.dense.symmetricInverseSquareRoot(epsilon: epsilon))
    }

    /// The determinant from the LU factorization (`dgetrf`); 0 when exactly singular.
    public static func determinant(_ a: Matrix64) throws(LinearAlgebraError) -> Double {
        try a.dense.determinant()
    }

    /// `(sign, log|det A|)` from the LU factorization (`dgetrf`); `(0, −∞)` when exactly
    /// singular.
    public static func logDeterminant(_ a: Matrix64) throws(LinearAlgebraError) -> (sign: Double, logMagnitude: Double) {
        try a.dense.signedLogDeterminant()
    }
}
