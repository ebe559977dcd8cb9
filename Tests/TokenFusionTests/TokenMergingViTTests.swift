import ModelZoo
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct TokenMergingViTTests {
    /// 8×8 images in 2×2 patches: 16 patches and a class token, width 8, 3 blocks of 2 heads.
    static func model() -> VisionTransformer {
        var random = RandomGenerator(seed: 71)
        let model = VisionTransformer(
            imageSize: 8, patchSize: 2, inputChannels: 1, classCount: 3, width: 8, depth: 3, heads: 2, using: &random)
        // Larger weights than the 0.02 initialization, so attention and merging matter.
        for (_, parameter) in model.namedParameters() where parameter.shape.count > 1 {
            parameter.value = parameter.value * 20
        }
        model.eval()
        return model
    }

    static let images = testTensor([2, 1, 8, 8], seed: 72)

    @Test("removing nothing reproduces the model's logits bit for bit")
    func identity() {
        let model = Self.model()
        let reference = withoutGradients { model(Self.images) }
        for configuration in [TokenFusionConfiguration.identity, .tofu(.constant(0)), .attentionPruning(.perLayer([]), droppedTokens: .fusedSum)] {
            let logits = withoutGradients { TokenMergingViT(model: model, configuration: configuration)(Self.images) }
            #expect(logits.scalars == reference.scalars)
        }
    }

    @Test("the class token survives every reduction and token counts follow the schedule", arguments: [
        TokenFusionConfiguration.tome(.constant(3)), .tofu(.constant(3)), .attentionPruning(.constant(3), droppedTokens: .fusedSum),
        .tome(.linear(r: 3, inflection: -1)),
    ])
    func classToken(configuration: TokenFusionConfiguration) throws {
        var traced = configuration
        traced.tracksSources = true
        let merged = TokenMergingViT(model: Self.model(), configuration: traced)
        let state = withoutGradients { merged.tokens(Self.images) }
        let expected = try #require(configuration.schedule.tokenCounts(initialTokenCount: 17, layerCount: 3, protectedCount: 1).last)
        #expect(state.validLengths == [expected, expected] && state.tokens.shape == [2, expected, 8])
        let sources = try #require(state.sources)
        for b in 0..<2 { #expect(sources.rows[b][0] == [0]) }
        let logits = withoutGradients { merged(Self.images) }
        #expect(logits.shape == [2, 3])
        let reference = withoutGradients { Self.model()(Self.images) }
        #expect(logits.scalars != reference.scalars)
    }

    @Test("gradients flow through a block with proportional attention and a merge step")
    func gradients() throws {
        let block = Self.model().blocks[1]
        let x = testTensor([1, 9, 8], seed: 73)
        let sizes = Tensor(shape: [1, 9], scalars: [1, 2, 1, 1, 3, 1, 2, 1, 1])
        let mask = ProportionalAttention.mask(sizes: sizes, validLengths: [9], tokenCount: 9)
        let plan = withoutGradients {
            BipartiteSoftMatching.plan(metric: block.attentionHalf(x, mask: mask).key.mean(alongAxis: 1), r: 3, protectsClassToken: true)
        }
        for reduction in [TokenReduction.average, .mlerp, .prune] {
            checkGradients(of: { input in
                let hidden = block.attentionHalf(input[0], mask: mask).hidden
                return block.feedForward(reduction.reduce(hidden, sizes: sizes, plan: plan).tokens)
            }, at: [x])
        }
        let model = Self.model()
        let merged = TokenMergingViT(model: model, configuration: .tome(.constant(3)))
        let (_, gradients) = valueAndGradient(of: model) { merged(Self.images).sum() }
        #expect(try #require(gradients[model.classToken]).norm().scalar > 0)
        #expect(try #require(gradients[model.blocks[0].attention.qkv.weight]).norm().scalar > 0)
    }
}
