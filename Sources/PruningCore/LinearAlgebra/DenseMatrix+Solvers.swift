import Foundation

/// Linear solvers on ``DenseMatrix``: LU solve (`?gesv`), least squares (`?gelsd`), inverse
/// (`?getrf` + `?getri`) and determinants from the LU factorization. Each works on copies.
extension DenseMatrix {
    /// `X` with `self · X = B` for a square `self`, by LU with partial pivoting.
    func solving(_ b: DenseMatrix) throws(LinearAlgebraError) -> DenseMatrix {
        let routine = Scalar.routine("gesv")
        try requireSquare(routine)
        if b.rows != rows {
            throw .mismatchedRightHandSide(routine: routine, shape: shape, rightHandSideShape: b.shape)
        }
        let (n, nrhs) = (rows, b.columns)
        if n == 0 || nrhs == 0 { return DenseMatrix.zeros(rows: n, columns: nrhs) }
        var a = scalars
        var x = b.scalars
        var pivots = [Int32](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { pa in
            x.withUnsafeMutableBufferPointer { px in
                pivots.withUnsafeMutableBufferPointer { pp in
                    Scalar.gesv(
                        n: lapackInt(n), nrhs: lapackInt(nrhs), a: pa.baseAddress!, lda: leadingDimension(n),
                        ipiv: pp.baseAddress!, b: px.baseAddress!, ldb: leadingDimension(nrhs))
                }
            }
        }
        try LinearAlgebraError.check(info, routine: routine, shape: shape, positive: LinearAlgebraError.singular)
        return DenseMatrix(rows: n, columns: nrhs, scalars: x)
    }

    /// The minimum-norm `X` minimizing `‖self · X − B‖_F`, by the SVD-based `?gelsd`. Singular
    /// values below `rcond · σ_max` count as zero; a negative `rcond` means machine precision.
    func leastSquaresSolution(_ b: DenseMatrix, rcond: Scalar = -1) throws(LinearAlgebraError) -> DenseMatrix {
        let routine = Scalar.routine("gelsd")
        if b.rows != rows {
            throw .mismatchedRightHandSide(routine: routine, shape: shape, rightHandSideShape: b.shape)
        }
        let (m, n, nrhs) = (rows, columns, b.columns)
        if m == 0 || n == 0 || nrhs == 0 { return DenseMatrix.zeros(rows: n, columns: nrhs) }
        // B's buffer must hold max(m, n) rows: the solution is returned in its first n rows.
        var x = [Scalar](repeating: 0, count: Swift.max(m, n) * nrhs)
        for i in 0..<(m * nrhs) { x[i] = b.scalars[i] }
        var a = scalars
        var s = [Scalar](repeating: 0, count: Swift.min(m, n))
        var rank: Int32 = 0
        let info = a.withUnsafeMutableBufferPointer { pa in
            x.withUnsafeMutableBufferPointer { px in
                s.withUnsafeMutableBufferPointer { ps in
                    Scalar.gelsd(
                        m: lapackInt(m), n: lapackInt(n), nrhs: lapackInt(nrhs), a: pa.baseAddress!,
                        lda: leadingDimension(n), b: px.baseAddress!, ldb: leadingDimension(nrhs),
                        s: ps.baseAddress!, rcond: rcond, rank: &rank)
                }
            }
        }
        try LinearAlgebraError.check(info, routine: routine, shape: shape, positive: LinearAlgebraError.noConvergence)
        return DenseMatrix(rows: n, columns: nrhs, scalars: Array(x[0..<(n * nrhs)]))
    }

    /// The LU factorization `P · self = L · U` of a square matrix, packed as LAPACK returns it,
    /// with the 1-based pivot rows, and `singularAt` = LAPACK's positive `info` (the 1-based
    /// index of the first zero on U's diagonal) or `nil`.
    func luFactorization() throws(LinearAlgebraError) -> (lu: [Scalar], pivots: [Int32], singularAt: Int?) {
        let routine = Scalar.routine("getrf")
        try requireSquare(routine)
        let n = rows
        if n == 0 { return ([], [], nil) }
        var a = scalars
        var pivots = [Int32](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { pa in
            pivots.withUnsafeMutableBufferPointer { pp in
                Scalar.getrf(
                    m: lapackInt(n), n: lapackInt(n), a: pa.baseAddress!, lda: leadingDimension(n),
                    ipiv: pp.baseAddress!)
            }
        }
        if info > 0 { return (a, pivots, Int(info)) }
        try LinearAlgebraError.check(info, routine: routine, shape: shape, positive: LinearAlgebraError.singular)
        return (a, pivots, nil)
    }

    /// The inverse of a square matrix, from its LU factorization.
    func inverted() throws(LinearAlgebraError) -> DenseMatrix {
        let n = rows
        let factorization = try luFactorization()
        if let singularAt = factorization.singularAt {
            throw .singular(routine: Scalar.routine("getrf"), shape: shape, info: singularAt)
        }
        if n == 0 { return self }
        var a = factorization.lu
        let pivots = factorization.pivots
        let info = a.withUnsafeMutableBufferPointer { pa in
            pivots.withUnsafeBufferPointer { pp in
                Scalar.getri(n: lapackInt(n), a: pa.baseAddress!, lda: leadingDimension(n), ipiv: pp.baseAddress!)
            }
        }
        try LinearAlgebraError.check(
            info, routine: Scalar.routine("getri"), shape: shape, positive: LinearAlgebraError.singular)
        return DenseMatrix(rows: n, columns: n, scalars: a)
    }

    /// `det(self)`: the signed product of U's diagonal (zero for an exactly singular matrix).
    func determinant() throws(LinearAlgebraError) -> Scalar {
        let (lu, pivots, singularAt) = try luFactorization()
        if singularAt != nil { return 0 }
        let n = rows
        var product: Scalar = 1
        for i in 0..<n {
            product *= lu[i * n + i]
            if Int(pivots[i]) != i + 1 { product = -product }
        }
        return product
    }

    /// `(sign, log|det(self)|)`, accumulated in `Double` so that it stays finite when the
    /// determinant itself over- or underflows; `(0, −∞)` for an exactly singular matrix.
    func signedLogDeterminant() throws(LinearAlgebraError) -> (sign: Scalar, logMagnitude: Scalar) {
        let (lu, pivots, singularAt) = try luFactorization()
        if singularAt != nil { return (0, -.infinity) }
        let n = rows
        var sign: Scalar = 1
        var logMagnitude = 0.0
        for i in 0..<n {
            let diagonal = lu[i * n + i]
            if diagonal < 0 { sign = -sign }
            if Int(pivots[i]) != i + 1 { sign = -sign }
            logMagnitude += Foundation.log(Double(diagonal.magnitude))
        }
        return (sign, Scalar(logMagnitude))
    }
}
