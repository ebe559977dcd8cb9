import Foundation
import ModelZoo
import PruningCore

/// Auto-Train-Once: train a network from scratch while a controller learns which channels to
/// remove, then remove them — no separate prune-then-fine-tune stage.
///
/// Each epoch, as in the official `train.py:soft_train` (departures noted):
/// 1. before the mask freezes, the controller's noise-free hard mask `v` is read at the start of
///    the epoch (the code reads it in eval mode, where its Gumbel noise is still drawn; here the
///    mask is noise-free); after ``AutoTrainOnceConfiguration/maskFreezeEpoch`` `v` stays fixed;
/// 2. every mini-batch takes a **weight step on the un-gated network** (label-smoothed CE,
///    SGD); the code also computes an alignment penalty but never back-propagates it — so it is
///    left out here;
/// 3. from ``AutoTrainOnceConfiguration/groupLassoStartEpoch`` every weight step is followed by
///    the proximal group-lasso step on the channels `v` switches off
///    (``GroupLassoProjection``), λ = 10 before the freeze and 1000 after;
/// 4. every `controllerInterval` batches (between the controller start and the freeze) the
///    controller takes a step on a batch of the **controller set** with the network in eval
///    mode: CE of the network gated by soft Gumbel-sigmoid masks plus `8 ·` the two-sided
///    log-ratio loss (dead band ±0.005) on the kept fraction of prunable FLOPs under hard
///    straight-through masks. The code draws these batches from a 5 % subset of the training
///    set itself; this implementation takes whatever set it is given — the example holds it out;
/// 5. at the end the switched-off channels (by then numerically zero) are removed
///    (``ChannelMaskExport``), which the released code has no script for.
public final class AutoTrainOnce<Model: ChannelPrunable & Layer> {
    /// The network being trained and pruned.
    public let model: Model
    /// The settings.
    public let configuration: AutoTrainOnceConfiguration
    /// The gated groups.
    public let gating: ChannelGating
    /// The FLOPs of the network under masks.
    public let cost: ChannelCostModel
    /// The controller.
    public let controller: HyperStructure
    /// The FLOPs loss on the prunable fraction.
    public let budget: BudgetLoss
    /// The mask the weights are currently projected towards.
    public private(set) var mask: [Tensor]
    /// Every finished epoch.
    public private(set) var history: [AutoTrainOnceEpoch] = []
    /// Whether the mask was fixed with ``fixMask(_:)`` (no controller steps).
    public private(set) var usesFixedMask = false

    private let weightOptimizer: SGD
    private let controllerOptimizer: Adam
    private var generator: RandomGenerator

    /// A run on `model` with gates on `gatedGroups` (nil: ``ChannelGating/defaultGroupNames(of:)``,
    /// the blocks' inner channels, as the papers gate), for inputs of `inputShape` (one sample).
    ///
    /// - Throws: ``StructuralPruningError`` for invalid settings or unknown groups.
    public init(
        model: Model, inputShape: [Int], gatedGroups: [String]? = nil, configuration: AutoTrainOnceConfiguration
    ) throws(StructuralPruningError) {
        try configuration.validate()
        let names = gatedGroups ?? ChannelGating.defaultGroupNames(of: model)
        self.model = model
        self.configuration = configuration
        gating = try ChannelGating(model: model, gatedGroups: names)
        cost = try ChannelCostModel(model: model, inputShape: inputShape, gatedGroups: names, measure: .flops)
        generator = RandomGenerator(seed: configuration.seed)
        var initialization = generator.split()
        controller = try HyperStructure(gates: gating.gates, settings: configuration.controller, using: &initialization)
        budget = try BudgetLoss(
            target: configuration.keptFraction, form: .logRatioDeadBand(configuration.deadBand), weight: configuration.budgetWeight)
        mask = gating.gates.gates.map { Tensor.ones([$0.width]) }
        weightOptimizer = SGD(learningRate: configuration.learningRate, momentum: 0.9, weightDecay: configuration.weightDecay)
        controllerOptimizer = Adam.adamW(
            learningRate: configuration.controllerLearningRate, weightDecay: configuration.controllerWeightDecay)
    }

    /// Replaces the controller by a fixed mask for the whole run (the ablation that isolates the
    /// controller: same training, same projection, a mask chosen without it).
    ///
    /// - Throws: ``StructuralPruningError/maskShapeMismatch(gate:expected:actual:)`` or
    ///   ``StructuralPruningError/emptyStructure(gate:)``.
    public func fixMask(_ masks: [Tensor]) throws(StructuralPruningError) {
        try gating.gates.validate(masks)
        for (gate, mask) in zip(gating.gates.gates, masks) where GateSet.keptIndices(mask).isEmpty {
            throw .emptyStructure(gate: gate.name)
        }
        mask = masks
        usesFixedMask = true
    }

    /// The kept fraction of prunable FLOPs under `masks` (differentiable).
    public func prunableRatio(_ masks: [Tensor]) -> Tensor {
        let fixed = Float(cost.fullCost - cost.prunableCost)
        return (cost.cost(masks) - fixed) / Float(cost.prunableCost)
    }

    /// The controller's noise-free hard masks, each keeping at least its best channel.
    public func controllerMasks() -> [Tensor] {
        withoutGradients {
            controller.logits().map { logits in
                var kept = configuration.relaxation.deterministic(logits).scalars
                if !kept.contains(1), let best = logits.scalars.indices.max(by: { logits.scalars[$0] < logits.scalars[$1] }) { kept[best] = 1 }
                return Tensor(shape: logits.shape, scalars: kept)
            }
        }
    }

    /// Runs the whole schedule: ``AutoTrainOnceConfiguration/epochs`` epochs over `training`,
    /// controller steps on `controllerSet`, the masked accuracy on `validation` after each epoch.
    ///
    /// - Parameters:
    ///   - training: the weights' training set.
    ///   - controllerSet: the set the controller steps on.
    ///   - validation: the set each epoch's masked accuracy is reported on.
    ///   - augmentation: optional augmentation of the training batches.
    ///   - progress: called with each batch count `(epoch, batch, batches)` and after each
    ///     epoch with its record.
    /// - Returns: every epoch's record (also in ``history``).
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` naming an
    ///   empty set.
    @discardableResult
    public func train(
        training: ImageClassificationDataSet, controllerSet: ImageClassificationDataSet, validation: ImageClassificationDataSet,
        augmentation: ImageAugmentation? = nil, progress: ((AutoTrainOnceEpoch?, (epoch: Int, batch: Int, batches: Int)) -> Void)? = nil
    ) throws -> [AutoTrainOnceEpoch] {
        for (field, set) in [("training", training), ("controllerSet", controllerSet), ("validation", validation)] where set.count == 0 {
            throw StructuralPruningError.invalidSetting(field: field, value: 0, expected: "a non-empty data set")
        }
        let settings = configuration
        let batchesPerEpoch = (training.count + settings.batchSize - 1) / settings.batchSize
        let schedule = CosineSchedule(initialRate: settings.learningRate, totalSteps: settings.epochs * batchesPerEpoch)
        var controllerBatches = controllerSet.batches(size: settings.batchSize, shuffle: true, using: &generator).makeIterator()
        for epoch in history.count..<settings.epochs {
            let start = ContinuousClock.now
            if epoch < settings.maskFreezeEpoch && !usesFixedMask { mask = controllerMasks() }
            var lossSum = 0.0, controllerSum = 0.0, controllerSteps = 0, remaining = 0.0
            let batches = training.batches(size: settings.batchSize, shuffle: true, using: &generator)
            for (index, batch) in batches.enumerated() {
                let step = epoch * batchesPerEpoch + index
                let rate = schedule.learningRate(at: step)
                weightOptimizer.learningRate = rate
                let images = augmentation.map { $0(batch.images, using: &generator) } ?? batch.images
                model.train()
                let (loss, gradients) = valueAndGradient(of: model) {
                    crossEntropy(logits: model(images), labels: batch.labels, labelSmoothing: settings.labelSmoothing)
                }
                weightOptimizer.update(model, along: gradients)
                lossSum += Double(loss.scalars[0])
                if epoch >= settings.groupLassoStartEpoch {
                    let strength = epoch < settings.maskFreezeEpoch ? settings.groupLassoStrength : settings.frozenGroupLassoStrength
                    remaining = try GroupLassoProjection.apply(to: model, gating: gating, masks: mask, step: strength * rate)
                }
                if !usesFixedMask, index % settings.controllerInterval == 0, epoch >= settings.controllerStartEpoch,
                   epoch < settings.maskFreezeEpoch {
                    if let next = controllerBatches.next() {
                        controllerSum += try controllerStep(next)
                    } else {
                        controllerBatches = controllerSet.batches(size: settings.batchSize, shuffle: true, using: &generator).makeIterator()
                        if let next = controllerBatches.next() { controllerSum += try controllerStep(next) }
                    }
                    controllerSteps += 1
                }
                progress?(nil, (epoch + 1, index + 1, batchesPerEpoch))
            }
            let record = AutoTrainOnceEpoch(
                epoch: epoch + 1, trainingLoss: lossSum / Double(max(batchesPerEpoch, 1)),
                controllerLoss: controllerSteps > 0 ? controllerSum / Double(controllerSteps) : nil,
                prunableRatio: Double(prunableRatio(mask).scalars[0]), maskedAccuracy: try maskedAccuracy(on: validation),
                switchedOffNorm: remaining, seconds: (ContinuousClock.now - start) / .seconds(1))
            history.append(record)
            progress?(record, (epoch + 1, batchesPerEpoch, batchesPerEpoch))
        }
        return history
    }

    /// One controller step on `batch`; returns its loss.
    @discardableResult
    public func controllerStep(_ batch: ImageBatch) throws -> Double {
        model.eval()
        var noise = generator
        let relaxation = configuration.relaxation
        var failure: Error?
        let (loss, gradients) = valueAndGradient(of: controller) {
            let logits = controller.logits()
            let soft = logits.map { relaxation.relaxed($0, using: &noise) }
            let hard = logits.map { relaxation.hard($0, using: &noise) }
            do {
                let ce = try gating.withMasks(soft, on: model) { crossEntropy(logits: model(batch.images), labels: batch.labels) }
                return ce + budget(prunableRatio(hard))
            } catch {
                failure = error
                return Tensor(0)
            }
        }
        if let failure { throw failure }
        generator = noise
        controllerOptimizer.update(controller, along: gradients)
        return Double(loss.scalars[0])
    }

    /// Accuracy on `data` of the network with the current hard mask applied (eval mode).
    public func maskedAccuracy(on data: ImageClassificationDataSet, batchSize: Int = 256) throws -> Double {
        model.eval()
        var correct = 0.0
        try withoutGradients {
            for batch in data.batches(size: batchSize) {
                let logits = try gating.withMasks(mask, on: model) { model(batch.images) }
                correct += accuracy(logits: logits, labels: batch.labels) * Double(batch.labels.count)
            }
        }
        return correct / Double(max(data.count, 1))
    }

    /// Removes the switched-off channels from ``model`` in place (the compact model, without
    /// fine-tuning) and returns the kept indices of every gated group.
    @discardableResult
    public func export(roundTo: Int = 1) throws -> [[Int]] {
        try ChannelMaskExport.apply(mask, gating: gating, to: model, roundTo: roundTo)
    }
}
