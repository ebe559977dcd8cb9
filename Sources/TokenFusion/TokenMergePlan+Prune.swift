import PruningCore

extension TokenMergePlan {
    /// ToFu's pruning on a bipartite matching (Kim et al., 2024, "Token Fusion: Bridging the Gap
    /// between Token Pruning and Token Merging", arXiv:2312.01026): the merged sources are
    /// dropped and every destination keeps its own value, so no token is ever an interpolation of
    /// others (ToMe's `cat([unm, dst])` with `dst` untouched).
    ///
    /// The size of a destination still grows by the sizes of the sources dropped into it: a
    /// pruned source was the destination's near-duplicate, and counting it keeps proportional
    /// attention and size-weighted pooling close to the unreduced model, and the total size
    /// conserved. (Public ToFu re-implementations do not track sizes at all; this is our choice.)
    ///
    /// Differentiable with respect to `tokens` (a gather).
    ///
    /// - Parameters:
    ///   - tokens: `[batch, inputTokenCount, channels]`.
    ///   - sizes: `[batch, inputTokenCount]`.
    /// - Returns: tokens `[batch, outputTokenCount, channels]` and sizes `[batch, outputTokenCount]`.
    public func pruned(_ tokens: Tensor, sizes: Tensor) -> (tokens: Tensor, sizes: Tensor) {
        checkInputs(tokens, sizes: sizes)
        if isIdentity { return (tokens, sizes) }
        let channels = tokens.shape[2]
        let kept = tokens.reshaped(to: [batchSize * inputTokenCount, channels])
            .indexSelect(flatRepresentatives, alongAxis: 0)
        return (kept.reshaped(to: [batchSize, outputTokenCount, channels]), summedSizes(sizes))
    }
}
