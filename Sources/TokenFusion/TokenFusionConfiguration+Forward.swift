import PruningCore

extension TokenFusionConfiguration {
    /// Runs `blocks` on `tokens`, reducing the tokens between each block's attention and MLP as
    /// configured (ToMe's `ToMeBlock.forward`): attention (with proportional attention once
    /// sizes differ from 1), then this layer's reduction of `r` tokens, then the MLP on the
    /// reduced tokens.
    ///
    /// A layer with `r = 0` runs exactly the block's own operations, so a configuration that
    /// removes nothing reproduces the unreduced forward pass bit for bit. Differentiable with
    /// respect to the tokens and the blocks' parameters (matching and selection are not).
    ///
    /// - Parameters:
    ///   - tokens: the input tokens `[batch, tokens, width]`.
    ///   - validLengths: the real tokens of each row (right padding), or nil.
    ///   - blocks: the layers, in order.
    ///   - observer: called after every layer with what it did (``LayerTrace``), or nil.
    /// - Returns: the final tokens with their sizes, padding and sources.
    public func forward(
        _ tokens: Tensor, validLengths: [Int]? = nil, through blocks: [some TokenMergingBlock],
        observer: ((LayerTrace) -> Void)? = nil
    ) -> ReducedTokens {
        var state = ReducedTokens(tokens: tokens, validLengths: validLengths, tracksSources: tracksSources)
        let schedule = schedule.values(layerCount: blocks.count)
        let reductions = strategy.reductions(layerCount: blocks.count)
        for (layer, block) in blocks.enumerated() {
            let mask = attentionMask(for: state)
            let (hidden, query, key) = block.attentionHalf(state.tokens, mask: mask)
            state.tokens = hidden
            let r = schedule[layer]
            if r > 0 {
                switch reductions[layer] {
                case .attentionPruning(let dropped):
                    let scores = ProportionalAttention.classAttention(query: query, key: key, mask: mask)
                    let plan = AttentionPruningPlan(
                        classAttention: withoutGradients { scores.detached() }, r: r, droppedTokens: dropped,
                        validLengths: state.validLengths)
                    state.reduce(by: plan, classAttention: scores)
                case let reduction:
                    let plan = BipartiteSoftMatching.plan(
                        metric: withoutGradients { key.detached().mean(alongAxis: 1) }, r: r,
                        protectsClassToken: protectsClassToken, validLengths: state.validLengths)
                    state.reduce(by: plan, using: reduction)
                }
            }
            let reduced = state
            state.tokens = block.feedForward(state.tokens)
            observer?(LayerTrace(layer: layer, reduced: reduced, output: state))
        }
        return state
    }

    /// The attention mask for the current tokens: `log size` with padding excluded once tokens
    /// have been reduced (with proportional attention), else the plain padding mask.
    func attentionMask(for state: ReducedTokens) -> AttentionMask? {
        ProportionalAttention.mask(
            sizes: proportionalAttention && state.isReduced ? state.sizes : nil, validLengths: state.validLengths,
            tokenCount: state.tokenCount)
    }
}
