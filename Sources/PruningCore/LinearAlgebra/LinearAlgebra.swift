/// Dense linear algebra over LAPACK (through LAPACKE), for analysis and compression: SVD,
/// symmetric eigendecomposition, Cholesky, QR, linear and least-squares solves, inverses,
/// pseudo-inverses and symmetric matrix square roots.
///
/// Each function has a single-precision form on 2-D ``Tensor``s (LAPACK's `s…` routines) and a
/// double-precision form on ``Matrix64`` (the `d…` routines).
///
/// ## Conventions
///
/// - **Row-major.** Matrices are `[rows, columns]` in row-major order, as everywhere in this
///   package; LAPACK is called with `LAPACK_ROW_MAJOR`, so results need no transposes.
/// - **Inputs are never modified.** LAPACK overwrites its arguments; every function hands it a
///   private copy.
/// - **Thin vs full.** ``svd(_:full:)-(Tensor,Bool)`` and ``qr(_:)-(Tensor)`` return thin factors
///   by default: for an `m × n` matrix and `k = min(m, n)`, `U` is `m × k`, `s` has `k`
///   entries and `Vᵀ` is `k × n`. The full SVD gives a square `U` (`m × m`) and `Vᵀ`
///   (`n × n`).
/// - **Ordering.** Singular values are descending; symmetric eigenvalues are ascending, with
///   the eigenvectors as the *columns* of the returned matrix.
/// - **Symmetric inputs.** Functions for symmetric matrices (eigendecomposition, Cholesky, the
///   square roots) read only the lower triangle and assume the upper one mirrors it.
/// - **Not differentiable.** Results are new tensors with no gradient node: a tensor that
///   requires a gradient is read as a constant (as if ``Tensor/detached()`` had been called)
///   and no gradient flows back through any of these functions, the SVD included.
/// - **Errors.** Numerical failures and shape problems throw ``LinearAlgebraError``, naming
///   the LAPACK routine, the matrix shape and LAPACK's `info` code.
///
/// ```swift
/// let (u, s, vt) = try LinearAlgebra.svd(weight)          // weight: [out, in]
/// let whitening = try LinearAlgebra.symmetricInverseSquareRoot(covariance)
/// ```
public enum LinearAlgebra {
    /// The singular value decomposition `A = U · diag(s) · Vᵀ` (`sgesdd`, divide and conquer).
    ///
    /// - Parameters:
    ///   - a: A matrix of shape `[m, n]`.
    ///   - full: Whether to return the full factors: `u` `[m, m]` and `vt` `[n, n]`. By default
    ///     the thin factors: `u` `[m, k]` and `vt` `[k, n]` with `k = min(m, n)`.
    /// - Returns: `u` with orthonormal columns, the singular values `s` (`[k]`, descending,
    ///   non-negative) and `vt` with orthonormal rows. Singular vectors are unique only up to
    ///   sign (and rotation within repeated singular values).
    /// - Throws: ``LinearAlgebraError/notAMatrix(routine:shape:)``,
    ///   ``LinearAlgebraError/noConvergence(routine:shape:info:)``.
    public static func svd(
        _ a: Tensor, full: Bool = false
    ) throws(LinearAlgebraError) -> (u: Tensor, s: Tensor, vt: Tensor) {
        let (u, s, vt) = try DenseMatrix(a, routine: "sgesdd").singularValueDecomposition(full: full)
        return (u.tensor, Tensor(s), vt.tensor)
    }

    /// The eigendecomposition `A = V · diag(λ) · Vᵀ` of a symmetric matrix (`ssyevd`).
    ///
    /// Only the lower triangle of `a` is read.
    ///
    /// - Parameter a: A symmetric matrix of shape `[n, n]`.
    /// - Returns: The eigenvalues `[n]` in ascending order and the orthonormal eigenvectors as
    ///   the columns of `vectors` (`[n, n]`): `A · vectors[:, j] = values[j] · vectors[:, j]`.
    /// - Throws: ``LinearAlgebraError/notSquare(routine:shape:)``,
    ///   ``LinearAlgebraError/noConvergence(routine:shape:info:)``.
    public static func symmetricEigen(_ a: Tensor) throws(LinearAlgebraError) -> (values: Tensor, vectors: Tensor) {
        let (values, vectors) = try DenseMatrix(a, routine: "ssyevd").symmetricEigendecomposition()
        return (Tensor(values), vectors.tensor)
    }

    /// The Cholesky factor `L` of a symmetric positive-definite matrix: `A = L · Lᵀ` (`spotrf`).
    ///
    /// Only the lower triangle of `a` is read.
    ///
    /// - Returns: The lower-triangular `[n, n]` factor, with its strict upper triangle zero.
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(routine:shape:info:)`` (with `info`
    ///   the order of the first non-positive leading minor),
    ///   ``LinearAlgebraError/notSquare(routine:shape:)``.
    public static func cholesky(_ a: Tensor) throws(LinearAlgebraError) -> Tensor {
        try DenseMatrix(a, routine: "spotrf").choleskyFactor().tensor
    }

    /// The thin QR decomposition `A = Q · R` (`sgeqrf` + `sorgqr`).
    ///
    /// - Parameter a: A matrix of shape `[m, n]`; let `k = min(m, n)`.
    /// - Returns: `q` `[m, k]` with orthonormal columns and the upper-triangular (trapezoidal
    ///   when `m < n`) `r` `[k, n]`. The diagonal of `r` may be negative.
    public static func qr(_ a: Tensor) throws(LinearAlgebraError) -> (q: Tensor, r: Tensor) {
        let (q, r) = try DenseMatrix(a, routine: "sgeqrf").qrDecomposition()
        return (q.tensor, r.tensor)
    }

    /// The solution `X` of `A · X = B` for a square `A`, by LU with partial pivoting (`sgesv`).
    ///
    /// - Parameters:
    ///   - a: A square matrix `[n, n]`.
    ///   - b: The right-hand side: a vector `[n]` or a matrix `[n, r]`.
    /// - Returns: `X`, shaped like `b`.
    /// - Throws: ``LinearAlgebraError/singular(routine:shape:info:)`` when `A` is exactly
    ///   singular, ``LinearAlgebraError/notSquare(routine:shape:)``,
    ///   ``LinearAlgebraError/mismatchedRightHandSide(routine:shape:rightHandSideShape:)``.
    public static func solve(_ a: Tensor, _ b: Tensor) throws(LinearAlgebraError) -> Tensor {
        let routine = "sgesv"
        let matrix = try DenseMatrix(a, routine: routine)
        let rightHandSide = try DenseMatrix(rightHandSide: b, for: matrix, routine: routine)
        return try matrix.solving(rightHandSide).tensor(shapedLike: b)
    }

    /// The minimum-norm least-squares solution `X = argmin ‖A · X − B‖` (`sgelsd`, SVD based),
    /// which also handles rank-deficient and underdetermined systems.
    ///
    /// - Parameters:
    ///   - a: A matrix `[m, n]`.
    ///   - b: The right-hand side: a vector `[m]` or a matrix `[m, r]`.
    ///   - rcond: Singular values `≤ rcond · σ_max` are treated as zero; `nil` means
    ///     `max(m, n) · ε`.
    /// - Returns: `X` of shape `[n]` or `[n, r]`, following `b`.
    public static func leastSquares(
        _ a: Tensor, _ b: Tensor, rcond: Float? = nil
    ) throws(LinearAlgebraError) -> Tensor {
        let routine = "sgelsd"
        let matrix = try DenseMatrix(a, routine: routine)
        let rightHandSide = try DenseMatrix(rightHandSide: b, for: matrix, routine: routine)
        return try matrix.leastSquaresSolution(rightHandSide, rcond: rcond ?? matrix.defaultRelativeCutoff)
            .tensor(shapedLike: b)
    }

    /// The inverse of a square matrix (`sgetrf` + `sgetri`).
    ///
    /// Prefer ``solve(_:_:)-(Tensor,Tensor)`` to multiplying by an inverse.
    ///
    /// - Throws: ``LinearAlgebraError/singular(routine:shape:info:)``,
    ///   ``LinearAlgebraError/notSquare(routine:shape:)``.
    public static func inverse(_ a: Tensor) throws(LinearAlgebraError) -> Tensor {
        try DenseMatrix(a, routine: "sgetri").inverted().tensor
    }

    /// The Moore–Penrose pseudo-inverse `A⁺ = V · diag(1/σ) · Uᵀ` (`[n, m]` for `A` `[m, n]`),
    /// from the thin SVD.
    ///
    /// - Parameters:
    ///   - a: the `m × n` matrix.
    ///   - rcond: Singular values `≤ rcond · σ_max` are treated as zero (their
    ///     reciprocal is replaced by 0); `nil` means `max(m, n) · ε`.
    public static func pseudoInverse(_ a: Tensor, rcond: Float? = nil) throws(LinearAlgebraError) -> Tensor {
        let matrix = try DenseMatrix(a, routine: "sgesdd")
        return try matrix.pseudoInverse(rcond: rcond ?? matrix.defaultRelativeCutoff).tensor
    }

    /// The symmetric positive-semidefinite square root `A^{1/2} = V · diag(√λ) · Vᵀ` of a
    /// symmetric positive-semidefinite matrix, from its eigendecomposition (`ssyevd`).
    ///
    /// Negative eigenvalues — rounding noise on a semidefinite input — are clamped to zero.
    /// Only the lower triangle of `a` is read; the result is exactly symmetric.
    public static func symmetricSquareRoot(_ a: Tensor) throws(LinearAlgebraError) -> Tensor {
        try DenseMatrix(a, routine: "ssyevd").symmetricSquareRoot().tensor
    }

    /// The inverse symmetric square root `V · diag(1/√max(λ, ε)) · Vᵀ` of a symmetric matrix,
    /// from its eigendecomposition (`ssyevd`), as used for whitening.
    ///
    /// Eigenvalues below `epsilon` (tiny, zero or negative) are raised to `epsilon`, so the
    /// result is finite on semidefinite inputs; for a positive-definite `A` whose smallest
    /// eigenvalue exceeds `epsilon` it is exactly `A^{-1/2}`. Only the lower triangle of `a`
    /// is read; the result is exactly symmetric.
    ///
    /// - Parameters:
    ///   - a: the symmetric matrix (only its lower triangle is read).
    ///   - epsilon: The absolute eigenvalue floor; must be positive.
    public static func symmetricInverseSquareRoot(
        _ a: Tensor, epsilon: Float = 1e-6
    ) throws(LinearAlgebraError) -> Tensor {
        try DenseMatrix(a, routine: "ssyevd").symmetricInverseSquareRoot(epsilon: epsilon).tensor
    }

    /// The determinant of a square matrix, from its LU factorization (`sgetrf`); 0 when the
    /// matrix is exactly singular. May over- or underflow for large matrices: see
    /// ``logDeterminant(_:)-(Tensor)``.
    public static func determinant(_ a: Tensor) throws(LinearAlgebraError) -> Float {
        try DenseMatrix(a, routine: "sgetrf").determinant()
    }

    /// The sign and natural logarithm of the absolute determinant, `det A = sign · exp(logMagnitude)`,
    /// from the LU factorization (`sgetrf`); `(0, −∞)` when the matrix is exactly singular.
    public static func logDeterminant(_ a: Tensor) throws(LinearAlgebraError) -> (sign: Float, logMagnitude: Float) {
        try DenseMatrix(a, routine: "sgetrf").signedLogDeterminant()
    }
}

extension DenseMatrix where Scalar == Float {
    /// A copy of a 2-D tensor's values; throws ``LinearAlgebraError/notAMatrix(routine:shape:)``
    /// for any other rank.
    init(_ tensor: Tensor, routine: String) throws(LinearAlgebraError) {
        guard tensor.rank == 2 else { throw .notAMatrix(routine: routine, shape: tensor.shape) }
        self.init(rows: tensor.shape[0], columns: tensor.shape[1], scalars: tensor.scalars)
    }

    /// A right-hand side for `matrix`: a vector `[m]` becomes an `m × 1` matrix.
    init(rightHandSide b: Tensor, for matrix: DenseMatrix, routine: String) throws(LinearAlgebraError) {
        guard (b.rank == 1 || b.rank == 2), b.shape[0] == matrix.rows else {
            throw .mismatchedRightHandSide(routine: routine, shape: matrix.shape, rightHandSideShape: b.shape)
        }
        self.init(rows: b.shape[0], columns: b.rank == 1 ? 1 : b.shape[1], scalars: b.scalars)
    }

    /// The values as a new 2-D tensor.
    var tensor: Tensor { Tensor(shape: shape, scalars: scalars) }

    /// A solution matrix as a tensor: a vector when the right-hand side `b` was a vector.
    func tensor(shapedLike b: Tensor) -> Tensor {
        b.rank == 1 ? Tensor(shape: [rows], scalars: scalars) : tensor
    }
}
