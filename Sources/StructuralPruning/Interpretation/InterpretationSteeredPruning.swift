import Foundation
import ModelZoo
import PruningCore

/// Interpretation-steered channel pruning (Ganjdanesh, Gao and Huang, "Interpretations Steered
/// Network Pruning via Amortized Inferred Saliency Maps", ECCV 2022): prune so that the pruned
/// network's explanations stay those of the original.
///
/// The five stages, as in the official code (departures in ``InterpretationSteeredConfiguration``
/// and the guide):
/// 1. ``trainPredictor(on:progress:)`` — a copy of the classifier learns to classify images
///    masked by random RBF masks (relaxed Bernoulli, T = 0.1) as the original classifies the
///    whole image: `KL(original(x) ‖ predictor(x ⊙ s))`;
/// 2. ``trainSelector(on:progress:)`` — the amortized explainer (``SaliencySelector``) reads
///    the frozen classifier's stage outputs and predicts one RBF mask per image that keeps the
///    predictor's output close to the original's while staying small and smooth;
/// 3. ``targets(for:)`` — the original's RBF parameters and logits on a held-out split;
/// 4. `trainController(signal:targets:progress:)` — with every network frozen, a gate
///    controller learns which inner channels to switch off so that the gated classifier's stage
///    outputs, decoded by the same selector, give the original's RBF parameters, under the
///    one-sided log-ratio FLOPs loss; the comparisons train the same controller on output
///    distillation or the labels instead;
/// 5. `exportAndFineTune(_:training:progress:)` — the channels are removed from a copy of the
///    original (``ChannelMaskExport``) and the copy is fine-tuned.
///
/// With a checkpoint directory every stage saves its result (atomically) and a later run with
/// the same settings loads it instead of training again.
public final class InterpretationSteeredPruning<Model: ExplainableClassifier> {
    /// The classifier being explained and pruned; frozen, never modified.
    public let original: Model
    /// Stage 1's predictor, a copy of the classifier.
    public let predictor: Model
    /// Stage 2's amortized explainer.
    public let selector: SaliencySelector
    /// The settings.
    public let configuration: InterpretationSteeredConfiguration
    /// The mask geometry.
    public let saliency: RBFSaliencyMap
    /// The gated groups (the blocks' inner channels).
    public let gating: ChannelGating
    /// The FLOPs of the original under masks.
    public let cost: ChannelCostModel
    /// Where the stages save their results (nil: nowhere).
    public let checkpointDirectory: URL?
    /// One sample's shape, e.g. `[1, 28, 28]`.
    public let inputShape: [Int]

    private var generator: RandomGenerator

    /// A pipeline for `original` (left untouched) on inputs of `inputShape` with masks of
    /// `saliency`'s geometry.
    ///
    /// - Throws: ``StructuralPruningError`` for bad settings, or a mask geometry that does not
    ///   match the inputs; the replica's error if the classifier cannot be copied.
    public init(
        original: Model, inputShape: [Int], classCount: Int, saliency: RBFSaliencyMap = .fashionMNIST,
        configuration: InterpretationSteeredConfiguration = .init(), checkpointDirectory: URL? = nil
    ) throws {
        try configuration.validate()
        guard inputShape.count == 3, inputShape[1] == saliency.height, inputShape[2] == saliency.width else {
            throw StructuralPruningError.invalidSetting(
                field: "inputShape", value: Double(inputShape.last ?? 0),
                expected: "[channels, \(saliency.height), \(saliency.width)] to match the saliency masks")
        }
        self.original = original
        self.configuration = configuration
        self.saliency = saliency
        self.inputShape = inputShape
        self.checkpointDirectory = checkpointDirectory
        original.eval()
        predictor = try original.replica()
        generator = RandomGenerator(seed: configuration.seed)
        var initialization = generator.split()
        let probe = withoutGradients { original.stageOutputsAndLogits(Tensor.zeros([1] + inputShape)).stages }
        selector = try SaliencySelector(
            stageWidths: original.stageWidths, finestSize: (probe[0].shape[2], probe[0].shape[3]), classCount: classCount,
            using: &initialization)
        let names = ChannelGating.defaultGroupNames(of: original)
        gating = try ChannelGating(model: original, gatedGroups: names)
        cost = try ChannelCostModel(model: original, inputShape: inputShape, gatedGroups: names, measure: .flops)
    }

    // MARK: Stage 1

    /// Trains the predictor on `training` (or loads it from the checkpoint directory) and
    /// returns one record per epoch (empty when loaded).
    @discardableResult
    public func trainPredictor(
        on training: ImageClassificationDataSet, progress: ((InterpretationStageRecord) -> Void)? = nil
    ) throws -> [InterpretationStageRecord] {
        let settings = configuration
        let checkpoint = StageCheckpoint(directory: checkpointDirectory, name: "predictor", settings: [
            "epochs": "\(settings.predictorEpochs)", "learningRate": "\(settings.predictorLearningRate)",
            "weightDecay": "\(settings.weightDecay)", "temperature": "\(settings.predictorTemperature)",
            "batchSize": "\(settings.batchSize)", "seed": "\(settings.seed)", "images": "\(training.count)"])
        if try checkpoint.load(into: predictor) { return [] }
        try Self.requireImages(training, field: "training")
        let sampler = try RelaxedBernoulli(temperature: settings.predictorTemperature)
        let optimizer = Adam(learningRate: settings.predictorLearningRate, weightDecay: settings.weightDecay)
        var random = RandomGenerator(seed: settings.seed &+ 1)
        var records: [InterpretationStageRecord] = []
        for epoch in 0..<settings.predictorEpochs {
            let start = ContinuousClock.now
            var total = 0.0, batches = 0
            for batch in training.batches(size: settings.batchSize, shuffle: true, using: &random) {
                let teacher = withoutGradients { original(batch.images) }
                let masks = sampler.sample(saliency.randomMasks(count: batch.labels.count, using: &random), using: &random)
                let masked = batch.images * masks
                predictor.train()
                let (loss, gradients) = valueAndGradient(of: predictor) {
                    distillationLoss(logits: predictor(masked), targetLogits: teacher)
                }
                optimizer.update(predictor, along: gradients)
                total += Double(loss.scalars[0])
                batches += 1
            }
            let record = InterpretationStageRecord(
                stage: "predictor", epoch: epoch + 1, loss: total / Double(max(batches, 1)),
                seconds: (ContinuousClock.now - start) / .seconds(1))
            records.append(record)
            progress?(record)
        }
        predictor.eval()
        try checkpoint.save(predictor)
        return records
    }

    // MARK: Stage 2

    /// The selector's loss on one batch: `KL(original ‖ predictor(x ⊙ s))`, the area and the
    /// smoothness of the sampled mask `s` (differentiable in the selector's parameters).
    public func selectorLoss(_ batch: ImageBatch, using random: inout RandomGenerator) throws -> (total: Tensor, kl: Tensor, area: Tensor, width: Tensor) {
        let settings = configuration
        let sampler = try RelaxedBernoulli(temperature: settings.selectorTemperature)
        let (stages, teacher) = withoutGradients { original.stageOutputsAndLogits(batch.images) }
        let raw = selector(stages: stages, labels: batch.labels)
        let masks = sampler.sample(saliency.masks(raw: raw), using: &random)
        let kl = distillationLoss(logits: predictor(batch.images * masks), targetLogits: teacher)
        let area = SaliencyMaskPenalties.area(masks, power: settings.areaPower)
        let smooth = SaliencyMaskPenalties.smoothness(masks, borderWeight: settings.borderWeight)
        let width = withoutGradients { saliency.geometry(raw).sigma.mean() }
        return (kl + area * settings.areaWeight + smooth * settings.smoothnessWeight, kl, area, width)
    }

    /// Trains the selector on `training` with the classifier and the predictor frozen (or loads
    /// it) and returns one record per epoch (empty when loaded).
    @discardableResult
    public func trainSelector(
        on training: ImageClassificationDataSet, progress: ((InterpretationStageRecord) -> Void)? = nil
    ) throws -> [InterpretationStageRecord] {
        let settings = configuration
        let checkpoint = StageCheckpoint(directory: checkpointDirectory, name: "selector", settings: [
            "epochs": "\(settings.selectorEpochs)", "learningRate": "\(settings.selectorLearningRate)",
            "batchSize": "\(settings.selectorBatchSize)", "temperature": "\(settings.selectorTemperature)",
            "area": "\(settings.areaWeight)^\(settings.areaPower)", "smoothness": "\(settings.smoothnessWeight)/\(settings.borderWeight)",
            "seed": "\(settings.seed)", "images": "\(training.count)", "predictor": "\(settings.predictorEpochs)"])
        if try checkpoint.load(into: selector) { selector.eval(); return [] }
        try Self.requireImages(training, field: "training")
        original.eval()
        predictor.eval()
        let optimizer = Adam(learningRate: settings.selectorLearningRate, weightDecay: settings.weightDecay)
        var random = RandomGenerator(seed: settings.seed &+ 2)
        var records: [InterpretationStageRecord] = []
        for epoch in 0..<settings.selectorEpochs {
            let start = ContinuousClock.now
            var total = 0.0, klSum = 0.0, areaSum = 0.0, widthSum = 0.0, batches = 0
            for batch in training.batches(size: settings.selectorBatchSize, shuffle: true, using: &random) {
                selector.train()
                var parts: (kl: Double, area: Double, width: Double) = (0, 0, 0)
                let (loss, gradients) = try valueAndGradient(of: selector) {
                    let (value, kl, area, width) = try selectorLoss(batch, using: &random)
                    parts = (Double(kl.scalars[0]), Double(area.scalars[0]), Double(width.scalars[0]))
                    return value
                }
                optimizer.update(selector, along: gradients)
                total += Double(loss.scalars[0])
                klSum += parts.kl
                areaSum += parts.area
                widthSum += parts.width
                batches += 1
            }
            let count = Double(max(batches, 1))
            let record = InterpretationStageRecord(
                stage: "selector", epoch: epoch + 1, loss: total / count, divergence: klSum / count, area: areaSum / count, meanWidth: widthSum / count,
                seconds: (ContinuousClock.now - start) / .seconds(1))
            records.append(record)
            progress?(record)
        }
        selector.eval()
        try checkpoint.save(selector)
        return records
    }

    // MARK: Stage 3

    /// The raw RBF parameters the selector gives `model`'s stage outputs for `images` and the
    /// classes `labels`, `[count, 3]`, in evaluation mode and batches of ``InterpretationSteeredConfiguration/batchSize``.
    public func saliencyParameters(of model: Model, images: Tensor, labels: [Int]) -> Tensor {
        model.eval()
        selector.eval()
        return withoutGradients {
            let count = labels.count, size = configuration.batchSize
            var pieces: [Tensor] = []
            for start in stride(from: 0, to: count, by: size) {
                let length = min(size, count - start)
                let stages = model.stageOutputsAndLogits(images.sliced(alongAxis: 0, from: start, count: length)).stages
                pieces.append(selector(stages: stages, labels: Array(labels[start..<start + length])))
            }
            return pieces.count == 1 ? pieces[0] : Tensor.concatenate(pieces, alongAxis: 0)
        }
    }

    /// Stage 3: the original's raw RBF parameters and logits on `split` (the images the
    /// controller trains on, held out from the other stages' training images).
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for an empty split.
    public func targets(for split: ImageClassificationDataSet) throws -> SaliencyTargets {
        try Self.requireImages(split, field: "split")
        let logits = withoutGradients {
            original.eval()
            var pieces: [Tensor] = []
            for batch in split.batches(size: configuration.batchSize) { pieces.append(original(batch.images)) }
            return Tensor.concatenate(pieces, alongAxis: 0)
        }
        return SaliencyTargets(
            data: split, parameters: saliencyParameters(of: original, images: split.images, labels: split.labels), logits: logits)
    }

    // MARK: Stage 4

    /// The kept fraction of prunable FLOPs under `masks` (differentiable).
    public func prunableRatio(_ masks: [Tensor]) -> Tensor {
        (cost.cost(masks) - Float(cost.fullCost - cost.prunableCost)) / Float(cost.prunableCost)
    }

    /// The loss of one controller step on the batch `rows` of `targets` under `masks`:
    /// the signal's term on the gated original (evaluation mode).
    ///
    /// - Parameters:
    ///   - signal: what the controller is trained to preserve.
    ///   - masks: the gate masks applied to the original.
    ///   - targets: the images and the saliency targets of the signal.
    ///   - rows: the rows of `targets` in the batch.
    ///   - addsCrossEntropy: whether the saliency signal also adds the cross-entropy
    ///     (nil: ``InterpretationSteeredConfiguration/addsCrossEntropy``).
    public func signalLoss(
        _ signal: ControllerSignal, masks: [Tensor], targets: SaliencyTargets, rows: [Int], addsCrossEntropy: Bool? = nil
    ) throws -> Tensor {
        let withCrossEntropy = addsCrossEntropy ?? configuration.addsCrossEntropy
        let images = targets.data.images.indexSelect(rows, alongAxis: 0)
        let labels = rows.map { targets.data.labels[$0] }
        original.eval()
        selector.eval()
        return try gating.withMasks(masks, on: original) {
            let (stages, logits) = original.stageOutputsAndLogits(images)
            switch signal {
            case .saliency:
                let predicted = selector(stages: stages, labels: labels)
                let mse = meanSquaredError(predicted / targets.scale, targets.parameters.indexSelect(rows, alongAxis: 0) / targets.scale)
                    * configuration.saliencyWeight
                return withCrossEntropy ? mse + crossEntropy(logits: logits, labels: labels) : mse
            case .distillation:
                return distillationLoss(logits: logits, targetLogits: targets.logits.indexSelect(rows, alongAxis: 0))
            case .crossEntropy:
                return crossEntropy(logits: logits, labels: labels)
            }
        }
    }

    /// Stage 4: trains a fresh controller with `signal` on `targets` (or loads it) and returns
    /// it with its per-epoch records and the final hard masks.
    ///
    /// - Parameters:
    ///   - signal: what the controller is trained to preserve.
    ///   - targets: the images and the saliency targets of the signal.
    ///   - progress: called after every epoch with its record.
    ///   - keptFraction: the budget, the kept fraction of prunable FLOPs (nil:
    ///     ``InterpretationSteeredConfiguration/keptFraction``).
    ///   - addsCrossEntropy: whether the saliency signal adds the cross-entropy (nil: the
    ///     configuration's).
    public func trainController(
        signal: ControllerSignal, targets: SaliencyTargets, keptFraction: Double? = nil, addsCrossEntropy: Bool? = nil,
        progress: ((InterpretationControllerEpoch) -> Void)? = nil
    ) throws -> InterpretationControllerResult {
        var settings = configuration
        settings.keptFraction = keptFraction ?? settings.keptFraction
        settings.addsCrossEntropy = addsCrossEntropy ?? settings.addsCrossEntropy
        try settings.validate()
        let relaxation = GateRelaxation.gumbelSigmoid(try GumbelSigmoid(temperature: settings.gateTemperature, offset: settings.gateOffset))
        var initialization = RandomGenerator(seed: settings.seed &+ 3)
        let controller: any MaskController = switch settings.controller {
        case .freeLogits: FreeLogits(gates: gating.gates, initialValue: 0, standardDeviation: 1, using: &initialization)
        case .hyperStructure: try HyperStructure(gates: gating.gates, settings: .channelPruning, using: &initialization)
        }
        let budget = try BudgetLoss(target: settings.keptFraction, form: .logRatioOneSided, weight: settings.budgetWeight)
        let checkpoint = StageCheckpoint(directory: checkpointDirectory, name: "controller-\(signal.rawValue)\(settings.addsCrossEntropy && signal == .saliency ? "+ce" : "")-\(String(format: "%.4f", settings.keptFraction))", settings: [
            "signal": signal.rawValue, "controller": settings.controller.rawValue, "epochs": "\(settings.controllerEpochs)",
            "learningRate": "\(settings.controllerLearningRate)", "weightDecay": "\(settings.controllerWeightDecay)",
            "keptFraction": "\(settings.keptFraction)", "budgetWeight": "\(settings.budgetWeight)",
            "saliencyWeight": "\(settings.saliencyWeight)", "addsCrossEntropy": "\(settings.addsCrossEntropy)",
            "gate": "\(settings.gateTemperature)/\(settings.gateOffset)", "seed": "\(settings.seed)", "images": "\(targets.data.count)",
            "selector": "\(settings.selectorEpochs)"])
        var history: [InterpretationControllerEpoch] = []
        if try !checkpoint.load(into: controller) {
            guard targets.data.count > 0 else {
                throw StructuralPruningError.invalidSetting(field: "targets", value: 0, expected: "a non-empty target split")
            }
            let optimizer = Adam.adamW(learningRate: settings.controllerLearningRate, weightDecay: settings.controllerWeightDecay)
            var random = RandomGenerator(seed: settings.seed &+ 4)
            let count = targets.data.count
            for epoch in 0..<settings.controllerEpochs {
                let start = ContinuousClock.now
                var order = Array(0..<count)
                for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, random.nextInt(below: i + 1)) }
                var total = 0.0, signalSum = 0.0, batches = 0
                for first in stride(from: 0, to: count, by: settings.batchSize) {
                    let rows = Array(order[first..<min(first + settings.batchSize, count)])
                    var noise = random
                    var signalValue = 0.0
                    let (loss, gradients) = try valueAndGradient(of: controller) {
                        let logits = controller.logits()
                        let soft = logits.map { relaxation.soft($0, using: &noise) }
                        let hard = logits.map { relaxation.hard($0, using: &noise) }
                        let term = try signalLoss(signal, masks: soft, targets: targets, rows: rows, addsCrossEntropy: settings.addsCrossEntropy)
                        signalValue = Double(term.scalars[0])
                        return term + budget(prunableRatio(hard))
                    }
                    random = noise
                    optimizer.update(controller, along: gradients)
                    total += Double(loss.scalars[0])
                    signalSum += signalValue
                    batches += 1
                }
                let masks = Self.thresholdMasks(controller.logits(), relaxation: relaxation)
                let record = InterpretationControllerEpoch(
                    epoch: epoch + 1, loss: total / Double(max(batches, 1)), signal: signalSum / Double(max(batches, 1)),
                    prunableRatio: Double(prunableRatio(masks).scalars[0]), seconds: (ContinuousClock.now - start) / .seconds(1))
                history.append(record)
                progress?(record)
            }
            try checkpoint.save(controller)
        }
        let masks = budgetedMasks(withoutGradients { controller.logits() }, relaxation: relaxation, keptFraction: settings.keptFraction)
        return InterpretationControllerResult(
            signal: signal, controller: controller, masks: masks, prunableRatio: Double(prunableRatio(masks).scalars[0]), history: history)
    }

    /// The noise-free hard masks of `logits` (each group keeps at least its best channel).
    static func thresholdMasks(_ logits: [Tensor], relaxation: GateRelaxation) -> [Tensor] {
        withoutGradients {
            logits.map { keepingBest(relaxation.deterministic($0).scalars, of: $0) }
        }
    }

    /// The 0/1 mask `kept` of `logits`' group, with its highest-logit channel switched on if
    /// the mask keeps nothing (a group never loses every channel).
    static func keepingBest(_ kept: [Float], of logits: Tensor) -> Tensor {
        var kept = kept
        if !kept.contains(1), let best = logits.scalars.indices.max(by: { logits.scalars[$0] < logits.scalars[$1] }) { kept[best] = 1 }
        return Tensor(shape: logits.shape, scalars: kept)
    }

    /// The final masks: the noise-free hard masks when they meet the budget; otherwise the
    /// channels of highest logit over all groups, as many as the budget allows (each group keeps
    /// its best channel) — so every controller is compared at the same FLOPs.
    public func budgetedMasks(_ logits: [Tensor], relaxation: GateRelaxation, keptFraction: Double? = nil) -> [Tensor] {
        let threshold = Self.thresholdMasks(logits, relaxation: relaxation)
        let target = keptFraction ?? configuration.keptFraction
        func ratio(_ masks: [Tensor]) -> Double { Double(withoutGradients { prunableRatio(masks) }.scalars[0]) }
        if ratio(threshold) <= target { return threshold }
        let values = logits.flatMap(\.scalars).sorted()
        func masks(keepingAtLeast level: Float) -> [Tensor] {
            logits.map { logit in Self.keepingBest(logit.scalars.map { $0 >= level ? Float(1) : 0 }, of: logit) }
        }
        // The smallest level whose masks meet the budget: bisection over the sorted logits.
        var low = 0, high = values.count - 1
        while low < high {
            let middle = (low + high) / 2
            if ratio(masks(keepingAtLeast: values[middle])) <= target { high = middle } else { low = middle + 1 }
        }
        return masks(keepingAtLeast: values[low])
    }

    // MARK: Stage 5

    /// Removes the channels `masks` switch off from a copy of the original and fine-tunes it on
    /// `training` (``InterpretationSteeredConfiguration/fineTuneEpochs``); the original is left
    /// untouched.
    ///
    /// - Parameters:
    ///   - masks: the hard masks to export, one per gate.
    ///   - training: the fine-tuning set.
    ///   - progress: called after every fine-tuning epoch with `(epoch, mean loss, seconds)`.
    ///   - recipe: the fine-tuning (nil: ``InterpretationSteeredConfiguration/fineTuneEpochs``
    ///     epochs at ``InterpretationSteeredConfiguration/fineTuneLearningRate``, no augmentation);
    ///     pass the baselines' recipe to compare at equal fine-tuning.
    public func exportAndFineTune(
        _ masks: [Tensor], training: ImageClassificationDataSet, recipe: ClassifierTraining? = nil,
        progress: ((Int, Double, Double) -> Void)? = nil
    ) throws -> Model {
        let pruned = try original.replica()
        let names = gating.groups.map(\.name)
        try ChannelMaskExport.apply(masks, gating: try ChannelGating(model: pruned, gatedGroups: names), to: pruned)
        let fineTuning = recipe ?? {
            var recipe = ClassifierTraining(epochs: configuration.fineTuneEpochs)
            recipe.learningRate = configuration.fineTuneLearningRate
            recipe.seed = configuration.seed &+ 5
            return recipe
        }()
        if fineTuning.epochs > 0 { try fineTuning.train(pruned, on: training, progress: progress) }
        pruned.eval()
        return pruned
    }

    private static func requireImages(_ data: ImageClassificationDataSet, field: String) throws {
        guard data.count > 0 else { throw StructuralPruningError.invalidSetting(field: field, value: 0, expected: "a non-empty data set") }
    }
}
