import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore

/// What the table measures of a model, dense, pruned (``LlamaModel``) or factorized
/// (``LowRankLlamaModel``) alike.
protocol CausalLanguageModel: AnyObject {
    /// All parameters, embeddings included.
    var totalParameterCount: Int { get }
    /// The final hidden states `[batch, length, hidden]` for rows of equal length.
    func finalHiddenStates(for tokens: [[Int]]) -> Tensor
    /// The LM head applied to hidden states.
    func outputLogits(fromHiddenStates hidden: Tensor) -> Tensor
    /// Perplexity under the ModelZoo protocol (non-overlapping windows, first token of each
    /// window unscored).
    func windowedPerplexity(of ids: [Int], windowLength: Int) -> Double
    /// Greedy decoding throughput with a key–value cache: new tokens per second after
    /// `prompt`, or nil when the model has no cache.
    func decodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double?
}

extension LlamaModel: CausalLanguageModel {
    var totalParameterCount: Int { configuration.parameterCount }
    func finalHiddenStates(for tokens: [[Int]]) -> Tensor { hiddenStates(for: tokens) }
    func outputLogits(fromHiddenStates hidden: Tensor) -> Tensor { logits(fromHiddenStates: hidden) }
    func windowedPerplexity(of ids: [Int], windowLength: Int) -> Double {
        perplexity(of: ids, windowLength: windowLength).perplexity
    }

    func decodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double? {
        withoutGradients {
            let caches = makeCaches()
            var next = Self.argmax(logits(for: prompt, caches: caches))
            let start = ContinuousClock.now
            for _ in 0..<newTokens { next = Self.argmax(logits(for: [next], caches: caches)) }
            return Double(newTokens) / ((ContinuousClock.now - start) / .seconds(1))
        }
    }

    /// The most likely next token after the last position of `logits` `[1, length, vocab]`.
    private static func argmax(_ logits: Tensor) -> Int {
        let vocabulary = logits.shape[2]
        let last = logits.sliced(alongAxis: 1, from: logits.shape[1] - 1, count: 1).reshaped(to: [vocabulary])
        return last.max(alongAxis: 0).indices[0]
    }
}

extension LowRankLlamaModel: CausalLanguageModel {
    var totalParameterCount: Int { parameterCount }
    func finalHiddenStates(for tokens: [[Int]]) -> Tensor { hiddenStates(for: tokens) }
    func outputLogits(fromHiddenStates hidden: Tensor) -> Tensor { logits(fromHiddenStates: hidden) }
    func windowedPerplexity(of ids: [Int], windowLength: Int) -> Double {
        perplexity(of: ids, windowLength: windowLength).perplexity
    }
    func decodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double? { nil }
}

extension CausalLanguageModel {
    /// Prefill throughput: tokens per second of one forward pass over `prompt` up to the next-
    /// token logits, best of `repeats`.
    func prefillTokensPerSecond(prompt: [Int], repeats: Int = 3) -> Double {
        withoutGradients {
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = ContinuousClock.now
                let hidden = finalHiddenStates(for: [prompt])
                _ = outputLogits(fromHiddenStates: hidden.sliced(alongAxis: 1, from: prompt.count - 1, count: 1))
                best = min(best, (ContinuousClock.now - start) / .seconds(1))
            }
            return Double(prompt.count) / best
        }
    }
}
