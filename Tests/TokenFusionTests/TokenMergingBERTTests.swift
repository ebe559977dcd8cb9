import ModelZoo
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct TokenMergingBERTTests {
    static let tiny = BERTConfiguration(
        vocabularySize: 30, hiddenSize: 8, layerCount: 3, headCount: 2, intermediateSize: 16, maximumPositionCount: 24)

    static func model() -> BERTEncoder {
        let model = BERTEncoder(configuration: tiny, initializer: .random(seed: 3))
        model.eval()
        return model
    }

    /// Three sequences of 20, 15 and 9 tokens, [CLS] = 1 first.
    static let input = BERTInput(sequences: [20, 15, 9].enumerated().map { row, length in
        [1] + (1..<length).map { ($0 * 7 + row * 5) % 27 + 2 }
    })

    static let configurations: [TokenFusionConfiguration] = [
        .tome(.constant(3)), .tofu(.constant(3), firstMergingLayer: 1),
        .attentionPruning(.constant(3), droppedTokens: .fusedSum), .attentionPruning(.constant(2), droppedTokens: .discarded),
        .attentionPruning(.constant(3), droppedTokens: .fusedMean),
        .tome(.linear(r: 3, inflection: -1)),
    ]

    @Test("removing nothing reproduces the encoder and its sentence embeddings bit for bit")
    func identity() {
        let model = Self.model()
        let reference = withoutGradients { model(Self.input) }
        let pooled = withoutGradients {
            SentenceEncoder.normalized(SentenceEncoder.meanPooled(reference, mask: Self.input.maskTensor))
        }
        let zero: [TokenFusionConfiguration] = [
            .identity, .tome(.constant(0)), .tofu(.perLayer([])), .attentionPruning(.constant(0), droppedTokens: .fusedSum),
        ]
        for configuration in zero {
            let merged = TokenMergingBERT(encoder: model, configuration: configuration)
            let state = withoutGradients { merged(Self.input) }
            #expect(state.tokens.scalars == reference.scalars)
            #expect(!state.isReduced && state.validLengths == [20, 15, 9])
            #expect(withoutGradients { merged.sentenceEmbeddings(Self.input) }.scalars == pooled.scalars)
        }
    }

    @Test("each sentence's reduced embedding does not depend on its batch", arguments: configurations)
    func batchIndependence(configuration: TokenFusionConfiguration) {
        let merged = TokenMergingBERT(encoder: Self.model(), configuration: configuration)
        let batch = withoutGradients { merged.sentenceEmbeddings(Self.input) }
        for row in 0..<3 {
            let alone = withoutGradients { merged.sentenceEmbeddings(BERTInput(sequences: [Self.input.sequence(at: row)])) }
            expectClose(batch.sliced(alongAxis: 0, from: row, count: 1), alone, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        }
    }

    @Test("token counts follow the schedule; the class token and the sources survive")
    func counts() throws {
        var configuration = TokenFusionConfiguration.tofu(.constant(3), firstMergingLayer: 2)
        configuration.tracksSources = true
        let state = withoutGradients { TokenMergingBERT(encoder: Self.model(), configuration: configuration)(Self.input) }
        // 20 → 17 → 14 → 11; 15 → 12 → 9 → 6; 9 → 6 → 4 → 3 (cap (t − 1) / 2).
        #expect(state.validLengths == [11, 6, 3])
        #expect(state.tokens.shape == [3, 11, 8])
        let sources = try #require(state.sources)
        for (b, length) in [20, 15, 9].enumerated() {
            #expect(sources.rows[b][0] == [0])
            #expect(sources.rows[b].flatMap { $0 }.sorted() == Array(0..<length))
            #expect(state.poolingWeights.sum(alongAxis: 1)[b] == Float(length))
        }
        // Without proportional attention the result differs (the sizes do matter).
        var plain = configuration
        plain.proportionalAttention = false
        let other = withoutGradients { TokenMergingBERT(encoder: Self.model(), configuration: plain)(Self.input) }
        #expect(other.tokens.scalars != state.tokens.scalars)
    }

    @Test("gradients flow through a BERT layer with proportional attention and a merge step")
    func gradients() throws {
        let model = Self.model()
        let layer = model.layers[1]
        let x = testTensor([1, 9, 8], seed: 51)
        let sizes = Tensor(shape: [1, 9], scalars: [1, 2, 1, 1, 3, 1, 2, 1, 1])
        let mask = ProportionalAttention.mask(sizes: sizes, validLengths: [9], tokenCount: 9)
        // The plan is fixed (matching carries no gradient); gradients flow through attention with
        // log-size biases, the gathers and sums of each reduction, and the feed-forward half.
        let plan = withoutGradients {
            BipartiteSoftMatching.plan(metric: layer.attentionHalf(x, mask: mask).key.mean(alongAxis: 1), r: 3, protectsClassToken: true)
        }
        for reduction in [TokenReduction.average, .mlerp, .prune] {
            checkGradients(of: { input in
                let hidden = layer.attentionHalf(input[0], mask: mask).hidden
                return layer.feedForward(reduction.reduce(hidden, sizes: sizes, plan: plan).tokens)
            }, at: [x])
        }
        let merged = TokenMergingBERT(encoder: model, configuration: .tofu(.constant(3), firstMergingLayer: 1))
        let (_, gradients) = valueAndGradient(of: model) { merged.sentenceEmbeddings(Self.input).sum() }
        #expect(try #require(gradients[model.layers[2].query.weight]).norm().scalar > 0)
        #expect(try #require(gradients[model.embeddings.wordEmbeddings.weight]).norm().scalar > 0)
    }
}
