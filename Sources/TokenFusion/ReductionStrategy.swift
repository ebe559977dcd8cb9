/// Which ``TokenReduction`` each layer uses.
///
/// ToFu (Kim et al., 2024, "Token Fusion: Bridging the Gap between Token Pruning and Token
/// Merging", arXiv:2312.01026) argues that pruning suits layers that respond non-linearly to
/// interpolated inputs — a merged token is an interpolation the layer has never seen — and
/// merging suits layers that respond almost linearly, and that early layers are the non-linear
/// ones: so it prunes early and merges (with norm-preserving MLERP) later.
///
/// The paper's own split is not in the sources we have. ``tofu(firstMergingLayer:)`` with no
/// argument uses the split of the public re-implementations (PiToMe, OpenToMe): layer `i` merges
/// when `i > L / 2` — for 12 layers, 0–6 prune and 7–11 merge; for MiniLM's 6 layers, 0–3 prune
/// and 4–5 merge. ``LinearityProbe`` measures the split on a model instead.
public enum ReductionStrategy: Sendable, Hashable {
    /// The same reduction in every layer (ToMe is `.uniform(.average)`).
    case uniform(TokenReduction)
    /// ToFu: ``TokenReduction/prune`` before `firstMergingLayer`, ``TokenReduction/mlerp`` from
    /// it on; nil means `L / 2 + 1` (the re-implementations' `i > L // 2`).
    case tofu(firstMergingLayer: Int?)
    /// An explicit reduction per layer.
    case perLayer([TokenReduction])

    /// ToMe: size-weighted averaging everywhere.
    public static let tome = ReductionStrategy.uniform(.average)

    /// The reduction of each of `layerCount` layers.
    ///
    /// - Precondition: a per-layer list has exactly `layerCount` entries.
    public func reductions(layerCount: Int) -> [TokenReduction] {
        switch self {
        case .uniform(let reduction):
            return [TokenReduction](repeating: reduction, count: layerCount)
        case .tofu(let first):
            let split = first ?? (layerCount / 2 + 1)
            return (0..<layerCount).map { $0 < split ? .prune : .mlerp }
        case .perLayer(let list):
            precondition(list.count == layerCount,
                          "ReductionStrategy: \(list.count) per-layer reductions for \(layerCount) layers")
            return list
        }
    }
}
