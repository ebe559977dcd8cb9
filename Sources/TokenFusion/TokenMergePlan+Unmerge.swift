import PruningCore

extension TokenMergePlan {
    /// ToMe's `unmerge` (used by ToMe for Stable Diffusion, which needs a dense output): every
    /// input token receives the value of the output token that holds it — a merged source gets
    /// its destination's value — and dropped padding gets zeros.
    ///
    /// Differentiable with respect to `tokens` (a gather).
    ///
    /// - Parameter tokens: `[batch, outputTokenCount, channels]`.
    /// - Returns: `[batch, inputTokenCount, channels]`.
    public func unmerged(_ tokens: Tensor) -> Tensor {
        precondition(tokens.rank == 3 && tokens.shape[0] == batchSize && tokens.shape[1] == outputTokenCount,
                     "TokenMergePlan.unmerged: tokens \(tokens.shape) should be [\(batchSize), \(outputTokenCount), channels]")
        if isIdentity { return tokens }
        let channels = tokens.shape[2]
        let rows = batchSize * outputTokenCount
        // One zero row after the outputs stands for "no output".
        let flat = Tensor.concatenate(
            [tokens.reshaped(to: [rows, channels]), Tensor.zeros([1, channels])], alongAxis: 0)
        return flat.indexSelect(flatSlots.map { $0 < 0 ? rows : $0 }, alongAxis: 0)
            .reshaped(to: [batchSize, inputTokenCount, channels])
    }
}
