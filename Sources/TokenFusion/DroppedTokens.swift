/// What attention pruning (``AttentionPruningPlan``) does with the tokens it removes.
public enum DroppedTokens: Sendable, Hashable, CustomStringConvertible {
    /// Discarded: their information is lost (EViT without fusion).
    case discarded
    /// Fused into one extra token `Σ aᵢ xᵢ`, weighted by class attention and not renormalized —
    /// EViT's `extra_token` (Liang et al., 2022). Its norm is about the dropped tokens' share of
    /// attention times theirs; a pre-norm ViT normalizes it before every use, but a post-norm
    /// BERT feeds it to the feed-forward half as it is.
    case fusedSum
    /// Fused into one extra token `Σ aᵢ xᵢ / Σ aᵢ`, the class-attention-weighted *mean*, which
    /// stays on the scale of the hidden states (our variant for post-norm encoders).
    case fusedMean

    /// Whether the dropped tokens become an extra token.
    public var fuses: Bool { self != .discarded }

    /// `discarded`, `fused-sum` or `fused-mean`.
    public var description: String {
        switch self {
        case .discarded: "discarded"
        case .fusedSum: "fused-sum"
        case .fusedMean: "fused-mean"
        }
    }
}
