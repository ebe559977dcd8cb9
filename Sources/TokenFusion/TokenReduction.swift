import PruningCore

/// How one layer removes its `r` tokens, between its attention and its MLP.
///
/// The first three share ToMe's bipartite soft matching (``BipartiteSoftMatching``) and differ
/// only in what a matched group becomes; the last selects tokens by class-token attention
/// instead (``AttentionPruningPlan``).
public enum TokenReduction: Sendable, Hashable, CustomStringConvertible {
    /// ToMe's size-weighted average (Bolya et al., 2023): ``TokenMergePlan/averaged(_:sizes:)``.
    case average
    /// ToFu's pruning: sources dropped, destinations unchanged
    /// (``TokenMergePlan/pruned(_:sizes:)``).
    case prune
    /// ToFu's norm-preserving MLERP merge (``TokenMergePlan/mlerp(_:sizes:epsilon:)``).
    case mlerp
    /// EViT's token reorganization (Liang et al., 2022, "Not All Patches are What You Need",
    /// arXiv:2202.07800): keep the tokens the class token attends to most and drop the others
    /// or fuse them into one extra token (``AttentionPruningPlan``, ``DroppedTokens``).
    case attentionPruning(DroppedTokens)

    /// Whether the reduction acts on a bipartite matching.
    public var usesBipartiteMatching: Bool {
        if case .attentionPruning = self { return false }
        return true
    }

    /// `average`, `prune`, `mlerp`, or `evit-` and the ``DroppedTokens`` description.
    public var description: String {
        switch self {
        case .average: "average"
        case .prune: "prune"
        case .mlerp: "mlerp"
        case .attentionPruning(let dropped): "evit-\(dropped)"
        }
    }

    /// Applies a bipartite reduction to `tokens` `[batch, tokens, channels]` with `sizes`
    /// `[batch, tokens]`.
    ///
    /// - Precondition: ``usesBipartiteMatching``.
    public func reduce(_ tokens: Tensor, sizes: Tensor, plan: TokenMergePlan) -> (tokens: Tensor, sizes: Tensor) {
        switch self {
        case .average: plan.averaged(tokens, sizes: sizes)
        case .prune: plan.pruned(tokens, sizes: sizes)
        case .mlerp: plan.mlerp(tokens, sizes: sizes)
        case .attentionPruning:
            preconditionFailure("TokenReduction.reduce: \(self) does not use a bipartite matching")
        }
    }
}
