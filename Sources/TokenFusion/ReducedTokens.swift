import ModelZoo
import PruningCore

/// The tokens of a token-reduced forward pass with what they stand for: their sizes, which of
/// them are padding, and (optionally) which original tokens each one holds.
public struct ReducedTokens: Sendable {
    /// The tokens `[batch, tokens, width]`; in each row the first ``validLengths`` are real,
    /// the rest padding.
    public var tokens: Tensor
    /// The number of original tokens each token stands for `[batch, tokens]` (ToMe's `size`).
    public var sizes: Tensor
    /// The number of real tokens of each row.
    public var validLengths: [Int]
    /// The original tokens each token holds, when tracked.
    public var sources: TokenSources?
    /// Whether a reduction has changed the tokens (sizes may differ from 1).
    public var isReduced: Bool

    /// Unreduced tokens: every size 1.
    ///
    /// - Parameters:
    ///   - tokens: `[batch, tokens, width]`.
    ///   - validLengths: the real tokens of each row, or nil when nothing is padding.
    ///   - tracksSources: whether to start tracking ``sources``.
    public init(tokens: Tensor, validLengths: [Int]? = nil, tracksSources: Bool = false) {
        precondition(tokens.rank == 3, "ReducedTokens: tokens \(tokens.shape) must be [batch, tokens, width]")
        let (batch, count) = (tokens.shape[0], tokens.shape[1])
        let lengths = validLengths ?? [Int](repeating: count, count: batch)
        precondition(lengths.count == batch && lengths.allSatisfy { $0 >= 0 && $0 <= count },
                     "ReducedTokens: valid lengths \(lengths) do not fit tokens \(tokens.shape)")
        self.tokens = tokens
        self.sizes = Tensor.ones([batch, count])
        self.validLengths = lengths
        self.sources = tracksSources ? TokenSources(validLengths: lengths, tokenCount: count) : nil
        self.isReduced = false
    }

    /// The number of tokens per row (padding included).
    public var tokenCount: Int { tokens.shape[1] }

    /// The sizes with 0 on padding, `[batch, tokens]`: the weights of size-weighted pooling.
    public var poolingWeights: Tensor {
        let count = tokenCount
        return Tensor(shape: sizes.shape) { out in
            sizes.withUnsafeBufferPointer { s in
                for (b, length) in validLengths.enumerated() {
                    for t in 0..<count { out[b * count + t] = t < length ? s[b * count + t] : 0 }
                }
            }
        }
    }

    /// The size-weighted mean of the real tokens, `[batch, width]`: `Σ sₜ xₜ / Σ sₜ`, the
    /// mean over the original tokens that ToMe's MAE patch pools (and, unreduced, exactly
    /// sentence-transformers' mean pooling, `SentenceEncoder/meanPooled(_:mask:)`).
    /// Differentiable with respect to the tokens.
    public func sizeWeightedMean() -> Tensor {
        SentenceEncoder.meanPooled(tokens, mask: poolingWeights)
    }

    /// Applies a bipartite reduction step.
    mutating func reduce(by plan: TokenMergePlan, using reduction: TokenReduction) {
        if plan.isIdentity { return }
        (tokens, sizes) = reduction.reduce(tokens, sizes: sizes, plan: plan)
        finish(plan)
    }

    /// Applies an attention-pruning step.
    mutating func reduce(by plan: AttentionPruningPlan, classAttention: Tensor) {
        if plan.isIdentity { return }
        (tokens, sizes) = plan.apply(tokens, sizes: sizes, classAttention: classAttention)
        finish(plan)
    }

    private mutating func finish(_ plan: some TokenReductionPlan) {
        validLengths = plan.outputValidLengths
        sources = sources?.reduced(by: plan)
        isReduced = true
    }
}
