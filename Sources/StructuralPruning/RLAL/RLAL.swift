import Foundation
import ModelZoo
import PolicyGradient
import PruningCore

/// RLAL (Ganjdanesh et al., CVPR 2024, "Jointly Training and Pruning CNNs via Learnable Agent
/// Guidance and Alignment"): the weights and a pruning agent's policy train in alternation, and
/// a learned model of the changing reward keeps the agent's experience of earlier epochs useful.
///
/// The run (``run(training:validation:augmentation:progress:)``):
/// 1. **warm-up**: ``RLALConfiguration/warmUpEpochs`` epochs of plain training;
/// 2. **search**, each epoch `e`: re-rank channels by the current weights; start epoch `e`'s
///    embedding; play ``RLALConfiguration/episodesPerEpoch`` episodes of the
///    ``LayerwisePruningEnvironment`` (uniformly random ratios in the first
///    ``RLALConfiguration/randomSearchEpochs``, then the agent's samples, the first episode at its
///    mean); store every step in the replay buffer; train the ``RewardDynamicsModel`` (decoder,
///    GRU and embeddings) by MSE on the buffer, then the ``LayerwisePruningAgent`` through the
///    decoder under the current code `z_e`; choose the sub-network — the epoch's best episode
///    while the weights train (``RLALConfiguration/selection``), the best so far on frozen
///    weights; then one weight epoch of cross-entropy plus β · group lasso on the channels the
///    chosen sub-network removes (its proximal step after every SGD
///    step, ``GroupLassoProjection`` with ``GroupLassoProjection/Weighting/uniform``);
/// 3. **aligned**: ``RLALConfiguration/alignedEpochs`` more such weight epochs with the incumbent
///    fixed;
/// 4. **export** (``ChannelMaskExport``: the removed channels leave the network) and **fine-tune**
///    (``ClassifierTraining``).
///
/// The weights' learning rate follows one cosine decay over stages 1–3. With
/// ``RLALConfiguration/trainsWeights`` false the search runs on frozen weights (AMC's setting)
/// and stage 4 follows it directly.
public final class RLAL<Model: ChannelPrunable & Layer> {
    /// The network being trained and pruned.
    public let model: Model
    /// The settings.
    public let configuration: RLALConfiguration
    /// The episodes' environment.
    public let environment: LayerwisePruningEnvironment<Model>
    /// Epoch embeddings, GRU and decoder.
    public let dynamics: RewardDynamicsModel
    /// The agent.
    public let agent: LayerwisePruningAgent
    /// Every step of every episode so far.
    public private(set) var buffer: [PruningTransition] = []
    /// The episodes of every search epoch.
    public private(set) var episodes: [[PruningEpisode]] = []
    /// The kept channel counts of the chosen sub-network (``RLALConfiguration/selection``).
    public private(set) var incumbent: [Int]?
    /// The hard masks the weights are aligned to (and the export removes).
    public private(set) var alignmentMask: [Tensor]?
    /// Every finished epoch.
    public private(set) var history: [RLALEpoch] = []

    private var generator: RandomGenerator
    private let weightOptimizer: SGD
    private let dynamicsOptimizer: Adam

    /// A run on `model` with gates on `gatedGroups` (nil: the blocks' inner groups), inputs of
    /// `inputShape` (one sample) and rewards measured on `rewardSet`.
    ///
    /// - Throws: ``StructuralPruningError`` for invalid settings, unknown groups or an unreachable
    ///   budget.
    public init(
        model: Model, inputShape: [Int], gatedGroups: [String]? = nil, rewardSet: ImageClassificationDataSet,
        configuration: RLALConfiguration
    ) throws {
        try configuration.validate()
        self.model = model
        self.configuration = configuration
        environment = try LayerwisePruningEnvironment(
            model: model, inputShape: inputShape, gatedGroups: gatedGroups, keptFraction: configuration.keptFraction,
            maximumRatio: configuration.maximumRatio, minimumChannels: configuration.minimumChannels, rewardSet: rewardSet)
        environment.usesBatchStatistics = configuration.rewardUsesBatchStatistics
        generator = RandomGenerator(seed: configuration.seed)
        var initialization = generator.split()
        dynamics = RewardDynamicsModel(
            stateSize: environment.stateSize, epochCapacity: configuration.searchEpochs, embeddingSize: configuration.embeddingSize,
            codeSize: configuration.codeSize, hidden: configuration.decoderHidden, usesCode: configuration.usesEnvironmentCode,
            using: &initialization)
        agent = LayerwisePruningAgent(
            stateSize: environment.stateSize, codeSize: configuration.usesEnvironmentCode ? configuration.codeSize : 0,
            maximumRatio: configuration.maximumRatio, hidden: configuration.agentHidden, learningRate: configuration.agentLearningRate,
            entropyWeight: configuration.entropyWeight, using: &initialization)
        weightOptimizer = SGD(learningRate: configuration.learningRate, momentum: 0.9, weightDecay: configuration.weightDecay)
        dynamicsOptimizer = Adam(learningRate: configuration.decoderLearningRate)
    }

    /// The environment code of search epoch `epoch` (empty without the code), without gradients.
    public func code(epoch: Int) -> [Float] {
        guard configuration.usesEnvironmentCode else { return [] }
        return withoutGradients { dynamics.codes(epochs: epoch + 1).sliced(alongAxis: 0, from: epoch, count: 1).scalars }
    }

    /// Runs the whole schedule, calling `progress` after every epoch.
    ///
    /// - Parameters:
    ///   - augmentation: optional augmentation of the training batches.
    ///   - progress: called after every epoch with its record.
    ///   - training: the weights' training set (the reward set must not be part of it).
    ///   - validation: the set each epoch's accuracy is reported on.
    /// - Returns: every epoch's record (also in ``history``).
    @discardableResult
    public func run(
        training: ImageClassificationDataSet, validation: ImageClassificationDataSet, augmentation: ImageAugmentation? = nil,
        progress: ((RLALEpoch) -> Void)? = nil
    ) throws -> [RLALEpoch] {
        for (field, set) in [("training", training), ("validation", validation)] where set.count == 0 {
            throw StructuralPruningError.invalidSetting(field: field, value: 0, expected: "a non-empty data set")
        }
        let settings = configuration
        let perEpoch = (training.count + settings.batchSize - 1) / settings.batchSize
        let jointEpochs = settings.trainsWeights ? settings.warmUpEpochs + settings.searchEpochs + settings.alignedEpochs : 0
        let schedule = CosineSchedule(initialRate: settings.learningRate, totalSteps: max(1, jointEpochs * perEpoch))
        var weightEpochs = 0
        func record(_ phase: RLALEpoch.Phase, loss: Double?, start: ContinuousClock.Instant, search: SearchOutcome? = nil) throws {
            let accuracy = try maskedAccuracy(on: validation)
            let entry = RLALEpoch(
                epoch: history.count + 1, phase: phase, trainingLoss: loss, meanReward: search?.meanReward,
                bestEpisodeReward: search?.bestReward, incumbentReward: search?.incumbentReward,
                incumbentRatios: incumbent.map { zip($0, environment.widths).map { 1 - Double($0) / Double($1) } },
                incumbentPrunableFraction: incumbent.map { environment.prunableFraction(keptCounts: $0) },
                decoderPredictionError: search?.predictionError, decoderFitError: search?.fitError,
                validationAccuracy: accuracy, seconds: (ContinuousClock.now - start) / .seconds(1))
            history.append(entry)
            progress?(entry)
        }
        let phases: [(RLALEpoch.Phase, Int)] = [
            (.warmUp, settings.trainsWeights ? settings.warmUpEpochs : 0), (.search, settings.searchEpochs),
            (.aligned, settings.trainsWeights ? settings.alignedEpochs : 0),
        ]
        for (phase, count) in phases {
            for index in 0..<count {
                let start = ContinuousClock.now
                let outcome = phase == .search ? try searchEpoch(index) : nil
                var loss: Double?
                if settings.trainsWeights {
                    loss = try weightEpoch(training, augmentation: augmentation, schedule: schedule, epoch: weightEpochs, perEpoch: perEpoch)
                    weightEpochs += 1
                }
                try record(phase, loss: loss, start: start, search: outcome)
            }
        }
        try export()
        if settings.fineTuneEpochs > 0 {
            var tuning = ClassifierTraining(epochs: settings.fineTuneEpochs)
            tuning.batchSize = settings.batchSize
            tuning.learningRate = settings.fineTuneLearningRate
            tuning.weightDecay = settings.weightDecay
            tuning.augmentation = augmentation
            tuning.seed = generator.next()
            var start = ContinuousClock.now
            var failure: Error?
            try tuning.train(model, on: training) { _, loss, _ in
                do { try record(.fineTune, loss: loss, start: start) } catch { failure = error }
                start = ContinuousClock.now
            }
            if let failure { throw failure }
        }
        return history
    }

    /// What a search epoch measured.
    struct SearchOutcome {
        var meanReward: Double, bestReward: Double, incumbentReward: Double
        var predictionError: Double, fitError: Double
    }

    /// One search epoch (without its weight epoch).
    func searchEpoch(_ index: Int) throws -> SearchOutcome {
        let settings = configuration
        try environment.refreshScores()
        dynamics.beginEpoch(index)
        let random = index < settings.randomSearchEpochs
        let code = self.code(epoch: index)
        var played: [PruningEpisode] = []
        for number in 0..<settings.episodesPerEpoch {
            let episode = try environment.episode { state, _ in
                random ? generator.nextUniformDouble() * settings.maximumRatio
                    : agent.ratio(for: state, code: code, deterministic: number == 0, using: &generator)
            }
            played.append(episode)
        }
        episodes.append(played)
        let fresh = played.flatMap { episode in
            zip(episode.states, episode.ratios).map { PruningTransition(state: $0, action: Float($1), reward: Float(episode.reward), epoch: index) }
        }
        let predictionError = rootMeanSquare(fresh)
        buffer += fresh
        for _ in 0..<settings.decoderUpdates {
            let batch = (0..<min(settings.updateBatchSize, buffer.count)).map { _ in buffer[generator.nextInt(below: buffer.count)] }
            let (_, gradients) = valueAndGradient(of: dynamics) { dynamics.loss(batch) }
            dynamicsOptimizer.update(dynamics, along: gradients)
        }
        let fitError = rootMeanSquare(buffer)
        let current = self.code(epoch: index)
        for _ in 0..<settings.agentUpdates {
            agent.update(in: environment, rollouts: settings.updateBatchSize, code: current, through: dynamics, using: &generator)
        }
        // The epoch's best episode, or the incumbent re-measured on this epoch's weights if it
        // is still better.
        let best = played.max { $0.reward < $1.reward }!
        var incumbentReward = best.reward
        let selection = settings.selection == .automatic ? (settings.trainsWeights ? .epochBest : .bestSoFar) : settings.selection
        if selection == .epochBest {
            incumbent = best.keptCounts
        } else if let incumbent, incumbent != best.keptCounts {
            let again = try environment.reward(keptCounts: incumbent)
            if again >= best.reward { incumbentReward = again } else { self.incumbent = best.keptCounts }
        } else {
            incumbent = best.keptCounts
        }
        alignmentMask = environment.masks(keptCounts: incumbent!)
        return SearchOutcome(
            meanReward: played.map(\.reward).reduce(0, +) / Double(played.count), bestReward: best.reward,
            incumbentReward: incumbentReward, predictionError: predictionError, fitError: fitError)
    }

    /// The decoder's root-mean-square error on `transitions`.
    func rootMeanSquare(_ transitions: [PruningTransition]) -> Double {
        guard !transitions.isEmpty else { return 0 }
        return withoutGradients { Double(dynamics.loss(transitions).scalars[0]).squareRoot() }
    }

    /// One epoch of SGD on the cross-entropy, each step followed by the alignment's proximal step
    /// when a sub-network has been chosen; returns the mean loss.
    func weightEpoch(
        _ training: ImageClassificationDataSet, augmentation: ImageAugmentation?, schedule: CosineSchedule, epoch: Int, perEpoch: Int
    ) throws -> Double {
        var total = 0.0
        for (index, batch) in training.batches(size: configuration.batchSize, shuffle: true, using: &generator).enumerated() {
            let rate = schedule.learningRate(at: epoch * perEpoch + index)
            weightOptimizer.learningRate = rate
            let images = augmentation.map { $0(batch.images, using: &generator) } ?? batch.images
            model.train()
            let (loss, gradients) = valueAndGradient(of: model) { crossEntropy(logits: model(images), labels: batch.labels) }
            weightOptimizer.update(model, along: gradients)
            total += Double(loss.scalars[0])
            if let alignmentMask, configuration.alignmentStrength > 0 {
                try GroupLassoProjection.apply(
                    to: model, gating: environment.gating, masks: alignmentMask, step: configuration.alignmentStrength * rate,
                    weighting: .uniform)
            }
        }
        model.eval()
        return total / Double(max(perEpoch, 1))
    }

    /// The accuracy on `data` of the network under ``alignmentMask``, normalized as rewards are
    /// (the network itself, in eval mode, before a sub-network is chosen and after the export).
    public func maskedAccuracy(on data: ImageClassificationDataSet) throws -> Double {
        guard let alignmentMask, !exported else { return ImageClassificationEvaluation.accuracy(of: model, on: data) }
        return try environment.maskedAccuracy(alignmentMask, on: data)
    }

    /// Whether ``export()`` has run.
    public private(set) var exported = false

    /// Removes the channels ``alignmentMask`` drops from ``model`` in place; returns the kept
    /// indices of every gated group.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` before any search
    ///   epoch or after an earlier export.
    @discardableResult
    public func export() throws -> [[Int]] {
        guard let alignmentMask, !exported else {
            throw StructuralPruningError.invalidSetting(
                field: "export", value: 0, expected: exported ? "one export per run" : "at least one search epoch before the export")
        }
        let kept = try ChannelMaskExport.apply(alignmentMask, gating: environment.gating, to: model)
        exported = true
        return kept
    }
}
