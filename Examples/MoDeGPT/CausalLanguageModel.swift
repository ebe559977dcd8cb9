import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore

/// What the table measures of a model beyond ``CausalLanguageModel``: perplexity and, where the
/// model has a key–value cache, decoding throughput.
protocol ComparedModel: CausalLanguageModel {
    /// Perplexity under the ModelZoo protocol (non-overlapping windows, first token of each
    /// window unscored).
    func windowedPerplexity(of ids: [Int], windowLength: Int) -> Double
    /// Greedy decoding throughput with a key–value cache: new tokens per second after
    /// `prompt`, or nil when the model has no cache.
    func cachedDecodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double?
}

extension LlamaModel: ComparedModel {
    func windowedPerplexity(of ids: [Int], windowLength: Int) -> Double {
        perplexity(of: ids, windowLength: windowLength).perplexity
    }
    func cachedDecodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double? {
        decodeTokensPerSecond(prompt: prompt, newTokens: newTokens)
    }
}

extension LowRankLlamaModel: ComparedModel {
    func windowedPerplexity(of ids: [Int], windowLength: Int) -> Double {
        perplexity(of: ids, windowLength: windowLength).perplexity
    }
    func cachedDecodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double? { nil }
}
