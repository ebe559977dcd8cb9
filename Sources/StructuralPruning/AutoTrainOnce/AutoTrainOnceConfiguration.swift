/// The settings of an Auto-Train-Once run (Wu et al., 2024, "Auto-Train-Once: Controller
/// Network Guided Automatic Network Pruning from Scratch", CVPR 2024, arXiv 2403.14729).
///
/// Defaults follow the official code (`xidongwu/AutoTrainOnce`, README commands and argparse
/// defaults) scaled to small networks: the controller is the BiGRU hypernetwork with T = 0.4 and
/// offset 3, trained every 20 weight steps with AdamW (1e-3, weight decay 1e-2) on CE plus
/// `2 · 4` times the two-sided log-ratio FLOPs loss with a ±0.005 dead band; the group lasso's
/// strength is 10 until the mask freezes and 1000 after (`--lmd 0`). Epoch counts are given
/// explicitly because a small model trains for tens of epochs, not 245.
public struct AutoTrainOnceConfiguration: Sendable, Equatable {
    /// The kept fraction `p` of the **prunable** FLOPs (the cost the gates can reach; ATO's
    /// README: `p = 0.193` of ResNet-50's prunable FLOPs for a 71.2 % total reduction).
    public var keptFraction: Double
    /// Training epochs E.
    public var epochs: Int
    /// The first epoch with controller steps (ATO's `start_epoch_hyper`).
    public var controllerStartEpoch: Int
    /// The first epoch with the group-lasso projection (`start_epoch_gl`).
    public var groupLassoStartEpoch: Int
    /// The epoch from which the mask is frozen and the controller stops (`(E − 5)/2 + 5` in
    /// the code).
    public var maskFreezeEpoch: Int
    /// Weight steps between controller steps (`hyper_step`).
    public var controllerInterval: Int = 20
    /// Mini-batch size of the weight steps.
    public var batchSize: Int = 128
    /// Peak learning rate of the weights: SGD with momentum 0.9 and weight decay
    /// ``weightDecay``, cosine decay to 0 (the package's ResNet baseline recipe, so that
    /// ATO and the classic baselines train alike).
    public var learningRate: Float = 0.1
    /// The weights' coupled weight decay.
    public var weightDecay: Float = 5e-4
    /// Label smoothing of the weight steps' cross-entropy (the code's default `--ls True`).
    public var labelSmoothing: Float = 0.1
    /// The controller's AdamW learning rate.
    public var controllerLearningRate: Float = 1e-3
    /// The controller's AdamW weight decay.
    public var controllerWeightDecay: Float = 1e-2
    /// The FLOPs loss weight (`2 · reg_w` with `reg_w = 4`).
    public var budgetWeight: Float = 8
    /// The dead band of the two-sided log-ratio loss.
    public var deadBand: Double = 0.005
    /// λ of the proximal group-lasso step before the mask freezes.
    public var groupLassoStrength: Float = 10
    /// λ after the mask freezes (drives the switched-off channels to exactly zero).
    public var frozenGroupLassoStrength: Float = 1000
    /// The controller.
    public var controller: HyperStructure.Settings = .channelPruning
    /// The Gumbel-sigmoid relaxation.
    public var relaxation: GumbelSigmoid = .papers
    /// The seed of initialization, shuffling and the Gumbel noise.
    public var seed: UInt64 = 0

    /// The code's schedule for E epochs: controller from epoch ⌈E/10⌉, group lasso from ⌈E/5⌉,
    /// mask frozen at `(E − 5)/2 + 5` (E ≥ 10), or E/2 for shorter runs; in very short runs the
    /// controller starts early enough to take at least one epoch of steps before the freeze.
    public init(keptFraction: Double, epochs: Int) {
        self.keptFraction = keptFraction
        self.epochs = epochs
        maskFreezeEpoch = epochs >= 10 ? (epochs - 5) / 2 + 5 : max(1, epochs / 2)
        controllerStartEpoch = max(0, min((epochs + 9) / 10, maskFreezeEpoch - 1))
        groupLassoStartEpoch = max(0, (epochs + 4) / 5)
    }

    /// Checks every field.
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` for a kept fraction
    ///   outside (0, 1); ``StructuralPruningError/invalidSetting(field:value:expected:)`` naming
    ///   any other bad field.
    public func validate() throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        guard epochs >= 1 else { throw .invalidSetting(field: "epochs", value: Double(epochs), expected: "at least 1") }
        guard controllerStartEpoch >= 0, controllerStartEpoch < maskFreezeEpoch, maskFreezeEpoch <= epochs else {
            throw .invalidSetting(
                field: "controllerStartEpoch/maskFreezeEpoch", value: Double(controllerStartEpoch),
                expected: "0 ≤ controllerStartEpoch < maskFreezeEpoch (\(maskFreezeEpoch)) ≤ epochs (\(epochs))")
        }
        guard groupLassoStartEpoch >= 0 else {
            throw .invalidSetting(field: "groupLassoStartEpoch", value: Double(groupLassoStartEpoch), expected: "≥ 0")
        }
        guard controllerInterval >= 1 else {
            throw .invalidSetting(field: "controllerInterval", value: Double(controllerInterval), expected: "at least 1")
        }
        guard batchSize >= 1 else { throw .invalidSetting(field: "batchSize", value: Double(batchSize), expected: "at least 1") }
        for (field, value) in [("learningRate", learningRate), ("controllerLearningRate", controllerLearningRate)] where !(value > 0 && value.isFinite) {
            throw .invalidSetting(field: field, value: Double(value), expected: "a finite value > 0")
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw .invalidSetting(field: "labelSmoothing", value: Double(labelSmoothing), expected: "a value in [0, 1)")
        }
        guard deadBand >= 0, deadBand < keptFraction else {
            throw .invalidSetting(field: "deadBand", value: deadBand, expected: "a half-width in [0, keptFraction)")
        }
    }
}
