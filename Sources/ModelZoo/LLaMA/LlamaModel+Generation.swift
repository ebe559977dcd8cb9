import PruningCore

extension LlamaModel {
    /// Continues `prompts` (rows of equal length) token by token with the key–value cache.
    ///
    /// Each step feeds only the new tokens; the LM head runs only on the last position. A row
    /// stops after producing a token in `stopTokens`; the others go on until `maxNewTokens`.
    /// Runs without recording gradients. Rows are sampled in order, so a seed fixes the result.
    ///
    /// - Parameters:
    ///   - prompts: one or more prompts of equal, non-zero length.
    ///   - maxNewTokens: the most tokens to add to each row.
    ///   - sampling: greedy or sampled decoding.
    ///   - stopTokens: tokens that end a row (nil: the configuration's EOS, if any).
    ///   - generator: the source of randomness for sampling (unused when greedy).
    /// - Returns: the new tokens of each row, ending with the stop token when one was produced.
    /// - Precondition: prompt length plus `maxNewTokens` is at most
    ///   ``LlamaConfiguration/maxPositions``.
    public func generate(
        from prompts: [[Int]], maxNewTokens: Int, sampling: LlamaSampling = .greedy, stopTokens: Set<Int>? = nil,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        precondition(!prompts.isEmpty, "LlamaModel.generate: no prompts")
        let length = prompts[0].count
        precondition(length > 0, "LlamaModel.generate: the prompts are empty")
        precondition(maxNewTokens >= 0, "LlamaModel.generate: maxNewTokens \(maxNewTokens) is negative")
        precondition(
            length + maxNewTokens <= configuration.maxPositions,
            "LlamaModel.generate: \(length) prompt tokens + \(maxNewTokens) new tokens exceed \(configuration.maxPositions) positions")
        let stops = stopTokens ?? configuration.eosTokenID.map { [$0] } ?? []
        var outputs = [[Int]](repeating: [], count: prompts.count)
        guard maxNewTokens > 0 else { return outputs }
        return withoutGradients {
            let caches = makeCaches()
            var last = hiddenStates(for: prompts, caches: caches).sliced(alongAxis: 1, from: length - 1, count: 1)
            var finished = [Bool](repeating: false, count: prompts.count)
            var fed = prompts.map { $0[length - 1] }
            for step in 0..<maxNewTokens {
                let scores = logits(fromHiddenStates: last)  // [batch, 1, vocab]
                let vocabulary = scores.shape[2]
                scores.withUnsafeBufferPointer { all in
                    for row in 0..<prompts.count where !finished[row] {
                        let slice = UnsafeBufferPointer(rebasing: all[(row * vocabulary)..<((row + 1) * vocabulary)])
                        let token = sampling.nextToken(fromLogits: slice, using: &generator)
                        outputs[row].append(token)
                        fed[row] = token
                        if stops.contains(token) { finished[row] = true }
                    }
                }
                if step == maxNewTokens - 1 || !finished.contains(false) { break }
                // Finished rows keep feeding their last token; their outputs are complete.
                last = hiddenStates(for: fed.map { [$0] }, caches: caches)
            }
            return outputs
        }
    }

    /// Continues one prompt with `sampling`; see the batched `generate(from:maxNewTokens:sampling:stopTokens:using:)`.
    public func generate(
        from prompt: [Int], maxNewTokens: Int, sampling: LlamaSampling, stopTokens: Set<Int>? = nil,
        using generator: inout RandomGenerator
    ) -> [Int] {
        generate(from: [prompt], maxNewTokens: maxNewTokens, sampling: sampling, stopTokens: stopTokens, using: &generator)[0]
    }

    /// Continues one prompt greedily (the most likely token at every step).
    public func generate(from prompt: [Int], maxNewTokens: Int, stopTokens: Set<Int>? = nil) -> [Int] {
        var unused = RandomGenerator(seed: 0)
        return generate(from: [prompt], maxNewTokens: maxNewTokens, sampling: .greedy, stopTokens: stopTokens, using: &unused)[0]
    }
}
