import PruningCore

extension TokenMergePlan {
    /// ToMe's size-weighted average merge (`merge_wavg` in `tome/merge.py`): each output token is
    /// `Σ sᵢ xᵢ / Σ sᵢ` over its group (a B destination with the sources merged into it, or a lone
    /// token), and its size is `Σ sᵢ`.
    ///
    /// Differentiable with respect to `tokens` (a gather, a scale and an index-add); the sizes are
    /// token counts and carry no gradient.
    ///
    /// - Parameters:
    ///   - tokens: `[batch, inputTokenCount, channels]`.
    ///   - sizes: the number of original tokens each token stands for, `[batch, inputTokenCount]`.
    /// - Returns: tokens `[batch, outputTokenCount, channels]` and sizes `[batch, outputTokenCount]`.
    public func averaged(_ tokens: Tensor, sizes: Tensor) -> (tokens: Tensor, sizes: Tensor) {
        checkInputs(tokens, sizes: sizes)
        if isIdentity { return (tokens, sizes) }
        let mergedSizes = summedSizes(sizes)
        let sums = groupSums(tokens * sizes.detached().unsqueezed(at: 2))
        let channels = tokens.shape[2]
        let averages = sums / mergedSizes.reshaped(to: [batchSize * outputTokenCount, 1])
        return (averages.reshaped(to: [batchSize, outputTokenCount, channels]), mergedSizes)
    }

    /// The sizes of the output tokens, `[batch, outputTokenCount]`: the sum of the sizes of the
    /// input tokens each one holds (merged or pruned sources included).
    public func summedSizes(_ sizes: Tensor) -> Tensor {
        precondition(sizes.shape == [batchSize, inputTokenCount],
                     "TokenMergePlan: sizes \(sizes.shape) should be [\(batchSize), \(inputTokenCount)]")
        let slots = flatSlots
        return Tensor(shape: [batchSize, outputTokenCount]) { out in
            out.initialize(repeating: 0)
            sizes.withUnsafeBufferPointer { s in
                for (input, slot) in slots.enumerated() where slot >= 0 { out[slot] += s[input] }
            }
        }
    }

    /// `Σ xᵢ` over each output token's group, `[batch · outputTokenCount, channels]`, for
    /// `values` `[batch, inputTokenCount, channels]` (differentiable).
    func groupSums(_ values: Tensor) -> Tensor {
        let channels = values.shape[2]
        let flat = values.reshaped(to: [batchSize * inputTokenCount, channels])
        let kept = flatSlots.indices.filter { flatSlots[$0] >= 0 }
        let contributions = kept.count == flatSlots.count ? flat : flat.indexSelect(kept, alongAxis: 0)
        return Tensor.zeros([batchSize * outputTokenCount, channels])
            .indexAdding(contributions, at: kept.map { flatSlots[$0] }, alongAxis: 0)
    }

    /// Checks that `tokens` `[batch, inputTokenCount, channels]` and `sizes` `[batch,
    /// inputTokenCount]` fit this plan.
    func checkInputs(_ tokens: Tensor, sizes: Tensor) {
        precondition(tokens.rank == 3 && tokens.shape[0] == batchSize && tokens.shape[1] == inputTokenCount,
                     "TokenMergePlan: tokens \(tokens.shape) should be [\(batchSize), \(inputTokenCount), channels]")
        precondition(sizes.shape == [batchSize, inputTokenCount],
                     "TokenMergePlan: sizes \(sizes.shape) should be [\(batchSize), \(inputTokenCount)]")
    }
}
