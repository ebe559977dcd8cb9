import PruningCore

/// The settings of ``PromptRoutedPruning`` — APTP's pruning stage, defaults from the official
/// `configs/pruning/sd-2-1_cc3m.yaml` unless marked.
public struct APTPConfiguration: Sendable {
    /// The number of architecture codes `K` (APTP: 8 in the configs, 16 in the released base
    /// model; 1 is the single-architecture baseline).
    public var codeCount = 4
    /// The target kept fraction of the MACs (APTP: 0.6).
    public var keptFraction = 0.6
    /// Updates of the pruning stage (APTP: 5,000 at batch 64 on SD; ours is smaller).
    public var steps = 600
    /// Updates that train the predictor's own architectures before routed codes take over
    /// (APTP: 500 of 5,000).
    public var warmupSteps = 150
    /// Prompts per update (APTP: 64).
    public var batchSize = 64
    /// AdamW's learning rate for the predictor and the codes (APTP: 2e-4 scaled by √batch,
    /// 1.6e-3 at batch 64).
    public var learningRate: Float = 1.6e-3
    /// Linear learning-rate warm-up updates (APTP: 100).
    public var learningRateWarmup = 100
    /// Weight of the min-SNR v-prediction loss (APTP: 1).
    public var denoisingWeight: Float = 1
    /// Weight of the output distillation to the unpruned network (APTP: 0.2).
    public var outputDistillationWeight: Float = 0.2
    /// Weight of the block-output distillation (APTP: 0.2).
    public var blockDistillationWeight: Float = 0.2
    /// Weight of the two-sided log-ratio resource loss on the batch's mean MAC ratio (APTP: 2).
    public var resourceWeight: Float = 2
    /// Weight of the architecture contrastive loss (APTP: 100; 0 turns it off).
    public var contrastiveWeight: Float = 100
    /// Weight of `−std(ratio_i)` over the batch (APTP: 0.1).
    public var spreadWeight: Float = 0.1
    /// Weight of `1 − max(ratio_i)` (APTP: 0.1).
    public var maximumWeight: Float = 0.1
    /// Whether training routes through Sinkhorn optimal transport (false: nearest code, the
    /// "without OT" ablation).
    public var optimalTransport = true
    /// The Sinkhorn routing (APTP: ε = 0.05, 3 rounds).
    public var routing = try! SinkhornRouting()
    /// The contrastive loss (APTP: τ = 0.03 for both).
    public var contrastive = try! ArchitectureContrastiveLoss()
    /// The min-SNR γ (APTP: 5).
    public var gamma = 5.0
    /// The seed of the router, batches, steps, noise and gate noise.
    public var seed: UInt64 = 0

    /// APTP's settings with our step counts.
    public init() {}

    /// Throws unless every setting is usable.
    ///
    /// - Throws: ``StructuralPruningError``, naming the field.
    public func validate() throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        guard codeCount >= 1 else { throw .invalidSetting(field: "codeCount", value: Double(codeCount), expected: "at least 1") }
        guard steps >= 1 else { throw .invalidSetting(field: "steps", value: Double(steps), expected: "at least 1") }
        guard warmupSteps >= 0, warmupSteps < steps else {
            throw .invalidSetting(field: "warmupSteps", value: Double(warmupSteps), expected: "in 0..<steps")
        }
        guard batchSize >= 2 else { throw .invalidSetting(field: "batchSize", value: Double(batchSize), expected: "at least 2") }
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidSetting(field: "learningRate", value: Double(learningRate), expected: "a finite value > 0")
        }
        guard learningRateWarmup >= 0 else {
            throw .invalidSetting(field: "learningRateWarmup", value: Double(learningRateWarmup), expected: "≥ 0")
        }
        let weights: [(String, Float)] = [
            ("denoisingWeight", denoisingWeight), ("outputDistillationWeight", outputDistillationWeight),
            ("blockDistillationWeight", blockDistillationWeight), ("resourceWeight", resourceWeight),
            ("contrastiveWeight", contrastiveWeight), ("spreadWeight", spreadWeight), ("maximumWeight", maximumWeight),
        ]
        for (name, weight) in weights where !(weight >= 0 && weight.isFinite) {
            throw .invalidSetting(field: name, value: Double(weight), expected: "a finite value ≥ 0")
        }
        guard gamma > 0, gamma.isFinite else { throw .invalidSetting(field: "gamma", value: gamma, expected: "a finite value > 0") }
    }
}
