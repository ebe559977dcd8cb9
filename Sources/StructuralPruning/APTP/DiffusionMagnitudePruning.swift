import Foundation
import ModelZoo
import PruningCore

/// The magnitude-pruning baseline of APTP's code (`configs/baselines/pruning/*`): one
/// architecture for every prompt, keeping in every residual block the same fraction of inner
/// GroupNorm groups — those whose `conv1` rows have the largest L1 norm — and the attention
/// heads whose query/key/value rows have the largest L1 norm; no block loses its branch. The
/// fraction is the largest that meets a MAC budget.
public enum DiffusionMagnitudePruning {
    /// The gates `[1, space.size]` keeping at most `keptFraction` of `network`'s MACs (at least
    /// one group per block and one head).
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` for a fraction outside
    ///   (0, 1] or below what the unprunable layers cost.
    public static func gates(for network: DiffusionUNet, keptFraction: Double, cost: DiffusionCostModel) throws(StructuralPruningError) -> Tensor {
        guard keptFraction > 0, keptFraction <= 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        let space = cost.space
        let groupScores = network.blocks.map { block -> [Float] in
            let rows = block.conv1.weight.value.reshaped(to: [block.conv1.outputChannels, -1]).abs().sum(alongAxis: 1).scalars
            return (0..<(rows.count / space.groupSize)).map { g in rows[(g * space.groupSize)..<((g + 1) * space.groupSize)].reduce(0, +) }
        }
        let d = network.attention.headDimension, heads = space.headCount
        let qkv = network.attention.qkv.weight.value.abs().sum(alongAxis: 1).scalars
        let headScores = (0..<heads).map { h in (0..<3).reduce(Float(0)) { sum, part in
            sum + qkv[(part * heads * d + h * d)..<(part * heads * d + (h + 1) * d)].reduce(0, +) } }
        func gates(_ fraction: Double) -> Tensor {
            var values: [Float] = []
            for scores in groupScores { values += mask(scores, keeping: max(1, Int((fraction * Double(scores.count)).rounded()))) }
            values += mask(headScores, keeping: max(1, Int((fraction * Double(heads)).rounded())))
            values += Array(repeating: 1, count: space.blockCount)
            return Tensor(shape: [1, space.size], scalars: values)
        }
        let budget = keptFraction * Double(cost.fullMACs)
        guard Double(cost.multiplyAccumulates(hardGates: gates(0))) <= budget else {
            throw .budgetOutOfRange(field: "keptFraction", value: keptFraction)
        }
        // The MACs grow with the fraction: bisect for the largest one within the budget.
        var (low, high) = (0.0, 1.0)
        for _ in 0..<40 {
            let middle = (low + high) / 2
            if Double(cost.multiplyAccumulates(hardGates: gates(middle))) <= budget { low = middle } else { high = middle }
        }
        return gates(low)
    }

    private static func mask(_ scores: [Float], keeping count: Int) -> [Float] {
        let kept = Set(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(count))
        return scores.indices.map { kept.contains($0) ? 1 : 0 }
    }
}
