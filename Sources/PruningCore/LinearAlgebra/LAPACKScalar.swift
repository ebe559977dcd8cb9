import COpenBLAS

/// A floating-point type with LAPACKE and CBLAS entry points (`Float` → `s…`, `Double` → `d…`).
///
/// Every LAPACK call uses `LAPACK_ROW_MAJOR`, so leading dimensions are row strides (the number
/// of columns of the stored matrix) and no explicit transposes are needed on this side. The
/// functions return LAPACK's `info` unchanged; callers map it through
/// ``LinearAlgebraError/check(_:routine:shape:positive:)``.
protocol LAPACKScalar: BinaryFloatingPoint, Sendable {
    /// `"s"` or `"d"`, the prefix of LAPACK routine names for this type.
    static var routinePrefix: String { get }

    static func gesdd(
        jobz: CChar, m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
        s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>, ldu: Int32,
        vt: UnsafeMutablePointer<Self>, ldvt: Int32) -> Int32
    static func syevd(
        jobz: CChar, uplo: CChar, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
        w: UnsafeMutablePointer<Self>) -> Int32
    static func potrf(uplo: CChar, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32) -> Int32
    static func geqrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, tau: UnsafeMutablePointer<Self>) -> Int32
    static func orgqr(
        m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
        tau: UnsafePointer<Self>) -> Int32
    static func gesv(
        n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, ipiv: UnsafeMutablePointer<Int32>,
        b: UnsafeMutablePointer<Self>, ldb: Int32) -> Int32
    static func getrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, ipiv: UnsafeMutablePointer<Int32>) -> Int32
    static func getri(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, ipiv: UnsafePointer<Int32>) -> Int32
    static func gelsd(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
        b: UnsafeMutablePointer<Self>, ldb: Int32, s: UnsafeMutablePointer<Self>, rcond: Self,
        rank: UnsafeMutablePointer<Int32>) -> Int32

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major (`op(A)` is `m × k`, `op(B)` is `k × n`).
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// The upper triangle of `C = alpha · A · Aᵀ + beta · C` (`transpose == false`, A is `n × k`)
    /// or `C = alpha · Aᵀ · A + beta · C` (`transpose == true`, A is `k × n`), row-major.
    static func syrkUpper(
        transpose: Bool, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension LAPACKScalar {
    /// The full routine name, for example `"sgesdd"` for `Float` and `routine("gesdd")`.
    static func routine(_ suffix: String) -> String { routinePrefix + suffix }
}

/// A LAPACK character argument such as `"V"` or `"L"`.
@inline(__always)
func lapackCharacter(_ value: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: value)) }

extension Float: LAPACKScalar {
    static var routinePrefix: String { "s" }

    static func gesdd(
        jobz: CChar, m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
        s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, ldu: Int32,
        vt: UnsafeMutablePointer<Float>, ldvt: Int32
    ) -> Int32 {
        LAPACKE_sgesdd(LAPACK_ROW_MAJOR, jobz, m, n, a, lda, s, u, ldu, vt, ldvt)
    }

    static func syevd(
        jobz: CChar, uplo: CChar, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
        w: UnsafeMutablePointer<Float>
    ) -> Int32 {
        LAPACKE_ssyevd(LAPACK_ROW_MAJOR, jobz, uplo, n, a, lda, w)
    }

    static func potrf(uplo: CChar, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32) -> Int32 {
        LAPACKE_spotrf(LAPACK_ROW_MAJOR, uplo, n, a, lda)
    }

    static func geqrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, tau: UnsafeMutablePointer<Float>
    ) -> Int32 {
        LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, m, n, a, lda, tau)
    }

    static func orgqr(
        m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, tau: UnsafePointer<Float>
    ) -> Int32 {
        LAPACKE_sorgqr(LAPACK_ROW_MAJOR, m, n, k, a, lda, tau)
    }

    static func gesv(
        n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, ipiv: UnsafeMutablePointer<Int32>,
        b: UnsafeMutablePointer<Float>, ldb: Int32
    ) -> Int32 {
        LAPACKE_sgesv(LAPACK_ROW_MAJOR, n, nrhs, a, lda, ipiv, b, ldb)
    }

    static func getrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, ipiv: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        LAPACKE_sgetrf(LAPACK_ROW_MAJOR, m, n, a, lda, ipiv)
    }

    static func getri(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_sgetri(LAPACK_ROW_MAJOR, n, a, lda, ipiv)
    }

    static func gelsd(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
        b: UnsafeMutablePointer<Float>, ldb: Int32, s: UnsafeMutablePointer<Float>, rcond: Float,
        rank: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        LAPACKE_sgelsd(LAPACK_ROW_MAJOR, m, n, nrhs, a, lda, b, ldb, s, rcond, rank)
    }

    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BLAS.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    static func syrkUpper(
        transpose: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if n == 0 || k == 0 { return }
        cblas_ssyrk(
            CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans,
            BLAS.int32(n, "n"), BLAS.int32(k, "k"), alpha, a, BLAS.int32(lda, "lda"),
            beta, c, BLAS.int32(ldc, "ldc"))
    }
}

extension Double: LAPACKScalar {
    static var routinePrefix: String { "d" }

    static func gesdd(
        jobz: CChar, m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
        s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, ldu: Int32,
        vt: UnsafeMutablePointer<Double>, ldvt: Int32
    ) -> Int32 {
        LAPACKE_dgesdd(LAPACK_ROW_MAJOR, jobz, m, n, a, lda, s, u, ldu, vt, ldvt)
    }

    static func syevd(
        jobz: CChar, uplo: CChar, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
        w: UnsafeMutablePointer<Double>
    ) -> Int32 {
        LAPACKE_dsyevd(LAPACK_ROW_MAJOR, jobz, uplo, n, a, lda, w)
    }

    static func potrf(uplo: CChar, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
        LAPACKE_dpotrf(LAPACK_ROW_MAJOR, uplo, n, a, lda)
    }

    static func geqrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, tau: UnsafeMutablePointer<Double>
    ) -> Int32 {
        LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, m, n, a, lda, tau)
    }

    static func orgqr(
        m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, tau: UnsafePointer<Double>
    ) -> Int32 {
        LAPACKE_dorgqr(LAPACK_ROW_MAJOR, m, n, k, a, lda, tau)
    }

    static func gesv(
        n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, ipiv: UnsafeMutablePointer<Int32>,
        b: UnsafeMutablePointer<Double>, ldb: Int32
    ) -> Int32 {
        LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, nrhs, a, lda, ipiv, b, ldb)
    }

    static func getrf(
        m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, ipiv: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        LAPACKE_dgetrf(LAPACK_ROW_MAJOR, m, n, a, lda, ipiv)
    }

    static func getri(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_dgetri(LAPACK_ROW_MAJOR, n, a, lda, ipiv)
    }

    static func gelsd(
        m: Int32, n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
        b: UnsafeMutablePointer<Double>, ldb: Int32, s: UnsafeMutablePointer<Double>, rcond: Double,
        rank: UnsafeMutablePointer<Int32>
    ) -> Int32 {
        LAPACKE_dgelsd(LAPACK_ROW_MAJOR, m, n, nrhs, a, lda, b, ldb, s, rcond, rank)
    }

    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        BLAS.dgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    static func syrkUpper(
        transpose: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        if n == 0 || k == 0 { return }
        cblas_dsyrk(
            CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans,
            BLAS.int32(n, "n"), BLAS.int32(k, "k"), alpha, a, BLAS.int32(lda, "lda"),
            beta, c, BLAS.int32(ldc, "ldc"))
    }
}
