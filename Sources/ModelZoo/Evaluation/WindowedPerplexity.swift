import Foundation
import PruningCore

extension CausalLanguageModel {
    /// The perplexity of `ids` under the protocol of non-overlapping windows, for any causal
    /// language model (dense, pruned or factorized).
    ///
    /// `ids` is cut into consecutive windows of `windowLength` tokens (the last one may be
    /// shorter), and each window is evaluated alone, with no context carried over:
    /// - without `beginningOfSequence`, token `t > 0` of a window is scored given tokens
    ///   `0..<t`, and the first token of each window is not scored (it has no context);
    /// - with it, the model reads that token followed by the window, and every window token is
    ///   scored.
    ///
    /// The perplexity is `exp` of the mean negative log-likelihood over all scored tokens. Runs
    /// without recording gradients; the LM head runs on blocks of 128 rows to bound memory, the
    /// per-token log-likelihoods come from the fused `crossEntropy(logits:labels:)` and are
    /// summed in double precision. `Documentation/Perplexity.md` describes the protocol and its
    /// agreement with an independent reference.
    ///
    /// - Parameters:
    ///   - ids: the token stream; every id must be in the model's vocabulary.
    ///   - windowLength: the number of tokens of `ids` per window (at least 2 without
    ///     `beginningOfSequence`, 1 with it; the window must fit the model's positions).
    ///   - beginningOfSequence: a token to put before every window, or nil.
    /// - Returns: the perplexity, the mean negative log-likelihood, the number of scored tokens
    ///   and the tokens fed per second.
    public func windowedPerplexity(of ids: [Int], windowLength: Int, beginningOfSequence: Int? = nil) -> LlamaPerplexity {
        precondition(
            windowLength >= (beginningOfSequence == nil ? 2 : 1),
            "windowedPerplexity: windowLength \(windowLength) scores no token")
        let clock = ContinuousClock()
        let start = clock.now
        var total = 0.0
        var scored = 0
        var fed = 0
        withoutGradients {
            var begin = 0
            while begin < ids.count {
                let window = Array(ids[begin..<Swift.min(begin + windowLength, ids.count)])
                begin += windowLength
                let input = beginningOfSequence.map { [$0] + window } ?? window
                let targets = beginningOfSequence == nil ? Array(window.dropFirst()) : window
                guard !targets.isEmpty else { continue }
                let hidden = finalHiddenStates(for: [input])
                var row = 0
                while row < targets.count {
                    let count = Swift.min(128, targets.count - row)
                    let block = outputLogits(fromHiddenStates: hidden.sliced(alongAxis: 1, from: row, count: count))
                    // The fused cross-entropy (one pass per row, no log-softmax tensor) gives the mean.
                    let mean = crossEntropy(
                        logits: block.reshaped(to: [count, block.shape[2]]), labels: Array(targets[row..<(row + count)]))
                    total += Double(mean.scalar) * Double(count)
                    row += count
                }
                scored += targets.count
                fed += input.count
            }
        }
        let seconds = (clock.now - start) / .seconds(1)
        let mean = scored > 0 ? total / Double(scored) : .nan
        return LlamaPerplexity(
            perplexity: Foundation.exp(mean), meanNegativeLogLikelihood: mean, tokenCount: scored,
            tokensPerSecond: seconds > 0 ? Double(fed) / seconds : .infinity)
    }
}
