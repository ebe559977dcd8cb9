/// What trains the gate controller of ``InterpretationSteeredPruning`` (stage 4).
public enum ControllerSignal: String, Sendable, Codable, CaseIterable {
    /// The method: the MSE between the pruned network's predicted RBF parameters and the
    /// original's (in units of their standard deviation over the target split), times
    /// ``InterpretationSteeredConfiguration/saliencyWeight``.
    case saliency
    /// The comparison: output distillation, `KL(original ‖ pruned)` of the logits.
    case distillation
    /// The comparison: cross-entropy with the labels only.
    case crossEntropy = "cross-entropy"
}

/// The gate controller of stage 4.
public enum InterpretationController: String, Sendable, Codable, CaseIterable {
    /// One free logit per channel, N(0, 1) at the start (the official `Simplified_Gate`, its
    /// default).
    case freeLogits = "free-logits"
    /// The Bi-GRU hypernetwork over fixed layer codes (``HyperStructure``, the official `--hs`).
    case hyperStructure = "hyper-structure"
}

/// The settings of ``InterpretationSteeredPruning``. Defaults are the official code's where it
/// has one that fits 28 × 28 images on two CPU cores, and ours (marked) where its schedule is
/// GPU-sized: the official predictor trains 300 epochs from scratch, the selector 20, the
/// controller 200 over a 2,500-image split.
public struct InterpretationSteeredConfiguration: Sendable, Codable, Equatable {
    /// The kept fraction of the prunable FLOPs (the blocks' inner channels); 0.5 removes half.
    public var keptFraction: Double = 0.5

    /// Stage 1, the predictor: epochs (ours; it starts from the classifier's weights, the
    /// official from scratch), Adam learning rate (ours) and weight decay (official 1e-4), the
    /// relaxed-Bernoulli temperature of its random masks (official 0.1).
    public var predictorEpochs: Int = 3
    /// Stage 1 Adam learning rate.
    public var predictorLearningRate: Float = 5e-4
    /// Stage 1 and 2 Adam weight decay (official 1e-4).
    public var weightDecay: Float = 1e-4
    /// Stage 1 relaxed-Bernoulli temperature (official 0.1).
    public var predictorTemperature: Float = 0.1

    /// Stage 2, the selector: epochs (ours), Adam learning rate (ours; official 1e-4 over 20
    /// epochs), minibatch (official 16), relaxed-Bernoulli temperature (official 1).
    public var selectorEpochs: Int = 3
    /// Stage 2 Adam learning rate.
    public var selectorLearningRate: Float = 1e-3
    /// Stage 2 minibatch size.
    public var selectorBatchSize: Int = 32
    /// Stage 2 relaxed-Bernoulli temperature.
    public var selectorTemperature: Float = 1
    /// Stage 2 area weight λ₁ (ours: 1; the official `lamda` 0.2 let the masks grow over the
    /// whole 28 × 28 image — mean σ 48 px after two epochs on 5,000 images, against 10.7 px at 1).
    public var areaWeight: Float = 1
    /// Stage 2 area power (official 0.3).
    public var areaPower: Float = 0.3
    /// Stage 2 smoothness weight λ₂ (official 1e-3) and border weight (official 0.3).
    public var smoothnessWeight: Float = 1e-3
    /// Stage 2 border weight of the smoothness term.
    public var borderWeight: Float = 0.3

    /// Stage 4, the controller: its kind, epochs over the target split (ours; official 200 over
    /// 2,500 images), AdamW learning rate (ours: 2e-2; the official 1e-3 moves a logit by at
    /// most about 0.5 in our 500 steps, while the gates start 3 above the threshold) and weight
    /// decay (official 1e-3).
    public var controller: InterpretationController = .freeLogits
    /// Stage 4 epochs over the target split.
    public var controllerEpochs: Int = 30
    /// Stage 4 AdamW learning rate.
    public var controllerLearningRate: Float = 2e-2
    /// Stage 4 AdamW weight decay.
    public var controllerWeightDecay: Float = 1e-3
    /// The weight of the RBF-parameter MSE. Ours: the MSE is measured in units of each
    /// parameter's standard deviation over the target split, with weight 1. The official
    /// `10 · MSE` of the raw parameters is in pixels² here and outweighed the FLOPs term so far
    /// that the controller never left the full network in 30 epochs (measured: prunable FLOPs
    /// kept 0.998–1.000 with MSE weights 0.1, 1 and 10 and FLOPs weights 1 and 10).
    public var saliencyWeight: Float = 1
    /// Whether the saliency signal also adds the cross-entropy with the labels (official `--c_loss`).
    public var addsCrossEntropy: Bool = false
    /// The weight of the one-sided log-ratio FLOPs loss (official `reg_w` 1).
    public var budgetWeight: Float = 1
    /// The Gumbel-sigmoid temperature and offset of the gates (official 0.4 and 3).
    public var gateTemperature: Float = 0.4
    /// The Gumbel-sigmoid offset.
    public var gateOffset: Float = 3

    /// Stage 5: epochs of fine-tuning the exported network (SGD, cosine from
    /// ``fineTuneLearningRate``; ours, official 200 epochs at 0.1).
    public var fineTuneEpochs: Int = 3
    /// Stage 5 learning rate.
    public var fineTuneLearningRate: Float = 0.01

    /// The minibatch of stages 1, 3 and 4.
    public var batchSize: Int = 64
    /// The seed of every random choice.
    public var seed: UInt64 = 0

    /// The defaults.
    public init() {}

    /// Checks every field.
    ///
    /// - Throws: ``StructuralPruningError`` naming the first bad field.
    public func validate() throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        for (field, value) in [("predictorEpochs", predictorEpochs), ("selectorEpochs", selectorEpochs),
                               ("controllerEpochs", controllerEpochs), ("fineTuneEpochs", fineTuneEpochs)] where value < 0 {
            throw .invalidSetting(field: field, value: Double(value), expected: "≥ 0")
        }
        for (field, value) in [("batchSize", batchSize), ("selectorBatchSize", selectorBatchSize)] where value < 1 {
            throw .invalidSetting(field: field, value: Double(value), expected: "≥ 1")
        }
        for (field, value) in [("predictorLearningRate", predictorLearningRate), ("selectorLearningRate", selectorLearningRate),
                               ("controllerLearningRate", controllerLearningRate), ("fineTuneLearningRate", fineTuneLearningRate),
                               ("predictorTemperature", predictorTemperature), ("selectorTemperature", selectorTemperature),
                               ("gateTemperature", gateTemperature), ("areaPower", areaPower)] where !(value > 0) || !value.isFinite {
            throw .invalidSetting(field: field, value: Double(value), expected: "a positive finite value")
        }
        for (field, value) in [("weightDecay", weightDecay), ("areaWeight", areaWeight), ("smoothnessWeight", smoothnessWeight),
                               ("borderWeight", borderWeight), ("controllerWeightDecay", controllerWeightDecay),
                               ("saliencyWeight", saliencyWeight), ("budgetWeight", budgetWeight)] where !(value >= 0) || !value.isFinite {
            throw .invalidSetting(field: field, value: Double(value), expected: "a finite value ≥ 0")
        }
        guard gateOffset.isFinite else { throw .invalidSetting(field: "gateOffset", value: Double(gateOffset), expected: "a finite value") }
    }
}
