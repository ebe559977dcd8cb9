import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct TokenReductionTests {
    /// A plan over random tokens with sizes 1…3 (as after earlier merges), and both.
    static func setup(shape: [Int] = [2, 9, 4], r: Int = 3, seed: UInt64 = 3) -> (TokenMergePlan, Tensor, Tensor) {
        let tokens = testTensor(shape, seed: seed)
        let sizes = Tensor(shape: [shape[0], shape[1]], scalars: (0..<(shape[0] * shape[1])).map { Float($0 % 3 + 1) })
        let plan = BipartiteSoftMatching.plan(metric: tokens, r: r, protectsClassToken: true)
        return (plan, tokens, sizes)
    }

    /// For each row and output token, its members and their size-weighted mean.
    static func groupMeans(_ plan: TokenMergePlan, _ tokens: Tensor, _ sizes: Tensor) -> [[(members: [Int], mean: [Float], size: Float)]] {
        (0..<plan.batchSize).map { b in
            let rows = Reference.rows(tokens, batch: b)
            let s = Array(sizes.scalars[(b * plan.inputTokenCount)..<((b + 1) * plan.inputTokenCount)])
            return plan.members(ofRow: b).map { group in
                let total = group.reduce(0) { $0 + s[$1] }
                let mean = (0..<rows[0].count).map { c in group.reduce(0) { $0 + s[$1] * rows[$1][c] } / total }
                return (group, mean, total)
            }
        }
    }

    @Test("size-weighted average matches the loop reference and conserves total size")
    func average() {
        let (plan, tokens, sizes) = Self.setup()
        let (merged, mergedSizes) = plan.averaged(tokens, sizes: sizes)
        #expect(merged.shape == [2, 6, 4] && mergedSizes.shape == [2, 6])
        for (b, groups) in Self.groupMeans(plan, tokens, sizes).enumerated() {
            let rows = Reference.rows(merged, batch: b)
            for (slot, group) in groups.enumerated() {
                expectClose(rows[slot], group.mean, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
                #expect(mergedSizes[b, slot] == group.size)
            }
        }
        #expect(mergedSizes.sum().scalar == sizes.sum().scalar)
    }

    @Test("merging identical tokens returns that token with the summed size")
    func identicalTokens() {
        let vector: [Float] = [0.3, -1.2, 2.5]
        let tokens = Tensor(shape: [1, 6, 3], scalars: (0..<6).flatMap { _ in vector })
        let sizes = Tensor(shape: [1, 6], scalars: [1, 2, 3, 1, 2, 3])
        let plan = BipartiteSoftMatching.plan(metric: tokens, r: 3)
        let (merged, mergedSizes) = plan.averaged(tokens, sizes: sizes)
        #expect(merged.shape == [1, 3, 3])
        expectClose(merged, Tensor(shape: [1, 3, 3], scalars: vector + vector + vector), relativeTolerance: 1e-6)
        #expect(mergedSizes.sum().scalar == 12)
        let (fused, _) = plan.mlerp(tokens, sizes: sizes)
        expectClose(fused, merged, relativeTolerance: 1e-5)
    }

    @Test("MLERP keeps the mean's direction with the largest member norm")
    func mlerp() {
        let (plan, tokens, sizes) = Self.setup(shape: [2, 11, 5], r: 4, seed: 8)
        let (fused, fusedSizes) = plan.mlerp(tokens, sizes: sizes)
        let (averaged, averagedSizes) = plan.averaged(tokens, sizes: sizes)
        #expect(fusedSizes.scalars == averagedSizes.scalars)
        var mergedGroups = 0
        for (b, groups) in Self.groupMeans(plan, tokens, sizes).enumerated() {
            let rows = Reference.rows(fused, batch: b)
            let inputs = Reference.rows(tokens, batch: b)
            for (slot, group) in groups.enumerated() {
                let largest = group.members.map { Reference.norm(inputs[$0]) }.max() ?? 0
                #expect(abs(Reference.norm(rows[slot]) - largest) <= 1e-5 * largest)
                // Same direction as the mean: the output is a positive multiple of it.
                let meanNorm = Reference.norm(group.mean)
                expectClose(rows[slot].map { $0 / largest }, group.mean.map { $0 / meanNorm }, absoluteTolerance: 1e-5)
                if group.members.count > 1 {
                    mergedGroups += 1
                    // Averaging shrinks the norm; MLERP does not.
                    #expect(meanNorm < largest)
                }
            }
        }
        #expect(mergedGroups >= 2)
        #expect(averaged.norm().scalar < fused.norm().scalar)
    }

    @Test("pruning keeps destinations and lone tokens unchanged and moves sizes to destinations")
    func prune() {
        let (plan, tokens, sizes) = Self.setup()
        let (pruned, prunedSizes) = plan.pruned(tokens, sizes: sizes)
        let (_, averagedSizes) = plan.averaged(tokens, sizes: sizes)
        #expect(prunedSizes.scalars == averagedSizes.scalars)
        for b in 0..<2 {
            let inputs = Reference.rows(tokens, batch: b)
            let outputs = Reference.rows(pruned, batch: b)
            let row = plan.rows[b]
            let standIns = row.kept + Array(stride(from: 1, to: row.validLength, by: 2))
            #expect(outputs == standIns.map { inputs[$0] })
        }
    }

    @Test("reductions dispatch to the plan's operations")
    func dispatch() {
        let (plan, tokens, sizes) = Self.setup()
        #expect(TokenReduction.average.reduce(tokens, sizes: sizes, plan: plan).tokens.scalars == plan.averaged(tokens, sizes: sizes).tokens.scalars)
        #expect(TokenReduction.prune.reduce(tokens, sizes: sizes, plan: plan).tokens.scalars == plan.pruned(tokens, sizes: sizes).tokens.scalars)
        #expect(TokenReduction.mlerp.reduce(tokens, sizes: sizes, plan: plan).tokens.scalars == plan.mlerp(tokens, sizes: sizes).tokens.scalars)
        #expect(!TokenReduction.attentionPruning(.fusedSum).usesBipartiteMatching)
        #expect(TokenReduction.attentionPruning(.fusedMean).description == "evit-fused-mean")
    }

    @Test("gradients flow through average, MLERP and prune steps")
    func gradients() {
        // Distinct token norms, so a finite-difference step never changes MLERP's largest member.
        let (plan, _, sizes) = Self.setup(shape: [2, 7, 3], r: 2, seed: 4)
        let directions = testTensor([2, 7, 3], seed: 13)
        let scales = Tensor(shape: [2, 7, 1], scalars: (0..<14).map { Float(($0 * 5) % 14) * 0.15 + 0.5 })
        let tokens = directions / directions.norm(alongAxes: [2], keepingDimensions: true) * scales
        checkGradients(of: { plan.averaged($0[0], sizes: sizes).tokens }, at: [tokens])
        checkGradients(of: { plan.pruned($0[0], sizes: sizes).tokens }, at: [tokens])
        checkGradients(of: { plan.mlerp($0[0], sizes: sizes).tokens }, at: [tokens])
    }
}
