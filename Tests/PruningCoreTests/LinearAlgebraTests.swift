import PruningCore
import PruningTestSupport
import Testing

/// Single-precision decompositions on `Tensor`. Inputs have entries of order 1 and at most 8 rows
/// or columns, so identities hold to about 1e-5; the tolerances below (1e-4 absolute unless
/// stated) leave a margin of ten.
@Suite struct LinearAlgebraTests {
    /// A well-conditioned symmetric positive-definite `n × n` matrix: `B·Bᵀ + n·I`.
    static func symmetricPositiveDefinite(_ n: Int, seed: UInt64) -> Tensor {
        let b = testTensor([n, n], seed: seed)
        return b.matmul(b, transposingOther: true) + Tensor.eye(n) * Float(n)
    }

    static func expectOrthonormalColumns(_ q: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        expectClose(q.matmul(q, transposingSelf: true), Tensor.eye(q.shape[1]),
                    relativeTolerance: 0, absoluteTolerance: 1e-5, "(QᵀQ = I)", sourceLocation: sourceLocation)
    }

    @Test("SVD reconstructs A with orthonormal factors and descending values, thin and full",
          arguments: [[6, 4], [4, 6], [5, 5]])
    func svd(shape: [Int]) throws {
        let a = testTensor(shape, seed: 3)
        let (m, n) = (shape[0], shape[1])
        let k = min(m, n)

        let (u, s, vt) = try LinearAlgebra.svd(a)
        #expect(u.shape == [m, k] && s.shape == [k] && vt.shape == [k, n])
        expectClose((u * s).matmul(vt), a, relativeTolerance: 0, absoluteTolerance: 1e-4)
        Self.expectOrthonormalColumns(u)
        Self.expectOrthonormalColumns(vt.transposed())
        let values = s.scalars
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(values.allSatisfy { $0 >= 0 })

        let full = try LinearAlgebra.svd(a, full: true)
        #expect(full.u.shape == [m, m] && full.s.shape == [k] && full.vt.shape == [n, n])
        Self.expectOrthonormalColumns(full.u)
        Self.expectOrthonormalColumns(full.vt)
        Self.expectOrthonormalColumns(full.vt.transposed())
        let reconstructed = (full.u.sliced(alongAxis: 1, 0..<k) * full.s).matmul(full.vt.sliced(alongAxis: 0, 0..<k))
        expectClose(reconstructed, a, relativeTolerance: 0, absoluteTolerance: 1e-4)
        expectClose(full.s, s, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("singular values of a fixed 3×2 matrix match NumPy")
    func svdFixture() throws {
        let a = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        // python3 -c "import numpy as np; print(np.linalg.svd(np.array([[1.,2.],[3.,4.],[5.,6.]]), compute_uv=False))"
        // → [9.52551809 0.51430058]
        let (_, s, _) = try LinearAlgebra.svd(a)
        expectClose(s, Tensor([9.52551809, 0.51430058]), relativeTolerance: 1e-5, absoluteTolerance: 0)
    }

    @Test("symmetric eigendecomposition: ascending values, A·v = λ·v, NumPy values")
    func symmetricEigen() throws {
        let a = Tensor(shape: [3, 3], scalars: [4, 1, 2, 1, 3, 0, 2, 0, 5])
        let (values, vectors) = try LinearAlgebra.symmetricEigen(a)
        // python3 -c "import numpy as np; print(np.linalg.eigvalsh([[4.,1,2],[1,3,0],[2,0,5]]))"
        // → [1.85489731 3.4760236  6.66907909]
        expectClose(values, Tensor([1.85489731, 3.4760236, 6.66907909]), relativeTolerance: 1e-5, absoluteTolerance: 0)
        Self.expectOrthonormalColumns(vectors)
        expectClose(a.matmul(vectors), vectors * values, relativeTolerance: 0, absoluteTolerance: 1e-4, "(A·V = V·Λ)")

        let b = Self.symmetricPositiveDefinite(8, seed: 4) - Tensor.eye(8) * 10
        let (bValues, bVectors) = try LinearAlgebra.symmetricEigen(b)
        let sorted = bValues.scalars
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0 <= $1 })
        expectClose(b.matmul(bVectors), bVectors * bValues, relativeTolerance: 0, absoluteTolerance: 1e-4)
    }

    @Test("Cholesky: L is lower triangular and L·Lᵀ = A")
    func cholesky() throws {
        let a = Self.symmetricPositiveDefinite(7, seed: 5)
        let l = try LinearAlgebra.cholesky(a)
        for i in 0..<7 {
            for j in (i + 1)..<7 { #expect(l[i, j] == 0) }
            #expect(l[i, i] > 0)
        }
        expectClose(l.matmul(l, transposingOther: true), a, relativeTolerance: 0, absoluteTolerance: 1e-4)
    }

    @Test("QR: Q orthonormal, R upper triangular, Q·R = A", arguments: [[7, 4], [4, 7], [5, 5]])
    func qr(shape: [Int]) throws {
        let a = testTensor(shape, seed: 6)
        let k = min(shape[0], shape[1])
        let (q, r) = try LinearAlgebra.qr(a)
        #expect(q.shape == [shape[0], k] && r.shape == [k, shape[1]])
        Self.expectOrthonormalColumns(q)
        for i in 0..<k {
            for j in 0..<i { #expect(r[i, j] == 0) }
        }
        expectClose(q.matmul(r), a, relativeTolerance: 0, absoluteTolerance: 1e-4)
    }

    @Test("solve: vector and matrix right-hand sides leave a small residual")
    func solve() throws {
        let a = testTensor([6, 6], seed: 7) + Tensor.eye(6) * 3
        let b = testTensor([6], seed: 8)
        let x = try LinearAlgebra.solve(a, b)
        #expect(x.shape == [6])
        expectClose(a.matmul(x), b, relativeTolerance: 0, absoluteTolerance: 1e-5)

        let bMatrix = testTensor([6, 3], seed: 9)
        let xMatrix = try LinearAlgebra.solve(a, bMatrix)
        #expect(xMatrix.shape == [6, 3])
        expectClose(a.matmul(xMatrix), bMatrix, relativeTolerance: 0, absoluteTolerance: 1e-5)
    }

    @Test("least squares matches the normal equations and the minimum-norm solution")
    func leastSquares() throws {
        let a = testTensor([8, 3], seed: 10)
        let b = testTensor([8, 2], seed: 11)
        let x = try LinearAlgebra.leastSquares(a, b)
        let normal = try LinearAlgebra.solve(a.matmul(a, transposingSelf: true), a.matmul(b, transposingSelf: true))
        expectClose(x, normal, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)

        let vector = try LinearAlgebra.leastSquares(a, b.sliced(alongAxis: 1, 0..<1).reshaped(to: [8]))
        #expect(vector.shape == [3])
        expectClose(vector, x.sliced(alongAxis: 1, 0..<1).reshaped(to: [3]), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)

        // Underdetermined: the minimum-norm solution is Aᵀ(AAᵀ)⁻¹b.
        let wide = testTensor([3, 6], seed: 12)
        let rhs = testTensor([3], seed: 13)
        let minimumNorm = wide.matmul(try LinearAlgebra.solve(wide.matmul(wide, transposingOther: true), rhs),
                                      transposingSelf: true)
        expectClose(try LinearAlgebra.leastSquares(wide, rhs), minimumNorm, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
    }

    @Test("inverse: A⁻¹·A = A·A⁻¹ = I")
    func inverse() throws {
        let a = testTensor([6, 6], seed: 14) + Tensor.eye(6) * 2
        let inverse = try LinearAlgebra.inverse(a)
        expectClose(inverse.matmul(a), Tensor.eye(6), relativeTolerance: 0, absoluteTolerance: 1e-5)
        expectClose(a.matmul(inverse), Tensor.eye(6), relativeTolerance: 0, absoluteTolerance: 1e-5)
    }

    @Test("pseudo-inverse satisfies the four Moore–Penrose identities on a rank-2 matrix")
    func pseudoInverse() throws {
        let a = testTensor([6, 2], seed: 15).matmul(testTensor([2, 5], seed: 16))
        let p = try LinearAlgebra.pseudoInverse(a, rcond: 1e-5)
        #expect(p.shape == [5, 6])
        expectClose(a.matmul(p).matmul(a), a, relativeTolerance: 0, absoluteTolerance: 1e-4, "(A A⁺ A = A)")
        expectClose(p.matmul(a).matmul(p), p, relativeTolerance: 0, absoluteTolerance: 1e-3, "(A⁺ A A⁺ = A⁺)")
        let ap = a.matmul(p)
        let pa = p.matmul(a)
        expectClose(ap, ap.transposed(), relativeTolerance: 0, absoluteTolerance: 1e-4, "(A A⁺ symmetric)")
        expectClose(pa, pa.transposed(), relativeTolerance: 0, absoluteTolerance: 1e-4, "(A⁺ A symmetric)")
        // The rank-2 projector A A⁺ has trace 2.
        let trace = (0..<6).reduce(Float(0)) { $0 + ap[$1, $1] }
        #expect(abs(trace - 2) < 1e-4)
    }

    @Test("symmetric square root squares back to A; the inverse root whitens A")
    func symmetricRoots() throws {
        let a = Self.symmetricPositiveDefinite(6, seed: 17)
        let root = try LinearAlgebra.symmetricSquareRoot(a)
        #expect(root.scalars == root.transposed().scalars)
        expectClose(root.matmul(root), a, relativeTolerance: 0, absoluteTolerance: 1e-4)

        let inverseRoot = try LinearAlgebra.symmetricInverseSquareRoot(a)
        #expect(inverseRoot.scalars == inverseRoot.transposed().scalars)
        expectClose(inverseRoot.matmul(a).matmul(inverseRoot), Tensor.eye(6), relativeTolerance: 0, absoluteTolerance: 1e-5)

        // A semidefinite input with a zero eigenvalue: the root is still exact, the inverse root
        // floors that eigenvalue at epsilon (so xᵀ A^{-1/2} x = 1/√ε along its eigenvector).
        let v = Tensor(shape: [3, 1], scalars: [1, 2, 2]) / 3
        let semidefinite = Tensor.eye(3) * 4 - v.matmul(v, transposingOther: true) * 4
        let semidefiniteRoot = try LinearAlgebra.symmetricSquareRoot(semidefinite)
        expectClose(semidefiniteRoot.matmul(semidefiniteRoot), semidefinite, relativeTolerance: 0, absoluteTolerance: 1e-5)
        let floored = try LinearAlgebra.symmetricInverseSquareRoot(semidefinite, epsilon: 1e-2)
        let alongNullSpace = v.matmul(floored, transposingSelf: true).matmul(v).scalar
        #expect(abs(alongNullSpace - 10) < 1e-3)
    }

    @Test("determinant and log-determinant")
    func determinants() throws {
        let a = Tensor(shape: [3, 3], scalars: [4, 1, 2, 1, 3, 0, 2, 0, 5])
        // python3 -c "import numpy as np; print(np.linalg.det([[4.,1,2],[1,3,0],[2,0,5]]))" → 43.0
        #expect(abs(try LinearAlgebra.determinant(a) - 43) < 1e-4)
        let (sign, logMagnitude) = try LinearAlgebra.logDeterminant(-a)
        #expect(sign == -1)
        #expect(abs(logMagnitude - 3.7612001) < 1e-5)  // log 43
        #expect(try LinearAlgebra.determinant(Tensor(shape: [2, 2], scalars: [1, 2, 2, 4])) == 0)
    }

    @Test("empty matrices give empty (or identity) factors without calling LAPACK")
    func empty() throws {
        let a = Tensor.zeros([0, 3])
        let thin = try LinearAlgebra.svd(a)
        #expect(thin.u.shape == [0, 0] && thin.s.shape == [0] && thin.vt.shape == [0, 3])
        let full = try LinearAlgebra.svd(a, full: true)
        #expect(full.vt.scalars == Tensor.eye(3).scalars)
        #expect(try LinearAlgebra.pseudoInverse(a).shape == [3, 0])
        #expect(try LinearAlgebra.leastSquares(a, Tensor.zeros([0])).scalars == [0, 0, 0])
        #expect(try LinearAlgebra.cholesky(Tensor.zeros([0, 0])).shape == [0, 0])
        #expect(try LinearAlgebra.determinant(Tensor.zeros([0, 0])) == 1)
    }

    @Test("inputs are not modified and results are detached from autodiff")
    func detached() throws {
        let a = Self.symmetricPositiveDefinite(4, seed: 18)
        let before = a.scalars
        let tracked = a.requiringGradient()
        let (u, s, vt) = try LinearAlgebra.svd(tracked)
        let l = try LinearAlgebra.cholesky(tracked)
        let x = try LinearAlgebra.solve(tracked, Tensor([1, 2, 3, 4]).requiringGradient())
        #expect(![u, s, vt, l, x].contains { $0.requiresGradient })
        #expect(a.scalars == before)
    }
}

@Suite struct LinearAlgebraErrorTests {
    @Test("Cholesky of an indefinite matrix throws notPositiveDefinite with info > 0")
    func notPositiveDefinite() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 2, 1])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(routine: "spotrf", shape: [2, 2], info: 2)) {
            try LinearAlgebra.cholesky(a)
        }
        do {
            _ = try LinearAlgebra.cholesky(a)
        } catch {
            #expect((error.info ?? 0) > 0)
            #expect(error.description.contains("spotrf") && error.description.contains("2×2")
                    && error.description.contains("info = 2"))
        }
    }

    @Test("solving or inverting a singular matrix throws singular")
    func singular() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 2, 4])
        #expect(throws: LinearAlgebraError.singular(routine: "sgesv", shape: [2, 2], info: 2)) {
            try LinearAlgebra.solve(a, Tensor([1, 1]))
        }
        #expect(throws: LinearAlgebraError.singular(routine: "sgetrf", shape: [2, 2], info: 2)) {
            try LinearAlgebra.inverse(a)
        }
    }

    @Test("shape errors throw before calling LAPACK")
    func shapes() {
        let rectangular = testTensor([2, 3])
        #expect(throws: LinearAlgebraError.notSquare(routine: "spotrf", shape: [2, 3])) {
            try LinearAlgebra.cholesky(rectangular)
        }
        #expect(throws: LinearAlgebraError.notSquare(routine: "ssyevd", shape: [2, 3])) {
            try LinearAlgebra.symmetricEigen(rectangular)
        }
        #expect(throws: LinearAlgebraError.notSquare(routine: "sgesv", shape: [2, 3])) {
            try LinearAlgebra.solve(rectangular, Tensor([1, 1]))
        }
        #expect(throws: LinearAlgebraError.mismatchedRightHandSide(routine: "sgesv", shape: [3, 3], rightHandSideShape: [2])) {
            try LinearAlgebra.solve(Tensor.eye(3), Tensor([1, 1]))
        }
        #expect(throws: LinearAlgebraError.mismatchedRightHandSide(routine: "sgelsd", shape: [2, 3], rightHandSideShape: [3, 1])) {
            try LinearAlgebra.leastSquares(rectangular, Tensor.ones([3, 1]))
        }
        #expect(throws: LinearAlgebraError.notAMatrix(routine: "sgesdd", shape: [2, 3, 4])) {
            try LinearAlgebra.svd(testTensor([2, 3, 4]))
        }
        let description = LinearAlgebraError.mismatchedRightHandSide(routine: "sgesv", shape: [3, 3], rightHandSideShape: [2]).description
        #expect(description.contains("sgesv") && description.contains("3×3") && description.contains("[2]"))
    }

    @Test("a NaN in the input is rejected as an invalid argument")
    func nonFinite() {
        let a = Tensor(shape: [2, 2], scalars: [1, .nan, 0, 1])
        do {
            _ = try LinearAlgebra.svd(a)
            Issue.record("svd of a matrix containing NaN did not throw")
        } catch {
            guard case .invalidArgument(let routine, let shape, let info) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(routine == "sgesdd" && shape == [2, 2] && info < 0)
        }
    }
}
