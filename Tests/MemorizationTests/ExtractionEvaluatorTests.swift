import Memorization
import ModelZoo
import PruningCore
import Testing

@Suite("Extraction")
struct ExtractionEvaluatorTests {
    @Test("Cached greedy decoding after a prompt equals recomputing the whole sequence at every step")
    func greedyMatchesRecomputation() throws {
        let target = MemorizationTestModels.random()
        let prompt = ConstantSoftPrompt(initialTokens: [5, 6, 7], target: target)
        prompt.vectors.value = prompt.vectors.value * 3
        let prefixes = MemorizationTestModels.canaries(3).map(\.prefix)
        let decoded = ExtractionEvaluator.greedySuffixes(target, prompt: prompt, prefixes: prefixes, length: 5)
        withoutGradients {
            for (row, prefix) in prefixes.enumerated() {
                var tokens = prefix
                var expected: [Int] = []
                for _ in 0..<5 {
                    let inputs = Tensor.concatenate(
                        [prompt.embeddings(forPrefixes: [prefix], target: target)!, target.embeddings(for: [tokens])], alongAxis: 1)
                    let logits = target.logits(embeddings: inputs)
                    let last = logits.sliced(alongAxis: 1, from: logits.shape[1] - 1, count: 1).reshaped(to: [logits.shape[2]])
                    let next = last.max(alongAxis: 0).indices[0]
                    expected.append(next)
                    tokens.append(next)
                }
                #expect(decoded[row] == expected)
            }
        }
    }

    @Test("The suffix loss scores only the suffix tokens")
    func suffixLossScope() throws {
        let target = MemorizationTestModels.random()
        let sample = MemorizationTestModels.canaries(1)[0]
        let loss = withoutGradients { ExtractionEvaluator.suffixLoss(target, prompt: NoPrompt(), samples: [sample]) }.scalar
        // The same quantity from the full next-token logits of prefix + suffix.
        let logits = withoutGradients { target.logits(for: [sample.tokens]) }
        let vocabulary = logits.shape[2]
        let rows = logits.reshaped(to: [sample.tokens.count, vocabulary]).sliced(alongAxis: 0, from: 5, count: 6)
        let reference = crossEntropy(logits: rows, labels: sample.suffix).scalar
        #expect(abs(loss - reference) < 1e-5)
    }

    @Test("A model trained on canaries extracts them; an untrained one does not; repetition helps")
    func memorizedTarget() throws {
        let vocabulary = 64
        let configuration = LlamaConfiguration(
            vocabularySize: vocabulary, hiddenSize: 32, layerCount: 2, headCount: 2, keyValueHeadCount: 1, headDimension: 16,
            intermediateSize: 64, rmsNormEpsilon: 1e-5, ropeTheta: 10_000, ropePairing: .halves, tiedEmbeddings: true,
            maxPositions: 64, bosTokenID: nil, eosTokenID: nil)
        var random = RandomGenerator(seed: 11)
        let target = try LlamaModel(configuration: configuration, using: &random)
        let samples = MemorizationTestModels.canaries(8, vocabulary: vocabulary, repetitions: [1, 12])
        let before = try ExtractionEvaluator().evaluate(target, prompt: NoPrompt(), samples: samples)
        #expect(before.metrics.exactRate == 0)
        let losses = try LanguageModelFineTuning(configuration: .init(epochs: 6, batchSize: 4, learningRate: 1e-2, trainsEmbedding: true))
            .train(target, on: CanarySet.fineTuningSequences(samples, seed: 1))
        #expect(losses.last! < losses.first! / 2)
        let after = try ExtractionEvaluator(batchSize: 3).evaluate(target, prompt: NoPrompt(), samples: samples)
        #expect(after.exactRate(repetitions: 12)! >= 0.75, "\(after.metrics)")
        #expect(after.exactRate(repetitions: 12)! > after.exactRate(repetitions: 1)!)
        #expect(after.metrics.suffixLoss < before.metrics.suffixLoss)
    }

    @Test("Ragged samples, foreign tokens, long prompts and bad batch sizes are refused")
    func badInputs() {
        let target = MemorizationTestModels.random()
        var samples = MemorizationTestModels.canaries(3)
        let evaluator = ExtractionEvaluator()
        #expect(throws: MemorizationError.self) { try evaluator.evaluate(target, prompt: NoPrompt(), samples: []) }
        samples[1].suffix.append(1)
        #expect(throws: MemorizationError.self) { try evaluator.evaluate(target, prompt: NoPrompt(), samples: samples) }
        samples = MemorizationTestModels.canaries(3)
        samples[2].prefix[0] = 48
        #expect(throws: MemorizationError.self) { try evaluator.evaluate(target, prompt: NoPrompt(), samples: samples) }
        samples = MemorizationTestModels.canaries(3)
        #expect(throws: MemorizationError.self) { try evaluator.evaluate(target, prompt: DynamicHardPrompt(length: 7), samples: samples) }
        #expect(throws: MemorizationError.self) { try evaluator.evaluate(target, prompt: ConstantHardPrompt(tokens: [99]), samples: samples) }
        #expect(throws: MemorizationError.self) { try ExtractionEvaluator(batchSize: 0).evaluate(target, prompt: NoPrompt(), samples: samples) }
        #expect(throws: MemorizationError.self) {
            try LanguageModelFineTuning().train(target, on: [[1, 2, 3], [1, 2]])
        }
    }
}
