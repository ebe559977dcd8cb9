/// Factorizations on ``DenseMatrix``: SVD (`?gesdd`), symmetric eigendecomposition (`?syevd`),
/// Cholesky (`?potrf`) and QR (`?geqrf` + `?orgqr`). Each works on a copy of `self`.
extension DenseMatrix {
    /// `self = U · diag(s) · Vᵀ` with `s` descending. Thin: `U` is `m × k`, `Vᵀ` is `k × n`
    /// (`k = min(m, n)`); full: `U` is `m × m`, `Vᵀ` is `n × n`.
    func singularValueDecomposition(
        full: Bool
    ) throws(LinearAlgebraError) -> (u: DenseMatrix, s: [Scalar], vt: DenseMatrix) {
        let routine = Scalar.routine("gesdd")
        let (m, n) = (rows, columns)
        let k = Swift.min(m, n)
        let uColumns = full ? m : k
        let vtRows = full ? n : k
        if k == 0 {
            // No singular values; the full factors of an empty product are identities.
            let u = full ? DenseMatrix.identity(m) : DenseMatrix.zeros(rows: m, columns: 0)
            let vt = full ? DenseMatrix.identity(n) : DenseMatrix.zeros(rows: 0, columns: n)
            return (u, [], vt)
        }
        var a = scalars
        var s = [Scalar](repeating: 0, count: k)
        var u = [Scalar](repeating: 0, count: m * uColumns)
        var vt = [Scalar](repeating: 0, count: vtRows * n)
        let info = a.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.withUnsafeMutableBufferPointer { pu in
                    vt.withUnsafeMutableBufferPointer { pvt in
                        Scalar.gesdd(
                            jobz: lapackCharacter(full ? "A" : "S"), m: lapackInt(m), n: lapackInt(n),
                            a: pa.baseAddress!, lda: leadingDimension(n), s: ps.baseAddress!,
                            u: pu.baseAddress!, ldu: leadingDimension(uColumns),
                            vt: pvt.baseAddress!, ldvt: leadingDimension(n))
                    }
                }
            }
        }
        try LinearAlgebraError.check(info, routine: routine, shape: shape, positive: LinearAlgebraError.noConvergence)
        return (
            DenseMatrix(rows: m, columns: uColumns, scalars: u), s,
            DenseMatrix(rows: vtRows, columns: n, scalars: vt))
    }

    /// Eigenvalues ascending and the matching orthonormal eigenvectors as columns, reading only
    /// the lower triangle of `self`.
    func symmetricEigendecomposition() throws(LinearAlgebraError) -> (values: [Scalar], vectors: DenseMatrix) {
        let routine = Scalar.routine("syevd")
        try requireSquare(routine)
        let n = rows
        if n == 0 { return ([], self) }
        var a = scalars
        var w = [Scalar](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                Scalar.syevd(
                    jobz: lapackCharacter("V"), uplo: lapackCharacter("L"), n: lapackInt(n),
                    a: pa.baseAddress!, lda: leadingDimension(n), w: pw.baseAddress!)
            }
        }
        try LinearAlgebraError.check(info, routine: routine, shape: shape, positive: LinearAlgebraError.noConvergence)
        return (w, DenseMatrix(rows: n, columns: n, scalars: a))
    }

    /// The lower-triangular `L` with `self = L · Lᵀ` (upper triangle zeroed), reading only the
    /// lower triangle of `self`.
    func choleskyFactor() throws(LinearAlgebraError) -> DenseMatrix {
        let routine = Scalar.routine("potrf")
        try requireSquare(routine)
        let n = rows
        if n == 0 { return self }
        var a = scalars
        let info = a.withUnsafeMutableBufferPointer { pa in
            Scalar.potrf(uplo: lapackCharacter("L"), n: lapackInt(n), a: pa.baseAddress!, lda: leadingDimension(n))
        }
        try LinearAlgebraError.check(
            info, routine: routine, shape: shape, positive: LinearAlgebraError.notPositiveDefinite)
        a.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                for j in (i + 1)..<n { p[i * n + j] = 0 }
            }
        }
        return DenseMatrix(rows: n, columns: n, scalars: a)
    }

    /// The thin QR factorization: `Q` is `m × k` with orthonormal columns, `R` is `k × n` upper
    /// triangular (trapezoidal when `m < n`), `k = min(m, n)`.
    func qrDecomposition() throws(LinearAlgebraError) -> (q: DenseMatrix, r: DenseMatrix) {
        let (m, n) = (rows, columns)
        let k = Swift.min(m, n)
        if k == 0 {
            return (DenseMatrix.zeros(rows: m, columns: 0), DenseMatrix.zeros(rows: 0, columns: n))
        }
        var a = scalars
        var tau = [Scalar](repeating: 0, count: k)
        let factorInfo = a.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in
                Scalar.geqrf(
                    m: lapackInt(m), n: lapackInt(n), a: pa.baseAddress!, lda: leadingDimension(n),
                    tau: pt.baseAddress!)
            }
        }
        try LinearAlgebraError.check(
            factorInfo, routine: Scalar.routine("geqrf"), shape: shape, positive: LinearAlgebraError.noConvergence)

        // R is the upper triangle of the first k rows.
        var r = [Scalar](repeating: 0, count: k * n)
        for i in 0..<k {
            for j in i..<n { r[i * n + j] = a[i * n + j] }
        }
        // Q from the reflectors stored below the diagonal of the first k columns (lda stays n).
        let formInfo = a.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeBufferPointer { pt in
                Scalar.orgqr(
                    m: lapackInt(m), n: lapackInt(k), k: lapackInt(k), a: pa.baseAddress!,
                    lda: leadingDimension(n), tau: pt.baseAddress!)
            }
        }
        try LinearAlgebraError.check(
            formInfo, routine: Scalar.routine("orgqr"), shape: shape, positive: LinearAlgebraError.noConvergence)
        let q = DenseMatrix(rows: m, columns: n, scalars: a).block(rows: 0..<m, columns: 0..<k)
        return (q, DenseMatrix(rows: k, columns: n, scalars: r))
    }
}
