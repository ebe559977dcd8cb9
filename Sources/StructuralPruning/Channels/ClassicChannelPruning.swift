import Foundation
import ModelZoo
import PruningCore

/// The classic prune-then-fine-tune baselines in one call: score the channels of a trained
/// network (``ChannelImportance``), choose masks that meet a FLOPs budget locally or globally
/// (``BudgetedChannelSelection``), remove the channels (``ChannelMaskExport``) and fine-tune
/// (``ClassifierTraining``).
public struct ClassicChannelPruning: Sendable {
    /// The criterion.
    public var importance: ChannelImportance
    /// Local (uniform per layer) or global ranking.
    public var scope: BudgetedChannelSelection.Scope
    /// The kept fraction of **prunable** FLOPs (as Auto-Train-Once's `p`).
    public var keptFraction: Double
    /// The fine-tuning schedule.
    public var fineTuning: ClassifierTraining
    /// Calibration batches for ``ChannelImportance/taylor``.
    public var calibrationBatches: Int = 8
    /// The seed of ``ChannelImportance/random`` and the calibration sample.
    public var seed: UInt64 = 0

    /// A baseline.
    public init(importance: ChannelImportance, scope: BudgetedChannelSelection.Scope, keptFraction: Double, fineTuning: ClassifierTraining) {
        self.importance = importance
        self.scope = scope
        self.keptFraction = keptFraction
        self.fineTuning = fineTuning
    }

    /// What a run measured.
    public struct Report: Sendable, Codable, Equatable {
        /// Validation accuracy before pruning.
        public var accuracyBefore: Double
        /// Validation accuracy right after removing the channels.
        public var accuracyPruned: Double
        /// Validation accuracy after fine-tuning.
        public var accuracyFineTuned: Double
        /// FLOPs (papers' count), MACs and parameters before and after.
        public var flopsBefore: Int, flopsAfter: Int, macsBefore: Int, macsAfter: Int
        /// Parameters before and after.
        public var parametersBefore: Int, parametersAfter: Int
        /// The kept fraction of prunable FLOPs.
        public var prunableRatio: Double
        /// Kept indices per gated group.
        public var kept: [[Int]]
        /// Seconds spent scoring, slicing and fine-tuning.
        public var seconds: Double
    }

    /// Prunes `model` in place to the budget and fine-tunes it on `training`.
    ///
    /// - Parameters:
    ///   - model: the trained network, pruned in place.
    ///   - training: the fine-tuning set.
    ///   - validation: the set the accuracy is reported on.
    ///   - progress: called after every fine-tuning epoch with `(epoch, mean loss, seconds)`.
    ///   - inputShape: one sample's shape, e.g. `[1, 28, 28]`.
    ///   - gatedGroups: the groups that may lose channels (nil: ``ChannelGating/defaultGroupNames(of:)``, the blocks' inner groups, or
    ///     all).
    /// - Throws: ``StructuralPruningError`` for bad budgets, groups or data.
    public func run<Model: ChannelPrunable & Layer>(
        _ model: Model, inputShape: [Int], gatedGroups: [String]? = nil, training: ImageClassificationDataSet,
        validation: ImageClassificationDataSet, progress: ((Int, Double, Double) -> Void)? = nil
    ) throws -> Report {
        guard keptFraction > 0, keptFraction < 1 else {
            throw StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: keptFraction)
        }
        let start = ContinuousClock.now
        let names = gatedGroups ?? ChannelGating.defaultGroupNames(of: model)
        let gating = try ChannelGating(model: model, gatedGroups: names)
        let flops = try ChannelCostModel(model: model, inputShape: inputShape, gatedGroups: names, measure: .flops)
        let before = (
            flops: ChannelCostModel.count(model, inputShape: inputShape, measure: .flops),
            macs: ChannelCostModel.count(model, inputShape: inputShape, measure: .macs),
            parameters: ChannelCostModel.count(model, inputShape: inputShape, measure: .parameters),
            accuracy: ImageClassificationEvaluation.accuracy(of: model, on: validation))
        var generator = RandomGenerator(seed: seed)
        let calibration = importance == .taylor
            ? Array(training.batches(size: fineTuning.batchSize, shuffle: true, using: &generator).prefix(calibrationBatches)) : []
        let scores = try importance.scores(model, gating: gating, batches: calibration, seed: seed)
        // The target on the whole network that corresponds to keptFraction of the prunable part.
        let fixed = flops.fullCost - flops.prunableCost
        let wholeTarget = (fixed + keptFraction * flops.prunableCost) / flops.fullCost
        let masks = try BudgetedChannelSelection(target: wholeTarget, scope: scope).masks(scores: scores, cost: flops)
        let ratio = (Double(flops.count(hardMasks: masks)) - fixed) / flops.prunableCost
        let kept = try ChannelMaskExport.apply(masks, gating: gating, to: model)
        let pruned = ImageClassificationEvaluation.accuracy(of: model, on: validation)
        try fineTuning.train(model, on: training, progress: progress)
        return Report(
            accuracyBefore: before.accuracy, accuracyPruned: pruned,
            accuracyFineTuned: ImageClassificationEvaluation.accuracy(of: model, on: validation),
            flopsBefore: before.flops, flopsAfter: ChannelCostModel.count(model, inputShape: inputShape, measure: .flops),
            macsBefore: before.macs, macsAfter: ChannelCostModel.count(model, inputShape: inputShape, measure: .macs),
            parametersBefore: before.parameters,
            parametersAfter: ChannelCostModel.count(model, inputShape: inputShape, measure: .parameters),
            prunableRatio: ratio, kept: kept, seconds: (ContinuousClock.now - start) / .seconds(1))
    }
}
