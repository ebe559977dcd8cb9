import PruningCore

/// What the evaluations of this package need of a causal language model, dense, pruned or
/// factorized alike: hidden states for rows of tokens and the LM head on them.
///
/// ``LlamaModel`` conforms (pruned models with index lists included); compressed model types in
/// other products conform too, so that ``NextSentenceTask`` and the throughput helpers score them
/// all the same way.
public protocol CausalLanguageModel: AnyObject {
    /// All weights, embeddings included (a tied LM head counted once).
    var totalParameterCount: Int { get }
    /// The final hidden states `[batch, length, hidden]` (after the final norm) for rows of
    /// equal length.
    func finalHiddenStates(for tokens: [[Int]]) -> Tensor
    /// The LM head applied to hidden states `[..., hidden]`, giving `[..., vocab]`.
    func outputLogits(fromHiddenStates hidden: Tensor) -> Tensor
}

extension LlamaModel: CausalLanguageModel {
    /// ``LlamaConfiguration/parameterCount``.
    public var totalParameterCount: Int { configuration.parameterCount }
    /// ``hiddenStates(for:caches:mask:hook:)`` without cache, mask or hook.
    public func finalHiddenStates(for tokens: [[Int]]) -> Tensor { hiddenStates(for: tokens) }
    /// ``logits(fromHiddenStates:)``.
    public func outputLogits(fromHiddenStates hidden: Tensor) -> Tensor { logits(fromHiddenStates: hidden) }
}

extension CausalLanguageModel {
    /// Prefill throughput: tokens per second of one forward pass over `prompt` up to the
    /// next-token logits of its last position, best of `repeats` (timing, not a test).
    public func prefillTokensPerSecond(prompt: [Int], repeats: Int = 3) -> Double {
        withoutGradients {
            var best = Double.infinity
            for _ in 0..<max(repeats, 1) {
                let start = ContinuousClock.now
                let hidden = finalHiddenStates(for: [prompt])
                _ = outputLogits(fromHiddenStates: hidden.sliced(alongAxis: 1, from: prompt.count - 1, count: 1))
                best = min(best, (ContinuousClock.now - start) / .seconds(1))
            }
            return Double(prompt.count) / best
        }
    }
}

extension LlamaModel {
    /// Greedy decoding throughput with a key–value cache: new tokens per second after `prompt`
    /// (timing, not a test).
    public func decodeTokensPerSecond(prompt: [Int], newTokens: Int) -> Double {
        withoutGradients {
            let caches = makeCaches()
            var next = Self.greedyToken(logits(for: prompt, caches: caches))
            let start = ContinuousClock.now
            for _ in 0..<newTokens { next = Self.greedyToken(logits(for: [next], caches: caches)) }
            return Double(newTokens) / ((ContinuousClock.now - start) / .seconds(1))
        }
    }

    /// The most likely next token after the last position of `logits` `[1, length, vocab]`.
    private static func greedyToken(_ logits: Tensor) -> Int {
        let vocabulary = logits.shape[2]
        let last = logits.sliced(alongAxis: 1, from: logits.shape[1] - 1, count: 1).reshaped(to: [vocabulary])
        return last.max(alongAxis: 0).indices[0]
    }
}
