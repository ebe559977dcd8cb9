import LowRankDecomp
import PruningCore
import Testing

@Suite struct NystromMLPCompressionTests {
    /// Samples of an MLP intermediate `[n, width]`: random, with the given columns scaled.
    func samples(_ n: Int, _ width: Int, seed: UInt64) -> Matrix64 { randomMatrix(n, width, seed: seed) }

    @Test("ridge-leverage scores equal diag(C (C + λI)⁻¹) (tolerance 1e-10)")
    func leverageScoresMatchDefinition() throws {
        let c = correlation(of: samples(40, 6, seed: 1))
        let ridge = 0.3
        let scores = try NystromMLPCompression.ridgeLeverageScores(of: c, ridge: ridge)
        var shifted = c
        for i in 0..<6 { shifted[i, i] += ridge }
        let reference = c.matmul(try LinearAlgebra.inverse(shifted)).diagonal
        for (score, expected) in zip(scores, reference) {
            #expect(abs(score - expected) < 1e-10)
            #expect(score >= 0 && score < 1)
        }
    }

    @Test("a dead channel scores 0 and is dropped first; a dominant one is kept")
    func leverageRanksChannels() throws {
        var z = samples(50, 5, seed: 2)
        for r in 0..<50 {
            z[r, 3] = 0          // dead channel
            z[r, 1] *= 10        // dominant channel
        }
        let c = correlation(of: z)
        let scores = try NystromMLPCompression.ridgeLeverageScores(of: c, ridge: 1)
        #expect(scores[3] == 0)
        #expect(scores[1] == scores.max())
        var random = RandomGenerator(seed: 4)
        let gate = Tensor.randomNormal([5, 3], using: &random)
        let down = Tensor.randomNormal([3, 5], using: &random)
        let result = try NystromMLPCompression.compress(
            gate: gate, up: gate, down: down, correlation: c, keeping: 4, ridge: 1)
        #expect(result.keptChannels == [0, 1, 2, 4])
        #expect(result.gate.shape == [4, 3] && result.down.shape == [3, 4])
    }

    @Test("all channels kept reproduces the module's outputs (relative 1e-5)")
    func allChannelsKeptIsExact() throws {
        let z = samples(60, 8, seed: 3)
        let c = correlation(of: z)
        var random = RandomGenerator(seed: 5)
        let gate = Tensor.randomNormal([8, 4], using: &random)
        let down = Tensor.randomNormal([6, 8], using: &random)
        let result = try NystromMLPCompression.compress(
            gate: gate, up: gate, down: down, correlation: c, keeping: 8, ridge: 1e-2)
        #expect(result.keptChannels == Array(0..<8))
        // The refit is down · C · C⁺ = down for an invertible C.
        let difference = maximumDifference(result.down, down)
        #expect(difference < 1e-5 * down.scalars.map(abs).max()!)
    }

    @Test("the refit is the least-squares regression on the kept channels (tolerance 1e-8)")
    func refitIsLeastSquares() throws {
        let z = samples(30, 7, seed: 6)
        let c = correlation(of: z)
        let down = randomMatrix(3, 7, seed: 7)
        let kept = [0, 2, 3, 6]
        let refit = Matrix64(try NystromMLPCompression.refittedDownProjection(Tensor(down), correlation: c, keeping: kept))
        // min ‖Z_J Xᵀ − Z downᵀ‖: X = (Z_J⁺ Z downᵀ)ᵀ.
        let zJ = z.selectingColumnsForTest(kept)
        let solution = try LinearAlgebra.leastSquares(zJ, z.matmul(down, transposingOther: true))
        #expect(maximumDifference(refit, solution.transposed()) < 1e-5)   // float rounding of the refit
    }

    @Test("redundant channels: keeping one of each duplicate pair is exact (relative 1e-5)")
    func duplicatedChannelsAreReconstructed() throws {
        var z = Matrix64.zeros(rows: 40, columns: 6)
        let base = samples(40, 3, seed: 8)
        for r in 0..<40 {
            for j in 0..<3 {
                z[r, j] = base[r, j]
                z[r, j + 3] = 2 * base[r, j]
            }
        }
        let c = correlation(of: z)
        let down = randomMatrix(4, 6, seed: 9)
        let result = try NystromMLPCompression.compress(
            gate: Tensor(randomMatrix(6, 2, seed: 10)), up: Tensor(randomMatrix(6, 2, seed: 11)), down: Tensor(down),
            correlation: c, keeping: 3, ridge: 1e-3)
        // The doubled copies have the larger leverage; either copy spans the same space.
        #expect(result.keptChannels == [3, 4, 5])
        let original = z.matmul(down, transposingOther: true)
        let approximation = z.selectingColumnsForTest(result.keptChannels).matmul(Matrix64(result.down), transposingOther: true)
        #expect(maximumDifference(original, approximation) < 1e-5 * original.scalars.map(abs).max()!)

        // Keeping both copies of channel 0 makes C[J, J] singular; the pseudo-inverse copes.
        let collinear = [0, 1, 2, 3]
        let refit = Matrix64(try NystromMLPCompression.refittedDownProjection(Tensor(down), correlation: c, keeping: collinear))
        let reconstructed = z.selectingColumnsForTest(collinear).matmul(refit, transposingOther: true)
        #expect(refit.scalars.allSatisfy { $0.isFinite })
        #expect(maximumDifference(original, reconstructed) < 1e-5 * original.scalars.map(abs).max()!)
    }

    @Test("the reconstruction error shrinks as more channels are kept")
    func errorShrinksWithWidth() throws {
        let z = samples(80, 10, seed: 12).scalingColumnsForTest((0..<10).map { 1 / Double($0 + 1) })
        let c = correlation(of: z)
        let down = randomMatrix(5, 10, seed: 13)
        let original = z.matmul(down, transposingOther: true)
        var errors: [Double] = []
        for k in 1...10 {
            let result = try NystromMLPCompression.compress(
                gate: Tensor(randomMatrix(10, 2, seed: 14)), up: Tensor(randomMatrix(10, 2, seed: 15)), down: Tensor(down),
                correlation: c, keeping: k, ridge: 1e-2)
            let approximation = z.selectingColumnsForTest(result.keptChannels).matmul(Matrix64(result.down), transposingOther: true)
            errors.append(squaredNorm(original - approximation))
        }
        for k in 1..<errors.count { #expect(errors[k] <= errors[k - 1] * (1 + 1e-6) + 1e-9) }
        #expect(errors.last! < 1e-8 * errors.first!)
    }
}

extension Matrix64 {
    /// The columns `indices` (a test-side gather, independent of the module's helpers).
    func selectingColumnsForTest(_ indices: [Int]) -> Matrix64 {
        var result = Matrix64.zeros(rows: rows, columns: indices.count)
        for r in 0..<rows { for (c, i) in indices.enumerated() { result[r, c] = self[r, i] } }
        return result
    }

    /// Column `j` scaled by `factors[j]`.
    func scalingColumnsForTest(_ factors: [Double]) -> Matrix64 {
        var result = self
        for r in 0..<rows { for c in 0..<columns { result[r, c] *= factors[c] } }
        return result
    }
}
