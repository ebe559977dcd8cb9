@testable import PruningCore
import PruningTestSupport
import Testing

/// Products with a single row or column of output, which `BLAS.sgemm` computes with GEMV.
@Suite struct MatrixVectorProductTests {
    /// `op(A) · op(B)` by loops in double precision, for row-major `a` and `b`.
    private func reference(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = transposeB ? b.shape[0] : b.shape[1]
        let (x, y) = (a.scalars, b.scalars)
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for l in 0..<k {
                    let left = transposeA ? x[l * m + i] : x[i * k + l]
                    let right = transposeB ? y[j * k + l] : y[l * n + j]
                    sum += Double(left) * Double(right)
                }
                c[i * n + j] = Float(sum)
            }
        }
        return Tensor(shape: [m, n], scalars: c)
    }

    @Test("one output row or column: matmul matches loops for every transpose", arguments: [
        // (m, n, k): a row of output, a column of output, and a single element.
        (1, 37, 19), (23, 1, 17), (1, 1, 29), (1, 300, 64),
    ])
    func shapes(sizes: (Int, Int, Int)) {
        let (m, n, k) = sizes
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = testTensor(transposeA ? [k, m] : [m, k], seed: 31)
                let b = testTensor(transposeB ? [n, k] : [k, n], seed: 32)
                // Leave garbage in recycled buffers: the GEMV path must not read the output.
                _ = Tensor(shape: [m, n], scalars: [Float](repeating: .nan, count: m * n))
                expectClose(
                    a.matmul(b, transposingSelf: transposeA, transposingOther: transposeB),
                    reference(a, b, transposeA: transposeA, transposeB: transposeB),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB)")
            }
        }
    }

    @Test("vector–matrix products and a folded batch of one row")
    func vectors() {
        let v = testTensor([12], seed: 33)
        let w = testTensor([7, 12], seed: 34)
        let expected = reference(v.reshaped(to: [1, 12]), w, transposeA: false, transposeB: true).reshaped(to: [7])
        expectClose(v.matmul(w, transposingOther: true), expected, absoluteTolerance: 1e-5)
        expectClose(w.matmul(v), expected, absoluteTolerance: 1e-5)
        // [1, 1, 12] against a shared weight folds to one row.
        expectClose(v.reshaped(to: [1, 1, 12]).matmul(w, transposingOther: true), expected.reshaped(to: [1, 1, 7]), absoluteTolerance: 1e-5)
    }

    @Test("linear on one row accumulates onto the bias")
    func linearOneRow() {
        let x = testTensor([1, 1, 10], seed: 35)
        let w = testTensor([6, 10], seed: 36)
        let b = testTensor([6], seed: 37)
        let expected = reference(x.reshaped(to: [1, 10]), w, transposeA: false, transposeB: true).reshaped(to: [1, 1, 6]) + b
        expectClose(Tensor.linear(x, weight: w, bias: b), expected, absoluteTolerance: 1e-5)
        checkGradients(of: { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }, at: [x, w, b])
    }

    @Test("the BLAS wrapper honours strides, alpha and beta on one row and one column")
    func stridedOperands() {
        // A 3 × 4 block inside a 3 × 6 array (lda 6), against a column inside a 4 × 2 array.
        let a: [Float] = (0..<18).map { Float($0 % 7) - 3 }
        let b: [Float] = (0..<8).map { Float($0) * 0.5 - 1 }
        var c: [Float] = [1, -1, 2, -2, 3, -3]  // a column with stride 2 (ldc 2), beta 0.5
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: 3, n: 1, k: 4, alpha: 2, a: pa.baseAddress!, lda: 6,
                        b: pb.baseAddress!, ldb: 2, beta: 0.5, c: pc.baseAddress!, ldc: 2)
                }
            }
        }
        var expected: [Float] = [1, -1, 2, -2, 3, -3]
        for i in 0..<3 {
            var sum: Float = 0
            for l in 0..<4 { sum += a[i * 6 + l] * b[l * 2] }
            expected[i * 2] = 2 * sum + 0.5 * expected[i * 2]
        }
        expectClose(c, expected)

        // One row of op(A) read down a column of a 4 × 3 array (transposed A, lda 3).
        var row = [Float](repeating: .nan, count: 2)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                row.withUnsafeMutableBufferPointer { pr in
                    BLAS.sgemm(
                        transposeA: true, transposeB: false, m: 1, n: 2, k: 4, a: pa.baseAddress! + 1, lda: 3,
                        b: pb.baseAddress!, ldb: 2, c: pr.baseAddress!, ldc: 2)
                }
            }
        }
        var rowExpected: [Float] = [0, 0]
        for j in 0..<2 {
            for l in 0..<4 { rowExpected[j] += a[l * 3 + 1] * b[l * 2 + j] }
        }
        expectClose(row, rowExpected)
    }
}
