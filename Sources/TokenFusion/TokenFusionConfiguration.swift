/// The settings of a token-reduced forward pass: how many tokens each layer removes, how, and
/// what is tracked.
///
/// ```swift
/// let tome = TokenFusionConfiguration.tome(.constant(8))
/// let tofu = TokenFusionConfiguration.tofu(.constant(8))
/// let evit = TokenFusionConfiguration.attentionPruning(.constant(8), droppedTokens: .fusedSum)
/// ```
public struct TokenFusionConfiguration: Sendable, Hashable {
    /// The number of tokens each layer removes.
    public var schedule: MergeSchedule
    /// The reduction each layer uses.
    public var strategy: ReductionStrategy
    /// Whether attention adds `log size` to the key logits (ToMe's `prop_attn`, default on as
    /// in `tome.patch.timm`; see ``ProportionalAttention``).
    public var proportionalAttention: Bool
    /// Whether token 0 (`[CLS]`, a ViT's class token) is never merged away and stays first.
    /// Attention pruning always treats token 0 as the class token.
    public var protectsClassToken: Bool
    /// Whether the result carries ``TokenSources`` (ToMe's `trace_source`).
    public var tracksSources: Bool

    /// A configuration; see the properties.
    public init(
        schedule: MergeSchedule, strategy: ReductionStrategy, proportionalAttention: Bool = true,
        protectsClassToken: Bool = true, tracksSources: Bool = false
    ) {
        self.schedule = schedule
        self.strategy = strategy
        self.proportionalAttention = proportionalAttention
        self.protectsClassToken = protectsClassToken
        self.tracksSources = tracksSources
    }

    /// No reduction: the model's own forward pass.
    public static let identity = TokenFusionConfiguration(schedule: .constant(0), strategy: .tome)

    /// ToMe (Bolya et al., 2023): size-weighted averaging in every layer, proportional attention.
    public static func tome(_ schedule: MergeSchedule) -> TokenFusionConfiguration {
        TokenFusionConfiguration(schedule: schedule, strategy: .tome)
    }

    /// ToFu (Kim et al., 2024): pruning before `firstMergingLayer`, MLERP from it on (nil: the
    /// default split of ``ReductionStrategy/tofu(firstMergingLayer:)``), proportional attention.
    public static func tofu(_ schedule: MergeSchedule, firstMergingLayer: Int? = nil) -> TokenFusionConfiguration {
        TokenFusionConfiguration(schedule: schedule, strategy: .tofu(firstMergingLayer: firstMergingLayer))
    }

    /// The EViT-style pruning baseline (Liang et al., 2022): tokens selected by class-token
    /// attention, without proportional attention (EViT has none).
    public static func attentionPruning(_ schedule: MergeSchedule, droppedTokens: DroppedTokens) -> TokenFusionConfiguration {
        TokenFusionConfiguration(
            schedule: schedule, strategy: .uniform(.attentionPruning(droppedTokens)),
            proportionalAttention: false)
    }
}
