import Foundation

/// MoDeGPT's global sparsity allocation across layers (Lin et al., 2025, arXiv 2408.09632,
/// Section 3.3).
///
/// Each layer `l` gets a sparsity `φ_l` (the fraction of its parameters removed) with mean
/// `φ̄` over the `L` layers. Layers that change the hidden state more — higher block influence
/// `BI_l = E[1 − cos(h_l, h_{l+1})]` (Men et al., 2024, "ShortGPT", arXiv 2403.03853) — are
/// pruned less:
///
///     φ_l = L · φ̄ · softmax(−BI / ε)_l,
///
/// the solution of the entropy-regularized allocation problem with temperature `ε`. A layer
/// above the cap `φ_max` is set to the cap and its excess is redistributed over the other
/// layers in proportion to their softmax weights, repeatedly until no layer exceeds the cap.
public enum SparsityAllocation {
    /// The per-layer sparsities from block-influence scores.
    ///
    /// - Parameters:
    ///   - scores: `BI_l` for every layer.
    ///   - averageSparsity: `φ̄`, in `[0, maximum]`.
    ///   - temperature: `ε > 0`; small values concentrate the pruning on the least influential
    ///     layers, large ones approach ``uniform(layerCount:averageSparsity:)``.
    ///   - maximum: the cap `φ_max` on any layer.
    /// - Returns: `φ_l`, with mean `φ̄` and every value in `[0, maximum]`.
    public static func blockInfluence(
        scores: [Double], averageSparsity: Double, temperature: Double, maximum: Double
    ) -> [Double] {
        precondition(!scores.isEmpty, "SparsityAllocation: no layers")
        precondition(temperature > 0, "SparsityAllocation: temperature \(temperature) must be positive")
        precondition(
            averageSparsity >= 0 && averageSparsity <= maximum,
            "SparsityAllocation: average sparsity \(averageSparsity) is outside [0, \(maximum)]")
        let count = Double(scores.count)
        let logits = scores.map { -$0 / temperature }
        let top = logits.max()!
        let exponentials = logits.map { Foundation.exp($0 - top) }
        let total = exponentials.reduce(0, +)
        let weights = exponentials.map { $0 / total }

        var capped = [Bool](repeating: false, count: scores.count)
        while true {
            let free = weights.indices.filter { !capped[$0] }
            let freeWeight = free.reduce(0) { $0 + weights[$1] }
            let budget = count * averageSparsity - Double(capped.filter { $0 }.count) * maximum
            let factor = freeWeight > 0 ? budget / freeWeight : 0
            let newlyCapped = free.filter { factor * weights[$0] > maximum }
            if newlyCapped.isEmpty {
                return weights.indices.map { capped[$0] ? maximum : Swift.max(0, factor * weights[$0]) }
            }
            for i in newlyCapped { capped[i] = true }
        }
    }

    /// The same sparsity in every layer.
    public static func uniform(layerCount: Int, averageSparsity: Double) -> [Double] {
        precondition(layerCount > 0, "SparsityAllocation: no layers")
        return Array(repeating: averageSparsity, count: layerCount)
    }
}
