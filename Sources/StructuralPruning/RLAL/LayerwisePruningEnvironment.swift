import ModelZoo
import PruningCore

/// The pruning environment of an AMC-style agent (He et al., 2018) as RLAL uses it: an episode
/// visits the gated groups of a network in order and each action is one group's pruning ratio.
///
/// - **Action.** A ratio `a_l ∈ [0, a_max]`: the group keeps `k_l = round((1 − a_l) · n_l)`
///   channels, at least ``minimumChannels`` (and at least `⌈(1 − a_max) · n_l⌉`), those of highest
///   filter L1 norm (``ChannelImportance/l1Norm``) on the current weights.
/// - **Budget.** The FLOPs target is enforced by **clipping** each action, as AMC does: group `l`
///   keeps at most as many channels as still lets the groups after it meet the target when they
///   are pruned as far as they may. The last group's clip makes every finished episode meet the
///   target exactly (to one channel's cost), whatever the agent proposes; the taken ratio (not the
///   proposal) is what the agent learns from.
/// - **State.** `7 + L` numbers for `L` gated groups (our choice; the paper names the parts, not
///   their encoding): the position `l/(L−1)`; the group's width over the widest group's; its share
///   of the prunable FLOPs; the prunable FLOPs the earlier actions removed, those of the later
///   groups and those still to remove to meet the target (each as a fraction of the prunable
///   FLOPs); the previous action; and the `L` actions so far (0 for the groups not yet visited).
/// - **Reward.** The top-1 accuracy of the network with the episode's hard masks
///   (``ChannelGating``) on a fixed reward set held out from training, in eval mode. By default
///   (``usesBatchStatistics``) BatchNorm layers normalize with the statistics of each reward batch of
///   up to 500 images instead of the running statistics of the unpruned network, and the running
///   statistics are restored afterwards: removing a block's inner channels shifts the
///   distribution its second BatchNorm sees, and with stale statistics every sub-network of a
///   network not yet aligned to it scores near chance, so rewards would not rank architectures
///   (the "adaptive BatchNorm" of Li et al., ECCV 2020, EagleEye; our choice — the paper does
///   not say). Set it to false for the plain eval-mode accuracy.
public final class LayerwisePruningEnvironment<Model: ChannelPrunable & Layer> {
    /// The network being pruned (its weights may change between episodes).
    public let model: Model
    /// The gated groups, visited in this order.
    public let gating: ChannelGating
    /// FLOPs (the papers' count) under masks.
    public let cost: ChannelCostModel
    /// The kept fraction of prunable FLOPs every episode must meet.
    public let keptFraction: Double
    /// The largest pruning ratio of one group, `a_max`.
    public let maximumRatio: Double
    /// The fewest channels a group keeps (capped at its width).
    public let minimumChannels: Int
    /// The images the reward is measured on.
    public let rewardSet: ImageClassificationDataSet
    /// Whether rewards normalize with each reward batch's BatchNorm statistics (default) or
    /// with the running statistics.
    public var usesBatchStatistics = true

    /// The number of numbers in a state.
    public var stateSize: Int { 7 + layerCount }
    /// The number of actions per episode (gated groups).
    public var layerCount: Int { gating.groups.count }
    /// The FLOPs target on the whole network.
    public let targetCost: Double

    /// Channel widths, the fewest channels each group may keep and per-channel prunable FLOPs.
    let widths: [Int]
    let smallestKept: [Int]
    let shares: [Double]
    private var scores: [[Double]]

    /// An environment on the groups `gatedGroups` of `model` (nil: the `.inner`/`.hidden` groups,
    /// or all).
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` for a kept fraction
    ///   outside (0, 1) or one that even the largest ratios cannot reach;
    ///   ``StructuralPruningError/invalidSetting(field:value:expected:)`` for `a_max` outside
    ///   (0, 1), a minimum below 1 or an empty reward set.
    public init(
        model: Model, inputShape: [Int], gatedGroups: [String]? = nil, keptFraction: Double, maximumRatio: Double = 0.8,
        minimumChannels: Int = 4, rewardSet: ImageClassificationDataSet
    ) throws {
        guard keptFraction > 0, keptFraction < 1 else { throw StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        guard maximumRatio > 0, maximumRatio < 1 else {
            throw StructuralPruningError.invalidSetting(field: "maximumRatio", value: maximumRatio, expected: "a ratio in (0, 1)")
        }
        guard minimumChannels >= 1 else {
            throw StructuralPruningError.invalidSetting(field: "minimumChannels", value: Double(minimumChannels), expected: "≥ 1")
        }
        guard rewardSet.count > 0 else { throw StructuralPruningError.invalidSetting(field: "rewardSet", value: 0, expected: "a non-empty data set") }
        let names = gatedGroups ?? ChannelGating.defaultGroupNames(of: model)
        self.model = model
        gating = try ChannelGating(model: model, gatedGroups: names)
        cost = try ChannelCostModel(model: model, inputShape: inputShape, gatedGroups: names, measure: .flops)
        self.keptFraction = keptFraction
        self.maximumRatio = maximumRatio
        self.minimumChannels = minimumChannels
        self.rewardSet = rewardSet
        widths = gating.groups.map(\.size)
        smallestKept = widths.map { width in
            min(width, max(minimumChannels, Int((Double(width) * (1 - maximumRatio)).rounded(.up))))
        }
        targetCost = (cost.fullCost - cost.prunableCost) + keptFraction * cost.prunableCost
        // FLOPs per kept channel of each group: the cost model is linear in one group's count
        // when the others are fixed, and the blocks' inner groups do not interact.
        let groupWidths = gating.groups.map(\.size)
        let costModel = cost
        let full = Double(costModel.count(hardMasks: groupWidths.map { Tensor.ones([$0]) }))
        shares = groupWidths.indices.map { index in
            var masks = groupWidths.map { Tensor.ones([$0]) }
            masks[index] = Tensor.zeros([groupWidths[index]])
            return (full - Double(costModel.count(hardMasks: masks))) / Double(groupWidths[index])
        }
        scores = []
        let reachable = Double(costOf(keptCounts: smallestKept))
        guard reachable <= targetCost else {
            let fraction = (reachable - (cost.fullCost - cost.prunableCost)) / cost.prunableCost
            throw StructuralPruningError.budgetOutOfRange(
                field: "keptFraction (the largest ratios \(maximumRatio) keep \(fraction) of the prunable FLOPs)", value: keptFraction)
        }
        try refreshScores()
    }

    /// Re-ranks every group's channels by the current weights' filter L1 norms (call after the
    /// weights change; episodes use the ranking of the last call).
    public func refreshScores() throws {
        scores = try ChannelImportance.l1Norm.scores(model, gating: gating)
    }

    /// The whole network's FLOPs with `keptCounts` channels in the gated groups.
    public func costOf(keptCounts: [Int]) -> Int {
        cost.count(hardMasks: zip(widths, keptCounts).map { width, kept in
            Tensor((0..<width).map { $0 < kept ? Float(1) : 0 })
        })
    }

    /// The kept fraction of prunable FLOPs with `keptCounts` channels in the gated groups.
    public func prunableFraction(keptCounts: [Int]) -> Double {
        (Double(costOf(keptCounts: keptCounts)) - (cost.fullCost - cost.prunableCost)) / cost.prunableCost
    }

    /// Hard masks keeping, in each group, its `keptCounts` channels of highest score.
    public func masks(keptCounts: [Int]) -> [Tensor] {
        zip(scores, keptCounts).map { list, kept in
            var mask = [Float](repeating: 0, count: list.count)
            for index in list.indices.sorted(by: { list[$0] > list[$1] }).prefix(kept) { mask[index] = 1 }
            return Tensor(mask)
        }
    }

    /// The state before the action on group `layer`, given the counts kept by the earlier ones.
    public func state(layer: Int, keptCounts: [Int], actions: [Double]) -> [Float] {
        let prunable = cost.prunableCost
        var removedSoFar = 0.0, later = 0.0
        for index in 0..<layer { removedSoFar += Double(widths[index] - keptCounts[index]) * shares[index] / prunable }
        for index in (layer + 1)..<layerCount { later += Double(widths[index]) * shares[index] / prunable }
        let toRemove = max(0, (1 - keptFraction) - removedSoFar)
        var state: [Float] = [
            Float(layerCount > 1 ? Double(layer) / Double(layerCount - 1) : 0),
            Float(widths[layer]) / Float(widths.max() ?? 1),
            Float(Double(widths[layer]) * shares[layer] / prunable),
            Float(removedSoFar), Float(later), Float(toRemove),
            layer > 0 ? Float(actions[layer - 1]) : 0,
        ]
        state += (0..<layerCount).map { $0 < layer ? Float(actions[$0]) : 0 }
        return state
    }

    /// The channels group `layer` keeps for a proposed ratio: the proposal's count, clipped so
    /// the remaining groups can still meet the target.
    public func keptCount(layer: Int, proposedRatio: Double, earlier: [Int]) -> Int {
        let width = widths[layer]
        let proposal = Swift.min(Swift.max(proposedRatio, 0), maximumRatio)
        var kept = Swift.min(width, Swift.max(smallestKept[layer], Int((Double(width) * (1 - proposal)).rounded())))
        // The most this group may keep: the rest of the budget after the earlier groups and the
        // later groups at their smallest.
        let fixed = cost.fullCost - cost.prunableCost
        var committed = 0.0
        for index in 0..<layer { committed += Double(earlier[index]) * shares[index] }
        for index in (layer + 1)..<layerCount { committed += Double(smallestKept[index]) * shares[index] }
        let room = (targetCost - fixed - committed) / shares[layer]
        kept = Swift.max(smallestKept[layer], Swift.min(kept, Int((room + 1e-9).rounded(.down))))
        // The estimate above is exact when the groups' costs add up (the blocks' inner groups);
        // the exact count settles groups that share a layer.
        let later = Array(smallestKept[(layer + 1)...])
        while kept > smallestKept[layer], Double(costOf(keptCounts: earlier + [kept] + later)) > targetCost { kept -= 1 }
        return kept
    }

    /// Plays one episode: `propose(state, layer)` gives each group's ratio.
    ///
    /// - Returns: the states, the proposals, the taken ratios, the kept counts and the reward.
    public func episode(propose: ([Float], Int) -> Double) throws -> PruningEpisode {
        var kept: [Int] = []
        var taken: [Double] = []
        var states: [[Float]] = []
        var proposals: [Double] = []
        for layer in 0..<layerCount {
            let state = self.state(layer: layer, keptCounts: kept, actions: taken)
            let proposal = propose(state, layer)
            let count = keptCount(layer: layer, proposedRatio: proposal, earlier: kept)
            states.append(state)
            proposals.append(proposal)
            kept.append(count)
            taken.append(1 - Double(count) / Double(widths[layer]))
        }
        return PruningEpisode(
            states: states, proposedRatios: proposals, ratios: taken, keptCounts: kept,
            prunableFraction: prunableFraction(keptCounts: kept), reward: try reward(keptCounts: kept))
    }

    /// The accuracy on the reward set of the network keeping `keptCounts` channels.
    public func reward(keptCounts: [Int]) throws -> Double {
        try maskedAccuracy(masks(keptCounts: keptCounts), on: rewardSet)
    }

    /// A differentiable, continuous copy of an episode for `count` rollouts at once, in which
    /// the agent's future can be differentiated: `propose(states [count, stateSize], layer)`
    /// returns `[count, 1]` ratios; kept channels are `(1 − a) · n` without rounding and the
    /// budget clip is `a ← min(max(a, a_lower(earlier)), a_upper)`, the continuous form of
    /// ``keptCount(layer:proposedRatio:earlier:)``, so the last ratio meets the target.
    ///
    /// - Returns: every layer's states and taken ratios, `[count, stateSize]` and `[count, 1]`.
    public func imaginedEpisode(count: Int, propose: (Tensor, Int) -> Tensor) -> (states: [Tensor], ratios: [Tensor]) {
        let prunable = cost.prunableCost
        let fixed = cost.fullCost - cost.prunableCost
        let widest = Float(widths.max() ?? 1)
        let zeros = Tensor.zeros([count, 1])
        func constant(_ value: Double) -> Tensor { Tensor.full([count, 1], Float(value)) }
        var taken: [Tensor] = []
        var states: [Tensor] = []
        var removed = zeros
        var earlierKept = zeros
        for layer in 0..<layerCount {
            var later = 0.0, laterSmallest = 0.0
            for index in (layer + 1)..<layerCount {
                later += Double(widths[index]) * shares[index] / prunable
                laterSmallest += Double(smallestKept[index]) * shares[index]
            }
            var columns: [Tensor] = [
                constant(layerCount > 1 ? Double(layer) / Double(layerCount - 1) : 0), constant(Double(Float(widths[layer]) / widest)),
                constant(Double(widths[layer]) * shares[layer] / prunable), removed, constant(later),
                (Float(1 - keptFraction) - removed).relu(), layer > 0 ? taken[layer - 1] : zeros,
            ]
            columns += (0..<layerCount).map { $0 < layer ? taken[$0] : zeros }
            let state = Tensor.concatenate(columns, alongAxis: 1)
            let proposal = propose(state, layer)
            let width = Double(widths[layer])
            // The smallest ratio that leaves the later groups able to meet the target.
            let room = (earlierKept * -1 + Float(targetCost - fixed - laterSmallest)) * Float(1 / (shares[layer] * width))
            let lower = room * -1 + 1
            let upper = Float(1 - Double(smallestKept[layer]) / width)
            let ratio = Tensor.maximum(proposal, lower).clamped(min: 0, max: upper)
            taken.append(ratio)
            states.append(state)
            removed = removed + ratio * Float(width * shares[layer] / prunable)
            earlierKept = earlierKept + (ratio * -1 + 1) * Float(width * shares[layer])
        }
        return (states, taken)
    }

    /// The accuracy on `data` of the network under hard `masks`, normalized as rewards are
    /// (``usesBatchStatistics``); the network's mode and running statistics are restored.
    public func maskedAccuracy(_ masks: [Tensor], on data: ImageClassificationDataSet) throws -> Double {
        let training = model.isTraining
        let buffers = model.namedParameters().map(\.parameter).filter(\.isBuffer)
        let saved = buffers.map(\.value)
        // Only BatchNorm layers switch to batch statistics; dropout and the rest stay in eval mode.
        model.eval()
        if usesBatchStatistics { model.visitModules { if $0 is BatchNorm { $0.isTraining = true } } }
        defer {
            for (buffer, value) in zip(buffers, saved) { buffer.value = value }
            if training { model.train() } else { model.eval() }
        }
        var correct = 0.0
        try withoutGradients {
            for batch in data.batches(size: 500) {
                let logits = try gating.withMasks(masks, on: model) { model(batch.images) }
                correct += accuracy(logits: logits, labels: batch.labels) * Double(batch.labels.count)
            }
        }
        return correct / Double(max(data.count, 1))
    }
}
