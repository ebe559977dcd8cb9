import PruningCore

extension TokenMergePlan {
    /// ToFu's MLERP merge, "a variant of SLERP tailored to merge multiple tokens while
    /// maintaining the norm distribution" (Kim et al., 2024, arXiv:2312.01026): the direction of
    /// the size-weighted mean of a group with the norm of its largest member,
    ///
    ///     m = Σ sᵢ xᵢ / Σ sᵢ,    MLERP = m / max(‖m‖, ε) · maxᵢ ‖xᵢ‖.
    ///
    /// Plain averaging shrinks norms (‖mean‖ ≤ mean of norms) and shifts the feature
    /// distribution; MLERP restores the largest member norm. (Some public re-implementations
    /// divide by the destination's norm before merging instead of ‖m‖; this follows the
    /// definition.) A lone token is returned up to rounding. Sizes add as in
    /// ``averaged(_:sizes:)``.
    ///
    /// Differentiable with respect to `tokens`: through the mean, its norm, and the norm of the
    /// largest member (the maximum's gradient goes to that member, the first on ties).
    ///
    /// - Parameters:
    ///   - tokens: `[batch, inputTokenCount, channels]`.
    ///   - sizes: `[batch, inputTokenCount]`.
    ///   - epsilon: the smallest mean norm divided by (keeps a zero mean finite).
    /// - Returns: tokens `[batch, outputTokenCount, channels]` and sizes `[batch, outputTokenCount]`.
    public func mlerp(_ tokens: Tensor, sizes: Tensor, epsilon: Float = 1e-6) -> (tokens: Tensor, sizes: Tensor) {
        checkInputs(tokens, sizes: sizes)
        if isIdentity { return (tokens, sizes) }
        let (mean, mergedSizes) = averaged(tokens, sizes: sizes)
        let norms = tokens.norm(alongAxes: [2]).reshaped(to: [batchSize * inputTokenCount])
        let largest = largestMembers(norms)
        let maximumNorms = norms.indexSelect(largest, alongAxis: 0).reshaped(to: [batchSize, outputTokenCount, 1])
        let meanNorms = mean.norm(alongAxes: [2], keepingDimensions: true).clamped(min: epsilon)
        return (mean / meanNorms * maximumNorms, mergedSizes)
    }

    /// For each output token, the flat input index of its member with the largest norm (the
    /// first on ties), read from `norms` `[batch · inputTokenCount]`.
    func largestMembers(_ norms: Tensor) -> [Int] {
        var best = [Int](repeating: -1, count: batchSize * outputTokenCount)
        norms.withUnsafeBufferPointer { n in
            for (input, slot) in flatSlots.enumerated() where slot >= 0 {
                if best[slot] < 0 || n[input] > n[best[slot]] { best[slot] = input }
            }
        }
        return best
    }
}
