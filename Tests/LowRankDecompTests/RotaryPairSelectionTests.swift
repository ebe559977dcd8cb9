import LowRankDecomp
import ModelZoo
import PruningCore
import Testing

@Suite struct RotaryPairSelectionTests {
    @Test("squared column norms of (C + εI)^{1/2} equal diag(C) + ε (tolerance 1e-10)")
    func columnNormsAreTheDiagonal() throws {
        let c = correlation(of: randomMatrix(30, 6, seed: 1))
        let norms = try RotaryPairSelection.squaredColumnNormsOfSquareRoot(c, ridge: 0.01)
        for j in 0..<6 { #expect(abs(norms[j] - (c[j, j] + 0.01)) < 1e-10) }
    }

    @Test("scores follow the known formula and select the strongest pairs, summing query heads")
    func scoresSelectKnownPairs() throws {
        // Diagonal correlations: dimension j has query variance qs[j] (two heads) and key kv[j].
        let q1: [Double] = [1, 1, 4, 4, 0.1, 0.1, 2, 2]
        let q2: [Double] = [1, 1, 0, 0, 0.1, 0.1, 2, 2]
        let k: [Double] = [1, 1, 1, 1, 1, 1, 0.1, 0.1]
        func diagonal(_ values: [Double]) -> Matrix64 {
            var m = Matrix64.zeros(rows: values.count, columns: values.count)
            for (i, v) in values.enumerated() { m[i, i] = v }
            return m
        }
        let pairs = (0..<4).map { (2 * $0, 2 * $0 + 1) }
        let scores = try RotaryPairSelection.pairScores(
            queryCorrelations: [diagonal(q1), diagonal(q2)], keyCorrelation: diagonal(k), pairs: pairs, ridge: 0)
        var expected: [Double] = []
        for p in 0..<4 {
            let (a, b) = (2 * p, 2 * p + 1)
            let sum: Double = (q1[a] + q2[a]) * k[a] + (q1[b] + q2[b]) * k[b]
            expected.append(sum.squareRoot())
        }
        for (score, value) in zip(scores, expected) { #expect(abs(score - value) < 1e-12) }
        #expect(RotaryPairSelection.selectPairs(scores: scores, keeping: 2) == [0, 1])
        #expect(RotaryPairSelection.selectPairs(scores: scores, keeping: 3) == [0, 1, 3])
    }

    @Test("keeping every pair leaves the rotated query-key products unchanged (exact)")
    func allPairsKeptIsExact() throws {
        var random = RandomGenerator(seed: 2)
        for pairing in [LlamaConfiguration.RopePairing.halves, .interleaved] {
            let rotary = RotaryEmbedding(headDimension: 8, maxPositions: 16, pairing: pairing.rotaryPairing)
            let q = Tensor.randomNormal([1, 1, 5, 8], using: &random)
            let k = Tensor.randomNormal([1, 1, 5, 8], using: &random)
            let kept = RotaryPairSelection.selectPairs(scores: [3, 1, 4, 1], keeping: 4)
            let rows = LlamaTensorNaming.headDimensions(keepingPairs: kept, headDimension: 8, pairing: pairing)
            let slicedRotary = rotary.keepingPairs(kept)
            let full = rotary(q).matmul(rotary(k), transposingOther: true)
            let sliced = slicedRotary(q.indexSelect(rows, alongAxis: 3))
                .matmul(slicedRotary(k.indexSelect(rows, alongAxis: 3)), transposingOther: true)
            #expect(maximumDifference(full, sliced) == 0)
        }
    }

    @Test("dropping pairs whose queries vanish leaves the rotated products unchanged (1e-5)")
    func droppingSilentPairsIsExact() throws {
        var random = RandomGenerator(seed: 3)
        let rotary = RotaryEmbedding(headDimension: 8, maxPositions: 16, pairing: .interleaved)
        var q = Tensor.randomNormal([1, 1, 6, 8], using: &random)
        q.withUnsafeMutableBufferPointer { p in
            for t in 0..<6 { for d in [2, 3, 6, 7] { p[t * 8 + d] = 0 } }    // pairs 1 and 3 are silent
        }
        let k = Tensor.randomNormal([1, 1, 6, 8], using: &random)
        let qs = Matrix64(q.reshaped(to: [6, 8]))
        let ks = Matrix64(k.reshaped(to: [6, 8]))
        let scores = try RotaryPairSelection.pairScores(
            queryCorrelations: [correlation(of: qs)], keyCorrelation: correlation(of: ks),
            pairs: (0..<4).map { (2 * $0, 2 * $0 + 1) }, ridge: 0)
        let kept = RotaryPairSelection.selectPairs(scores: scores, keeping: 2)
        #expect(kept == [0, 2])
        let rows = LlamaTensorNaming.headDimensions(keepingPairs: kept, headDimension: 8, pairing: .interleaved)
        let full = rotary(q).matmul(rotary(k), transposingOther: true)
        let sliced = rotary.keepingPairs(kept)(q.indexSelect(rows, alongAxis: 3))
            .matmul(rotary.keepingPairs(kept)(k.indexSelect(rows, alongAxis: 3)), transposingOther: true)
        #expect(maximumDifference(full, sliced) < 1e-5)
    }
}
