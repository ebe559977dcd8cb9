import Memorization
import ModelZoo
import PruningCore

/// Small LLaMA models for the memorization tests.
enum MemorizationTestModels {
    /// A random LLaMA of `hidden` width, two blocks and a `vocabulary`-token table.
    static func random(vocabulary: Int = 48, hidden: Int = 16, seed: UInt64 = 3) -> LlamaModel {
        let configuration = LlamaConfiguration(
            vocabularySize: vocabulary, hiddenSize: hidden, layerCount: 2, headCount: 2, keyValueHeadCount: 1,
            headDimension: hidden / 2, intermediateSize: 2 * hidden, rmsNormEpsilon: 1e-5, ropeTheta: 10_000,
            ropePairing: .halves, tiedEmbeddings: true, maxPositions: 128, bosTokenID: nil, eosTokenID: nil)
        var random = RandomGenerator(seed: seed)
        return try! LlamaModel(configuration: configuration, standardDeviation: 0.3, using: &random)
    }

    /// `count` random canaries of 6+6 tokens over the whole vocabulary of `model`.
    static func canaries(_ count: Int, vocabulary: Int = 48, repetitions: [Int] = [1], seed: UInt64 = 5) -> [ExtractionSample] {
        try! CanarySet.random(
            count: count, prefixLength: 6, suffixLength: 6, pool: Array(0..<vocabulary), repetitions: repetitions, seed: seed)
    }
}
