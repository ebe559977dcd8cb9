@testable import PruningCore
import PruningTestSupport
import Testing

/// Double-precision matrices and decompositions. Inputs have entries of order 1 and at most
/// 40 rows, so identities hold to about 1e-13; the tolerances below are 1e-10 absolute unless
/// stated.
@Suite struct Matrix64Tests {
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix64 {
        Matrix64(testTensor([rows, columns], seed: seed))
    }

    /// A well-conditioned symmetric positive-definite matrix `B·Bᵀ + n·I`.
    static func symmetricPositiveDefinite(_ n: Int, seed: UInt64) -> Matrix64 {
        let b = matrix(n, n, seed: seed)
        return b.matmul(b, transposingOther: true) + Double(n) * Matrix64.identity(n)
    }

    /// `a · b` by the textbook triple loop.
    static func naiveProduct(_ a: Matrix64, _ b: Matrix64) -> Matrix64 {
        var result = Matrix64.zeros(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                var sum = 0.0
                for k in 0..<a.columns { sum += a[i, k] * b[k, j] }
                result[i, j] = sum
            }
        }
        return result
    }

    static func expectClose(
        _ actual: Matrix64, _ expected: Matrix64, tolerance: Double = 1e-10, _ comment: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard actual.shape == expected.shape else {
            Issue.record("shape \(actual.shape) differs from expected \(expected.shape) \(comment)", sourceLocation: sourceLocation)
            return
        }
        let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance, "largest difference \(worst) > \(tolerance) \(comment)", sourceLocation: sourceLocation)
    }

    @Test("construction, conversion, subscripts, transpose and arithmetic")
    func basics() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var m = Matrix64(t)
        #expect(m.rows == 2 && m.columns == 3 && m[1, 0] == 4)
        #expect(Tensor(m).scalars == t.scalars && Tensor(m).shape == [2, 3])
        #expect(m.transposed().scalars == [1, 4, 2, 5, 3, 6])
        m[0, 2] = 10
        #expect(m.scalars == [1, 2, 10, 4, 5, 6])
        #expect((m + m).scalars == (2 * m).scalars)
        #expect((m - m).scalars == Matrix64.zeros(rows: 2, columns: 3).scalars)
        #expect((-m * 0.5)[1, 2] == -3)
        #expect(Matrix64.identity(3).trace == 3)
        #expect(Matrix64(rows: 1, columns: 2, scalars: [3, 4]).frobeniusNorm == 5)
        #expect(m.diagonal == [1, 5])
    }

    @Test("matmul through dgemm matches the triple loop, with and without transposes")
    func matmul() {
        let a = Self.matrix(5, 7, seed: 1)
        let b = Self.matrix(7, 3, seed: 2)
        Self.expectClose(a.matmul(b), Self.naiveProduct(a, b), tolerance: 1e-12)
        Self.expectClose(a.transposed().matmul(b, transposingSelf: true), Self.naiveProduct(a, b), tolerance: 1e-12)
        Self.expectClose(a.matmul(b.transposed(), transposingOther: true), Self.naiveProduct(a, b), tolerance: 1e-12)
    }

    @Test("outer-product accumulation matches a naive loop, across blocks and on a non-symmetric start",
          arguments: [nil, 1, 7, 64] as [Int?])
    func outerProducts(rowsPerBlock: Int?) {
        let x = testTensor([3, 40, 9], seed: 3)
        var start = Self.matrix(9, 9, seed: 4)   // deliberately not symmetric
        var expected = start
        let rows = x.scalars
        for sample in 0..<120 {
            for i in 0..<9 {
                for j in 0..<9 {
                    expected[i, j] += 0.5 * Double(rows[sample * 9 + i]) * Double(rows[sample * 9 + j])
                }
            }
        }
        start.addOuterProducts(of: x, scale: 0.5, rowsPerBlock: rowsPerBlock)
        Self.expectClose(start, expected, tolerance: 1e-12)

        var fromPublic = Matrix64.zeros(rows: 9, columns: 9)
        fromPublic.addOuterProducts(of: x)
        fromPublic.addOuterProducts(of: Tensor.zeros([0, 9]))
        Self.expectClose(fromPublic, 2 * (expected - Self.matrix(9, 9, seed: 4)), tolerance: 1e-12)
    }

    @Test("SVD: reconstruction, orthogonality and order, thin and full", arguments: [[40, 12], [12, 40]])
    func svd(shape: [Int]) throws {
        let a = Self.matrix(shape[0], shape[1], seed: 5)
        let k = min(shape[0], shape[1])
        let (u, s, vt) = try LinearAlgebra.svd(a)
        #expect(u.shape == [shape[0], k] && s.count == k && vt.shape == [k, shape[1]])
        var us = u
        for i in 0..<u.rows { for j in 0..<k { us[i, j] *= s[j] } }
        Self.expectClose(us.matmul(vt), a)
        Self.expectClose(u.matmul(u, transposingSelf: true), .identity(k))
        Self.expectClose(vt.matmul(vt, transposingOther: true), .identity(k))
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })

        let full = try LinearAlgebra.svd(a, full: true)
        Self.expectClose(full.u.matmul(full.u, transposingSelf: true), .identity(shape[0]))
        Self.expectClose(full.vt.matmul(full.vt, transposingSelf: true), .identity(shape[1]))
        for (x, y) in zip(full.s, s) { #expect(abs(x - y) < 1e-12) }
    }

    @Test("fixed 3×2 singular values match NumPy to double precision")
    func svdFixture() throws {
        // python3 -c "import numpy as np; print(repr(np.linalg.svd(np.array([[1.,2.],[3.,4.],[5.,6.]]), compute_uv=False)))"
        // → array([9.52551809, 0.51430058])
        let (_, s, _) = try LinearAlgebra.svd(Matrix64(rows: 3, columns: 2, scalars: [1, 2, 3, 4, 5, 6]))
        #expect(abs(s[0] - 9.52551809) < 1e-8 && abs(s[1] - 0.51430058) < 1e-8)
    }

    @Test("eigendecomposition, Cholesky and square roots of an SPD matrix")
    func symmetric() throws {
        let a = Self.symmetricPositiveDefinite(30, seed: 6)
        let (values, vectors) = try LinearAlgebra.symmetricEigen(a)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 })
        var scaled = vectors
        for i in 0..<30 { for j in 0..<30 { scaled[i, j] *= values[j] } }
        Self.expectClose(a.matmul(vectors), scaled, tolerance: 1e-9, "(A·V = V·Λ)")
        Self.expectClose(vectors.matmul(vectors, transposingSelf: true), .identity(30))

        let l = try LinearAlgebra.cholesky(a)
        #expect((0..<30).allSatisfy { i in ((i + 1)..<30).allSatisfy { l[i, $0] == 0 } })
        Self.expectClose(l.matmul(l, transposingOther: true), a, tolerance: 1e-9)

        let root = try LinearAlgebra.symmetricSquareRoot(a)
        Self.expectClose(root.matmul(root), a, tolerance: 1e-9)
        let inverseRoot = try LinearAlgebra.symmetricInverseSquareRoot(a)
        Self.expectClose(inverseRoot.matmul(a).matmul(inverseRoot), .identity(30), tolerance: 1e-10)
    }

    @Test("QR, solve, least squares, inverse, pseudo-inverse and determinant")
    func solvers() throws {
        let tall = Self.matrix(20, 6, seed: 7)
        let (q, r) = try LinearAlgebra.qr(tall)
        Self.expectClose(q.matmul(q, transposingSelf: true), .identity(6))
        Self.expectClose(q.matmul(r), tall)

        let a = Self.matrix(12, 12, seed: 8) + 3 * Matrix64.identity(12)
        let b = Self.matrix(12, 4, seed: 9)
        Self.expectClose(a.matmul(try LinearAlgebra.solve(a, b)), b)
        let vector = (0..<12).map { Double($0) - 5 }
        let x = try LinearAlgebra.solve(a, vector)
        let residual = Self.naiveProduct(a, Matrix64(rows: 12, columns: 1, scalars: x)).scalars
        #expect(zip(residual, vector).allSatisfy { abs($0 - $1) < 1e-10 })

        let bTall = Self.matrix(20, 2, seed: 10)
        let normal = try LinearAlgebra.solve(tall.matmul(tall, transposingSelf: true), tall.matmul(bTall, transposingSelf: true))
        Self.expectClose(try LinearAlgebra.leastSquares(tall, bTall), normal)

        Self.expectClose(try LinearAlgebra.inverse(a).matmul(a), .identity(12))

        let rankTwo = Self.matrix(9, 2, seed: 11).matmul(Self.matrix(2, 7, seed: 12))
        let p = try LinearAlgebra.pseudoInverse(rankTwo)
        Self.expectClose(rankTwo.matmul(p).matmul(rankTwo), rankTwo, "(A A⁺ A = A)")
        Self.expectClose(p.matmul(rankTwo).matmul(p), p, tolerance: 1e-9, "(A⁺ A A⁺ = A⁺)")

        let fixed = Matrix64(rows: 3, columns: 3, scalars: [4, 1, 2, 1, 3, 0, 2, 0, 5])
        #expect(abs(try LinearAlgebra.determinant(fixed) - 43) < 1e-12)
        let (sign, logMagnitude) = try LinearAlgebra.logDeterminant(fixed)
        #expect(sign == 1 && abs(logMagnitude - 3.7612001156935624) < 1e-12)
    }

    @Test("errors: indefinite Cholesky, singular solve, shape mismatches")
    func errors() {
        let indefinite = Matrix64(rows: 3, columns: 3, scalars: [2, 0, 0, 0, -1, 0, 0, 0, 1])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(routine: "dpotrf", shape: [3, 3], info: 2)) {
            try LinearAlgebra.cholesky(indefinite)
        }
        let singular = Matrix64(rows: 2, columns: 2, scalars: [1, 2, 2, 4])
        #expect(throws: LinearAlgebraError.singular(routine: "dgesv", shape: [2, 2], info: 2)) {
            try LinearAlgebra.solve(singular, [1, 1])
        }
        #expect(throws: LinearAlgebraError.notSquare(routine: "dsyevd", shape: [2, 3])) {
            try LinearAlgebra.symmetricEigen(Matrix64.zeros(rows: 2, columns: 3))
        }
        #expect(throws: LinearAlgebraError.mismatchedRightHandSide(routine: "dgesv", shape: [2, 2], rightHandSideShape: [3, 1])) {
            try LinearAlgebra.solve(Matrix64.identity(2), [1, 2, 3])
        }
    }
}
