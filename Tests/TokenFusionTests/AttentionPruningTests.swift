import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct AttentionPruningTests {
    /// Distinct scores (no ties) in a seeded order.
    static let scores = distinctTensor([2, 9], seed: 41) + 5

    @Test("keeps the class token and the highest-scoring tokens, in descending order")
    func selection() {
        let plan = AttentionPruningPlan(classAttention: Self.scores, r: 3, droppedTokens: .discarded)
        for b in 0..<2 {
            let row = Array(Self.scores.scalars[(b * 9)..<(b * 9 + 9)])
            let ranked = (1..<9).sorted { row[$0] > row[$1] }
            #expect(plan.rows[b].kept == [0] + ranked[..<5])
            #expect(plan.rows[b].dropped == ranked[5...].sorted())
        }
        #expect(plan.outputTokenCount == 6)
        let fused = AttentionPruningPlan(classAttention: Self.scores, r: 3, droppedTokens: .fusedSum)
        #expect(fused.rows.allSatisfy { $0.kept.count == 5 && $0.dropped.count == 4 && $0.outputCount == 6 })
        #expect(AttentionPruningPlan(classAttention: Self.scores, r: 0, droppedTokens: .fusedSum).isIdentity)
        // Capped like ToMe: at most (9 − 1) / 2 = 4 tokens removed.
        #expect(AttentionPruningPlan(classAttention: Self.scores, r: 9, droppedTokens: .discarded).outputTokenCount == 5)
    }

    @Test("the fused token is the class-attention-weighted sum (EViT) or mean of the dropped tokens",
          arguments: [DroppedTokens.fusedSum, .fusedMean])
    func fusion(dropped: DroppedTokens) {
        let tokens = testTensor([2, 9, 3], seed: 42)
        let sizes = Tensor(shape: [2, 9], scalars: (0..<18).map { Float($0 % 4 + 1) })
        let attention = Self.scores / 60
        let plan = AttentionPruningPlan(classAttention: attention, r: 2, droppedTokens: dropped, validLengths: [9, 7])
        let (out, outSizes) = plan.apply(tokens, sizes: sizes, classAttention: attention)
        #expect(out.shape == [2, 7, 3])
        for (b, outputs) in [7, 5].enumerated() {
            let inputs = Reference.rows(tokens, batch: b)
            let rows = Reference.rows(out, batch: b)
            let row = plan.rows[b]
            #expect(Array(rows[..<(outputs - 1)]) == row.kept.map { inputs[$0] })
            let total = dropped == .fusedMean ? row.dropped.reduce(Float(0)) { $0 + attention[b, $1] } : 1
            let expected = (0..<3).map { c in row.dropped.reduce(Float(0)) { $0 + attention[b, $1] * inputs[$1][c] } / total }
            expectClose(rows[outputs - 1], expected, relativeTolerance: 1e-5)
            #expect(outSizes[b, outputs - 1] == row.dropped.reduce(0) { $0 + sizes[b, $1] })
        }
        // Row 1 (7 real tokens → 5) is followed by its first two padding tokens.
        #expect(Array(Reference.rows(out, batch: 1)[5...]) == Array(Reference.rows(tokens, batch: 1)[7...]))
        #expect(outSizes.sum().scalar == sizes.sum().scalar)
        checkGradients(of: { plan.apply($0[0], sizes: sizes, classAttention: $0[1]).tokens }, at: [tokens, attention])
    }

    @Test("padded rows are reduced on their real tokens and the sources follow")
    func padding() {
        let plan = AttentionPruningPlan(classAttention: Self.scores, r: 2, droppedTokens: .discarded, validLengths: [9, 6])
        #expect(plan.outputValidLengths == [7, 4])
        #expect(plan.rows[1].dropped.allSatisfy { $0 < 6 } && plan.rows[1].kept.count == 4)
        let tokens = testTensor([2, 9, 3], seed: 43)
        let (out, _) = plan.apply(tokens, sizes: Tensor.ones([2, 9]), classAttention: Self.scores)
        #expect(out.shape == [2, 7, 3])
        // Row 1: 4 real tokens, then its first 3 padding tokens.
        #expect(Array(Reference.rows(out, batch: 1)[4...]) == Array(Reference.rows(tokens, batch: 1)[6...]))
        let sources = TokenSources(validLengths: [9, 6], tokenCount: 9).reduced(by: plan)
        #expect(sources.rows[1].flatMap { $0 }.sorted() == plan.rows[1].kept.sorted())
    }
}
