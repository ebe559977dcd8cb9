/// A row-major matrix of `Float` or `Double`, the common working form of every decomposition in
/// ``LinearAlgebra``: `Tensor` inputs are copied into a `DenseMatrix<Float>`, ``Matrix64`` inputs
/// share their storage with a `DenseMatrix<Double>` (copy-on-write), and LAPACK works on a
/// private copy, so inputs are never overwritten.
struct DenseMatrix<Scalar: LAPACKScalar> {
    var rows: Int
    var columns: Int
    /// The elements in row-major order: element `(i, j)` is at `i * columns + j`.
    var scalars: [Scalar]

    init(rows: Int, columns: Int, scalars: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "DenseMatrix: negative shape \(rows)×\(columns)")
        precondition(
            scalars.count == rows * columns,
            "DenseMatrix: a \(rows)×\(columns) matrix needs \(rows * columns) scalars, got \(scalars.count)")
        self.rows = rows
        self.columns = columns
        self.scalars = scalars
    }

    /// The shape as `[rows, columns]`, as reported in errors.
    var shape: [Int] { [rows, columns] }

    var isSquare: Bool { rows == columns }

    static func zeros(rows: Int, columns: Int) -> DenseMatrix {
        DenseMatrix(rows: rows, columns: columns, scalars: [Scalar](repeating: 0, count: rows * columns))
    }

    static func identity(_ n: Int) -> DenseMatrix {
        var result = zeros(rows: n, columns: n)
        for i in 0..<n { result.scalars[i * n + i] = 1 }
        return result
    }

    /// The transpose, materialized.
    func transposed() -> DenseMatrix {
        var result = [Scalar](repeating: 0, count: scalars.count)
        let (m, n) = (rows, columns)
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for i in 0..<m {
                    for j in 0..<n { target[j * m + i] = source[i * n + j] }
                }
            }
        }
        return DenseMatrix(rows: n, columns: m, scalars: result)
    }

    /// `op(self) · op(other)` through GEMM.
    func multiplied(
        by other: DenseMatrix, transposingSelf: Bool = false, transposingOther: Bool = false
    ) -> DenseMatrix {
        let (m, k) = transposingSelf ? (columns, rows) : (rows, columns)
        let (k2, n) = transposingOther ? (other.columns, other.rows) : (other.rows, other.columns)
        precondition(
            k == k2,
            "matmul: inner dimensions differ: \(shape)\(transposingSelf ? "ᵀ" : "") · "
                + "\(other.shape)\(transposingOther ? "ᵀ" : "")")
        var result = DenseMatrix.zeros(rows: m, columns: n)
        if m == 0 || n == 0 || k == 0 { return result }
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.scalars.withUnsafeMutableBufferPointer { c in
                    Scalar.gemm(
                        transposeA: transposingSelf, transposeB: transposingOther, m: m, n: n, k: k,
                        alpha: 1, a: a.baseAddress!, lda: columns, b: b.baseAddress!, ldb: other.columns,
                        beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return result
    }

    /// `self · selfᵀ` through SYRK, with the lower triangle mirrored from the upper one, so the
    /// result is exactly symmetric.
    func outerGram() -> DenseMatrix {
        let (n, k) = (rows, columns)
        var result = DenseMatrix.zeros(rows: n, columns: n)
        if n == 0 || k == 0 { return result }
        scalars.withUnsafeBufferPointer { a in
            result.scalars.withUnsafeMutableBufferPointer { c in
                Scalar.syrkUpper(
                    transpose: false, n: n, k: k, alpha: 1, a: a.baseAddress!, lda: k,
                    beta: 0, c: c.baseAddress!, ldc: n)
                for i in 0..<n {
                    for j in (i + 1)..<n { c[j * n + i] = c[i * n + j] }
                }
            }
        }
        return result
    }

    /// The rectangular block of rows `rowRange` and columns `columnRange`.
    func block(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> DenseMatrix {
        var result = [Scalar]()
        result.reserveCapacity(rowRange.count * columnRange.count)
        for i in rowRange {
            result.append(contentsOf: scalars[(i * columns + columnRange.lowerBound)..<(i * columns + columnRange.upperBound)])
        }
        return DenseMatrix(rows: rowRange.count, columns: columnRange.count, scalars: result)
    }

    /// Multiplies column `j` by `factors[j]` in place.
    mutating func scaleColumns(by factors: [Scalar]) {
        precondition(factors.count == columns, "scaleColumns: \(factors.count) factors for \(columns) columns")
        let (m, n) = (rows, columns)
        scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<m {
                for j in 0..<n { p[i * n + j] *= factors[j] }
            }
        }
    }

    /// Multiplies row `i` by `factors[i]` in place.
    mutating func scaleRows(by factors: [Scalar]) {
        precondition(factors.count == rows, "scaleRows: \(factors.count) factors for \(rows) rows")
        let (m, n) = (rows, columns)
        scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<m {
                let factor = factors[i]
                for j in 0..<n { p[i * n + j] *= factor }
            }
        }
    }

    /// Throws ``LinearAlgebraError/notSquare(routine:shape:)`` unless the matrix is square.
    func requireSquare(_ routine: String) throws(LinearAlgebraError) {
        if !isSquare { throw .notSquare(routine: routine, shape: shape) }
    }
}

/// A dimension as a LAPACK integer (trapping if it does not fit in 32 bits).
@inline(__always)
func lapackInt(_ value: Int) -> Int32 { BLAS.int32(value, "LAPACK dimension") }

/// A leading dimension as a LAPACK integer: at least 1, as LAPACK requires even for empty
/// matrices.
@inline(__always)
func leadingDimension(_ value: Int) -> Int32 { BLAS.int32(Swift.max(1, value), "LAPACK leading dimension") }
