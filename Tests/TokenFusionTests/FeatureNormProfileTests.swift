import ModelZoo
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct FeatureNormProfileTests {
    static let images = testTensor([2, 1, 8, 8], seed: 81)

    @Test("the observer sees every layer; unreduced, its tokens are the blocks' own outputs bit for bit")
    func observerIdentity() {
        let model = TokenMergingViTTests.model()
        let input = withoutGradients { model.embed(Self.images) }
        var traces: [LayerTrace] = []
        _ = withoutGradients { TokenFusionConfiguration.identity.forward(input, through: model.blocks) { traces.append($0) } }
        #expect(traces.map(\.layer) == [0, 1, 2])
        var x = input
        for (block, trace) in zip(model.blocks, traces) {
            let hidden = withoutGradients { block.attentionHalf(x, mask: nil).hidden }
            x = withoutGradients { block(x) }
            #expect(trace.reduced.tokens.scalars == hidden.scalars)
            #expect(trace.output.tokens.scalars == x.scalars)
            #expect(!trace.output.isReduced)
        }
    }

    @Test("reduced token counts follow the schedule; output keeps the reduced layout")
    func observerCounts() throws {
        let model = TokenMergingViTTests.model()
        var traces: [LayerTrace] = []
        _ = withoutGradients {
            TokenFusionConfiguration.tofu(.constant(2)).forward(model.embed(Self.images), through: model.blocks) { traces.append($0) }
        }
        let expected = MergeSchedule.constant(2).tokenCounts(initialTokenCount: 17, layerCount: 3, protectedCount: 1)
        #expect(traces.map { $0.reduced.validLengths } == expected.map { [$0, $0] })
        #expect(traces.map { $0.output.validLengths } == expected.map { [$0, $0] })
        #expect(traces.allSatisfy { $0.output.sizes.scalars == $0.reduced.sizes.scalars })
    }

    @Test("the norm sum matches a loop reference and skips padding")
    func normSum() {
        let tokens = testTensor([2, 4, 3], seed: 82)
        let values = tokens.scalars
        var expected = 0.0
        for (b, length) in [3, 1].enumerated() {
            for t in 0..<length {
                let row = values[((b * 4 + t) * 3)..<((b * 4 + t + 1) * 3)]
                expected += Double(row.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot())
            }
        }
        var profile = FeatureNormProfile(layerCount: 1)
        let reduced = ReducedTokens(tokens: tokens, validLengths: [3, 1])
        profile.record(LayerTrace(layer: 0, reduced: reduced, output: reduced))
        #expect(profile.tokenCounts == [4])
        #expect(abs(profile.afterReduction[0] - expected / 4) < 1e-6 && abs(profile.output[0] - expected / 4) < 1e-6)
        #expect(profile.tokensPerRow(rowCount: 2) == [2])
    }

    @Test("averaging shrinks the merged tokens' norms, MLERP does not, at the first reducing layer")
    func mergeNorms() {
        let model = TokenMergingViTTests.model()
        let batches = [(tokens: withoutGradients { model.embed(Self.images) }, validLengths: [Int]?.none)]
        func profile(_ reduction: TokenReduction) -> FeatureNormProfile {
            FeatureNormProfile.measure(
                TokenFusionConfiguration(schedule: .perLayer([3]), strategy: .uniform(reduction)), batches: batches,
                through: model.blocks)
        }
        let (average, mlerp, none) = (profile(.average), profile(.mlerp), FeatureNormProfile.measure(.identity, batches: batches, through: model.blocks))
        // Layer 0 is identical up to the merge; a merged token's norm is ≤ (average) or = (MLERP)
        // its largest member's, and the members are not parallel.
        #expect(mlerp.afterReduction[0] > average.afterReduction[0])
        #expect(average.tokenCounts == [2 * 14, 2 * 14, 2 * 14] && none.tokenCounts == [2 * 17, 2 * 17, 2 * 17])
        // Unreduced, the profile is the mean norm of each block's output.
        var x = batches[0].tokens
        for (layer, block) in model.blocks.enumerated() {
            x = withoutGradients { block(x) }
            let norms = x.norm(alongAxes: [2]).scalars
            #expect(abs(none.output[layer] - Double(norms.reduce(0, +)) / Double(norms.count)) < 1e-4)
        }
    }

    @Test("gradients flow through a whole ToFu forward pass (pruning, then MLERP or averaging)")
    func forwardGradients() {
        let model = TokenMergingViTTests.model()
        let x = withoutGradients { model.embed(testTensor([1, 1, 8, 8], seed: 83)) }
        // Three blocks: ToFu's default split prunes in blocks 0 and 1 and merges in block 2.
        for strategy in [ReductionStrategy.tofu(firstMergingLayer: nil), .perLayer([.prune, .prune, .average])] {
            let configuration = TokenFusionConfiguration(schedule: .constant(2), strategy: strategy)
            checkGradients(of: { configuration.forward($0[0], through: model.blocks).tokens }, at: [x], step: 1e-3,
                           relativeTolerance: 3e-2, absoluteTolerance: 3e-2)
        }
    }

    @Test("a few AdamW steps with ToFu on lower the training loss and reach every parameter")
    func fineTuning() throws {
        let model = TokenMergingViTTests.model()
        model.train()
        let merged = TokenMergingViT(model: model, configuration: .tofu(.constant(2)))
        let images = testTensor([6, 1, 8, 8], seed: 84)
        let labels = [0, 1, 2, 0, 1, 2]
        let optimizer = Adam.adamW(learningRate: 3e-3, weightDecay: 0)
        var losses: [Float] = []
        for _ in 0..<8 {
            let (loss, gradients) = valueAndGradient(of: model) { crossEntropy(logits: merged(images), labels: labels) }
            for (name, parameter) in model.namedParameters() {
                #expect(gradients[parameter] != nil, "no gradient for \(name)")
            }
            optimizer.update(model, along: gradients)
            losses.append(loss.scalar)
        }
        let first = try #require(losses.first), last = try #require(losses.last)
        #expect(last < first)
    }
}
