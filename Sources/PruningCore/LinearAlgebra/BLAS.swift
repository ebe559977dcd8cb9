import COpenBLAS

/// Thin, checked wrappers over the system BLAS (OpenBLAS). All pointer work against BLAS lives
/// here.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for one call.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    @inline(__always)
    static func int32(_ value: Int, _ what: StaticString) -> Int32 {
        precondition(value >= 0 && value <= Int(Int32.max), "BLAS: \(what) = \(value) does not fit in a 32-bit BLAS integer")
        return Int32(value)
    }

    /// `C = alpha · op(A) · op(B) + beta · C` for row-major matrices, where `op(A)` is `m × k`
    /// and `op(B)` is `k × n`. A transposed operand is read in place (flag, no copy).
    @inline(__always)
    static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 {
                for r in 0..<m { (c + r * ldc).initialize(repeating: 0, count: n) }
            } else if beta != 1 {
                for r in 0..<m { for j in 0..<n { c[r * ldc + j] *= beta } }
            }
            return
        }
        // A single row or column of C is a matrix–vector product. GEMV reads the matrix once;
        // OpenBLAS's GEMM first packs (copies) it, which dominates a decoding step's products
        // (one token against each weight matrix and the LM head).
        if m == 1 {
            // C[0, j] = Σₗ op(A)[0, l] · op(B)[l, j], that is c = op(B)ᵀ · x with x = row 0 of
            // op(A): a[l], or a[l · lda] when A is stored k × 1.
            if beta == 0 { c.initialize(repeating: 0, count: n) }
            sgemv(
                transpose: !transposeB, rows: transposeB ? n : k, columns: transposeB ? k : n, alpha: alpha,
                a: b, lda: ldb, x: a, xStride: transposeA ? lda : 1, beta: beta == 0 ? 1 : beta, y: c, yStride: 1)
            return
        }
        if n == 1 {
            // C[i, 0] = Σₗ op(A)[i, l] · op(B)[l, 0], that is c = op(A) · x with x = column 0
            // of op(B): b[l · ldb], or b[l] when B is stored 1 × k; C's column has stride ldc.
            if beta == 0 { for i in 0..<m { c[i * ldc] = 0 } }
            sgemv(
                transpose: transposeA, rows: transposeA ? k : m, columns: transposeA ? m : k, alpha: alpha,
                a: a, lda: lda, x: b, xStride: transposeB ? 1 : ldb, beta: beta == 0 ? 1 : beta, y: c, yStride: ldc)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            int32(m, "m"), int32(n, "n"), int32(k, "k"), alpha, a, int32(lda, "lda"), b, int32(ldb, "ldb"),
            beta, c, int32(ldc, "ldc"))
    }

    /// `y = alpha · op(A) · x + beta · y` for a row-major `rows × columns` matrix A, with
    /// vectors of element strides `xStride` and `yStride`.
    @inline(__always)
    static func sgemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, xStride: Int = 1,
        beta: Float = 0, y: UnsafeMutablePointer<Float>, yStride: Int = 1
    ) {
        if rows == 0 || columns == 0 {
            let n = transpose ? columns : rows
            if beta == 0 { for i in 0..<n { y[i * yStride] = 0 } }
            return
        }
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, int32(rows, "rows"), int32(columns, "columns"),
            alpha, a, int32(lda, "lda"), x, int32(xStride, "xStride"), beta, y, int32(yStride, "yStride"))
    }

    /// `C = alpha · op(A) · op(B) + beta · C` in double precision.
    static func dgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        if m == 0 || n == 0 || k == 0 { return }
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            int32(m, "m"), int32(n, "n"), int32(k, "k"), alpha, a, int32(lda, "lda"), b, int32(ldb, "ldb"),
            beta, c, int32(ldc, "ldc"))
    }

    /// Calls `cblas_sgemm` directly on row-major arrays (`c = a · b`, `a` is `m × k`, `b` is
    /// `k × n`). Exposed for benchmarks that compare ``Tensor/matmul(_:transposingSelf:transposingOther:)``
    /// against the bare library call.
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int
    ) {
        sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n)
    }
}
