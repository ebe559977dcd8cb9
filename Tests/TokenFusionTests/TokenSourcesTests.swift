import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct TokenSourcesTests {
    @Test("every real input token appears exactly once after repeated merges, and counts equal sizes")
    func consistency() {
        var tokens = testTensor([3, 16, 4], seed: 21)
        var sizes = Tensor.ones([3, 16])
        var lengths = [16, 13, 9]
        var sources = TokenSources(validLengths: lengths, tokenCount: 16)
        for (step, reduction) in [TokenReduction.average, .prune, .mlerp, .average].enumerated() {
            let plan = BipartiteSoftMatching.plan(metric: tokens, r: 2 + step, protectsClassToken: true, validLengths: lengths)
            (tokens, sizes) = reduction.reduce(tokens, sizes: sizes, plan: plan)
            sources = sources.reduced(by: plan)
            lengths = plan.outputValidLengths
            for (b, length) in lengths.enumerated() {
                let row = sources.rows[b]
                #expect(row.count == tokens.shape[1])
                #expect(row[..<length].flatMap { $0 }.sorted() == Array(0..<[16, 13, 9][b]))
                #expect(row[length...].allSatisfy { $0.isEmpty })
                #expect(row[0] == [0], "the class token holds only itself")
                for t in 0..<length { #expect(Float(row[t].count) == sizes[b, t]) }
            }
        }
        let matrix = sources.matrix
        #expect(matrix.shape == [3, tokens.shape[1], 16])
        // Each original real token is in exactly one current token: column sums are 1.
        let columns = matrix.sum(alongAxis: 1).scalars
        for (b, length) in [16, 13, 9].enumerated() {
            #expect(Array(columns[(b * 16)..<(b * 16 + 16)]) == (0..<16).map { $0 < length ? 1 : 0 })
        }
    }

    @Test("the source matrix of one step is ToMe's merge_source of the identity")
    func matrixOfOneStep() {
        let plan = BipartiteSoftMatching.plan(metric: BipartiteSoftMatchingTests.sixTokens, r: 2)
        let sources = TokenSources(validLengths: [6], tokenCount: 6).reduced(by: plan)
        #expect(sources.rows[0] == [[4], [1, 2], [0, 3], [5]])
        #expect(sources.matrix.scalars == [
            0, 0, 0, 0, 1, 0,
            0, 1, 1, 0, 0, 0,
            1, 0, 0, 1, 0, 0,
            0, 0, 0, 0, 0, 1,
        ])
        #expect(sources.counts == [[1, 2, 2, 1]])
    }
}

@Suite struct UnmergeTests {
    @Test("unmerge copies each output back to every input it holds; expansion does so over many steps")
    func unmerge() {
        let plan = BipartiteSoftMatching.plan(metric: BipartiteSoftMatchingTests.sixTokens, r: 2)
        // Outputs [4], [1, 2], [0, 3], [5] hold the values 10, 20, 30, 40.
        let outputs = Tensor(shape: [1, 4, 1], scalars: [10, 20, 30, 40])
        #expect(plan.unmerged(outputs).scalars == [30, 20, 20, 30, 10, 40])
        let sources = TokenSources(validLengths: [6], tokenCount: 6).reduced(by: plan)
        #expect(sources.expanded(outputs).scalars == [30, 20, 20, 30, 10, 40])
        checkGradients(of: { plan.unmerged($0[0]) }, at: [outputs])

        // Two steps with padding: expansion equals unmerging step by step; padding gets zeros.
        let tokens = testTensor([2, 10, 3], seed: 81)
        let first = BipartiteSoftMatching.plan(metric: tokens, r: 2, protectsClassToken: true, validLengths: [10, 7])
        let (middle, _) = first.averaged(tokens, sizes: Tensor.ones([2, 10]))
        let second = BipartiteSoftMatching.plan(metric: middle, r: 2, protectsClassToken: true, validLengths: first.outputValidLengths)
        let (last, _) = second.averaged(middle, sizes: first.summedSizes(Tensor.ones([2, 10])))
        let traced = TokenSources(validLengths: [10, 7], tokenCount: 10).reduced(by: first).reduced(by: second)
        let expanded = traced.expanded(last).scalars
        let stepwise = first.unmerged(second.unmerged(last)).scalars
        for b in 0..<2 {
            for t in 0..<10 {
                let range = ((b * 10 + t) * 3)..<((b * 10 + t + 1) * 3)
                if t < [10, 7][b] {
                    #expect(Array(expanded[range]) == Array(stepwise[range]))
                } else {
                    #expect(expanded[range].allSatisfy { $0 == 0 })
                }
            }
        }
    }
}
