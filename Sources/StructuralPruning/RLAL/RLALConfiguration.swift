/// The settings of an ``RLAL`` run. Defaults are ours, sized for a CIFAR-style ResNet-20 on
/// Fashion-MNIST on two CPU cores (a public reproduction's CIFAR-10 schedule, for orientation:
/// warm-up 10, random-action buffer fill 10, agent 70 and weights-only 100 epochs; 10 episodes,
/// 100 decoder and 200 agent updates per epoch; code size 128, decoder hidden 300).
public struct RLALConfiguration: Sendable, Codable, Equatable {
    /// The kept fraction of prunable FLOPs (0.5: half of the gated FLOPs removed).
    public var keptFraction: Double
    /// Epochs of plain training before the search.
    public var warmUpEpochs: Int = 3
    /// Epochs of the search: episodes, decoder and agent updates, then one weight epoch with the
    /// alignment term towards the best sub-network so far.
    public var searchEpochs: Int = 7
    /// The first search epochs act uniformly at random (filling the buffer).
    public var randomSearchEpochs: Int = 1
    /// Epochs with the best sub-network fixed and the alignment term on, before the export.
    public var alignedEpochs: Int = 1
    /// Fine-tuning epochs of the exported network (``ClassifierTraining`` at
    /// ``fineTuneLearningRate``).
    public var fineTuneEpochs: Int = 3
    /// Whether the weights are trained (false: an AMC-style search on a frozen network — no
    /// warm-up, no weight epochs during the search, no alignment; then export and fine-tune).
    public var trainsWeights: Bool = true
    /// Whether the agent and the decoder see the environment code `z` (false: the ablation).
    public var usesEnvironmentCode: Bool = true

    /// Episodes per search epoch.
    public var episodesPerEpoch: Int = 16
    /// `a_max`, the largest pruning ratio of one group.
    public var maximumRatio: Double = 0.8
    /// The fewest channels a group keeps.
    public var minimumChannels: Int = 4
    /// Which sub-network the weights align to and the export keeps.
    public enum Selection: String, Sendable, Codable, CaseIterable {
        /// ``epochBest`` when the weights train, ``bestSoFar`` when they are frozen.
        case automatic
        /// The best episode of the current search epoch: the agent's current choice.
        case epochBest
        /// The best sub-network so far, re-measured on each epoch's weights and replaced by an
        /// episode of that epoch that beats it there.
        case bestSoFar
    }
    /// Which sub-network the weights align to and the export keeps. With training weights,
    /// ``Selection/bestSoFar`` locks in: the alignment makes the incumbent the best-trained
    /// sub-network, so no episode beats it again (measured: the first epoch's random pick kept
    /// for the whole search, identical with and without the code).
    public var selection: Selection = .automatic
    /// Whether rewards use each reward batch's BatchNorm statistics
    /// (``LayerwisePruningEnvironment/usesBatchStatistics``).
    public var rewardUsesBatchStatistics: Bool = true

    /// Embedding and code sizes.
    public var embeddingSize: Int = 16, codeSize: Int = 16
    /// Decoder hidden widths, Adam learning rate, updates per epoch and minibatch.
    public var decoderHidden: [Int] = [64, 64]
    /// Decoder Adam learning rate.
    public var decoderLearningRate: Float = 1e-3
    /// Decoder updates per search epoch.
    public var decoderUpdates: Int = 100
    /// Agent hidden widths.
    public var agentHidden: [Int] = [64, 64]
    /// Agent Adam learning rate.
    public var agentLearningRate: Float = 1e-3
    /// Agent updates per search epoch.
    public var agentUpdates: Int = 100
    /// Minibatch of transitions for decoder and agent updates.
    public var updateBatchSize: Int = 64
    /// α of the agent's `Σ log σ` term.
    public var entropyWeight: Float = 1e-3

    /// β: the group-lasso strength of the alignment term (its proximal step shrinks each removed
    /// channel's filters by `β · η` per weight step).
    public var alignmentStrength: Float = 0.2
    /// Peak learning rate of the weights (cosine decay over warm-up, search and aligned epochs).
    public var learningRate: Float = 0.1
    /// Coupled weight decay.
    public var weightDecay: Float = 5e-4
    /// Mini-batch size of the weight steps.
    public var batchSize: Int = 128
    /// The fine-tuning learning rate (the classic baselines' fine-tuning rate).
    public var fineTuneLearningRate: Float = 0.01
    /// Seed of every random choice.
    public var seed: UInt64 = 0

    /// A configuration for `keptFraction`; the rest at the defaults.
    public init(keptFraction: Double) { self.keptFraction = keptFraction }

    /// The weight-training epochs of the whole run (warm-up, search, aligned, fine-tune).
    public var totalEpochs: Int { trainsWeights ? warmUpEpochs + searchEpochs + alignedEpochs + fineTuneEpochs : fineTuneEpochs }

    /// Throws the first invalid field.
    public func validate() throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        let counts: [(String, Int, Int)] = [
            ("warmUpEpochs", warmUpEpochs, 0), ("searchEpochs", searchEpochs, 1), ("randomSearchEpochs", randomSearchEpochs, 0),
            ("alignedEpochs", alignedEpochs, 0), ("fineTuneEpochs", fineTuneEpochs, 0), ("episodesPerEpoch", episodesPerEpoch, 1),
            ("minimumChannels", minimumChannels, 1), ("embeddingSize", embeddingSize, 1), ("codeSize", codeSize, 1),
            ("decoderUpdates", decoderUpdates, 0), ("agentUpdates", agentUpdates, 0), ("updateBatchSize", updateBatchSize, 1),
            ("batchSize", batchSize, 1),
        ]
        for (field, value, minimum) in counts where value < minimum {
            throw .invalidSetting(field: field, value: Double(value), expected: "≥ \(minimum)")
        }
        guard randomSearchEpochs <= searchEpochs else {
            throw .invalidSetting(field: "randomSearchEpochs", value: Double(randomSearchEpochs), expected: "≤ searchEpochs (\(searchEpochs))")
        }
        guard maximumRatio > 0, maximumRatio < 1 else { throw .invalidSetting(field: "maximumRatio", value: maximumRatio, expected: "in (0, 1)") }
        for (field, value) in [("decoderLearningRate", decoderLearningRate), ("agentLearningRate", agentLearningRate),
                               ("learningRate", learningRate), ("fineTuneLearningRate", fineTuneLearningRate)] where !(value > 0 && value.isFinite) {
            throw .invalidSetting(field: field, value: Double(value), expected: "a finite value > 0")
        }
        for (field, value) in [("entropyWeight", entropyWeight), ("alignmentStrength", alignmentStrength), ("weightDecay", weightDecay)]
        where !(value >= 0 && value.isFinite) {
            throw .invalidSetting(field: field, value: Double(value), expected: "a finite value ≥ 0")
        }
        for (field, widths) in [("decoderHidden", decoderHidden), ("agentHidden", agentHidden)] where widths.contains(where: { $0 < 1 }) {
            throw .invalidSetting(field: field, value: Double(widths.min() ?? 0), expected: "positive widths")
        }
    }
}
