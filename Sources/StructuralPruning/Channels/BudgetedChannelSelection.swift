import PruningCore

/// Chooses hard channel masks from importance scores so that a cost model's kept fraction meets
/// a target, as the classic baselines do:
///
/// - ``Scope/local``: every gated group keeps the same fraction of its channels (its
///   highest-scoring ones) — uniform per-layer pruning;
/// - ``Scope/global``: one ranking over all channels, each group's scores divided by their
///   mean so that layers of different scale compare (Torch-Pruning's group normalization);
///   ties go to the channel ranked higher inside its own group.
///
/// Every group keeps at least one channel. The kept fraction is found by bisection; the
/// result is the largest selection whose cost does not exceed the target, so it meets the
/// budget from below to within one channel's cost.
public struct BudgetedChannelSelection: Sendable {
    /// How channels compete.
    public enum Scope: String, Sendable, CaseIterable, Codable {
        /// The same kept fraction in every group.
        case local
        /// One ranking over all groups.
        case global
    }

    /// The kept fraction of the cost model's full cost, in (0, 1).
    public let target: Double
    /// How channels compete.
    public let scope: Scope

    /// A selection keeping `target` of the cost.
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` outside (0, 1).
    public init(target: Double, scope: Scope) throws(StructuralPruningError) {
        guard target > 0, target < 1 else { throw .budgetOutOfRange(field: "target", value: target) }
        self.target = target
        self.scope = scope
    }

    /// Hard masks for `scores` (one list per gate of `cost`).
    ///
    /// - Throws: ``StructuralPruningError/maskShapeMismatch(gate:expected:actual:)`` for score
    ///   lists that do not fit the gates; ``StructuralPruningError/budgetOutOfRange(field:value:)``
    ///   when even one channel per group costs more than the target (the message gives the
    ///   smallest reachable fraction).
    public func masks(scores: [[Double]], cost: some StructureCostModel) throws(StructuralPruningError) -> [Tensor] {
        let gates = cost.gates
        guard scores.count == gates.count else {
            throw .maskShapeMismatch(gate: "(gate count)", expected: gates.count, actual: scores.count)
        }
        for (gate, list) in zip(gates.gates, scores) where list.count != gate.width {
            throw .maskShapeMismatch(gate: gate.name, expected: gate.width, actual: list.count)
        }
        let orders = scores.map { list in list.indices.sorted { list[$0] > list[$1] } }
        let normalized = scores.map { list -> [Double] in
            let mean = list.reduce(0, +) / Double(max(list.count, 1))
            return list.map { mean > 0 ? $0 / mean : $0 }
        }
        // All channels by normalized score, ties broken by their rank inside their group, then by gate.
        var globalOrder: [(gate: Int, channel: Int, score: Double, rank: Int)] = []
        for (gate, order) in orders.enumerated() {
            for (rank, channel) in order.enumerated() { globalOrder.append((gate, channel, normalized[gate][channel], rank)) }
        }
        globalOrder.sort { ($0.score, -$0.rank, -$0.gate) > ($1.score, -$1.rank, -$1.gate) }
        // keep(t): t ∈ [0, 1] grows monotonically from one channel per group to all of them.
        func keep(_ t: Double) -> [Tensor] {
            switch scope {
            case .local:
                return zip(gates.gates, orders).map { gate, order in
                    let count = max(1, Int((t * Double(gate.width)).rounded(.down)))
                    var mask = [Float](repeating: 0, count: gate.width)
                    for index in order.prefix(count) { mask[index] = 1 }
                    return Tensor(mask)
                }
            case .global:
                var masks = gates.gates.map { [Float](repeating: 0, count: $0.width) }
                for (gate, order) in orders.enumerated() { masks[gate][order[0]] = 1 }
                for entry in globalOrder.prefix(Int((t * Double(globalOrder.count)).rounded(.down))) {
                    masks[entry.gate][entry.channel] = 1
                }
                return masks.map { Tensor($0) }
            }
        }
        let full = cost.fullCost
        func fraction(_ masks: [Tensor]) -> Double { Double(cost.count(hardMasks: masks)) / full }
        let smallest = fraction(keep(0))
        guard smallest <= target else { throw .budgetOutOfRange(field: "target (at least \(smallest) is reachable)", value: target) }
        var low = 0.0, high = 1.0
        for _ in 0..<40 {
            let middle = (low + high) / 2
            if fraction(keep(middle)) <= target { low = middle } else { high = middle }
        }
        return keep(low)
    }
}

extension StructureCostModel {
    /// The cost for hard masks, ``cost(_:)`` rounded to an integer.
    public func count(hardMasks masks: [Tensor]) -> Int { Int(withoutGradients { cost(masks) }.scalars[0].rounded()) }
}
