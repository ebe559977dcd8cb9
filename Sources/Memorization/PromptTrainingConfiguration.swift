/// How ``PromptTraining`` optimizes a soft prompt with the target frozen.
///
/// The official DSP code trains with AdamW (weight decay 0) at two learning rates — `lr` for
/// the blocks and `embed_lr` for the embedding table (7e-6 and 2e-4 for GPT-Neo 125M, batch 128,
/// 15 epochs of 14 000 samples). A run of a few hundred steps on a CPU needs larger rates;
/// the defaults here are ours, chosen on the validation split of the canary target.
public struct PromptTrainingConfiguration: Codable, Equatable, Sendable {
    /// Optimizer steps.
    public var steps: Int
    /// Training samples per step.
    public var batchSize: Int
    /// Adam's learning rate for block parameters.
    public var learningRate: Float
    /// Adam's learning rate for embedding parameters (``TrainablePrompt/embeddingParameters``).
    public var embeddingLearningRate: Float
    /// Steps between validation measurements (the last step is always measured).
    public var evaluationInterval: Int
    /// Whether each validation measurement also decodes the validation suffixes greedily (the
    /// extraction rate over steps); otherwise only the suffix loss is measured.
    public var measuresValidationExtraction: Bool
    /// The largest global gradient norm; larger gradients are scaled down (nil: no clipping).
    public var gradientClipNorm: Float?
    /// The seed of the batch order.
    public var seed: UInt64

    /// A configuration; see the properties.
    public init(
        steps: Int = 150, batchSize: Int = 8, learningRate: Float = 1e-4, embeddingLearningRate: Float = 1e-3,
        evaluationInterval: Int = 25, measuresValidationExtraction: Bool = true, gradientClipNorm: Float? = 1, seed: UInt64 = 0
    ) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.embeddingLearningRate = embeddingLearningRate
        self.evaluationInterval = evaluationInterval
        self.measuresValidationExtraction = measuresValidationExtraction
        self.gradientClipNorm = gradientClipNorm
        self.seed = seed
    }

    /// Checks the ranges.
    ///
    /// - Throws: ``MemorizationError/invalidConfiguration(field:reason:)``.
    public func validate() throws(MemorizationError) {
        guard steps >= 0 else { throw .invalidConfiguration(field: "steps", reason: "\(steps) must be ≥ 0") }
        guard batchSize > 0 else { throw .invalidConfiguration(field: "batchSize", reason: "\(batchSize) must be positive") }
        guard learningRate.isFinite, learningRate >= 0 else {
            throw .invalidConfiguration(field: "learningRate", reason: "\(learningRate) must be finite and ≥ 0")
        }
        guard embeddingLearningRate.isFinite, embeddingLearningRate >= 0 else {
            throw .invalidConfiguration(field: "embeddingLearningRate", reason: "\(embeddingLearningRate) must be finite and ≥ 0")
        }
        guard evaluationInterval > 0 else {
            throw .invalidConfiguration(field: "evaluationInterval", reason: "\(evaluationInterval) must be positive")
        }
        if let gradientClipNorm, !(gradientClipNorm.isFinite && gradientClipNorm > 0) {
            throw .invalidConfiguration(field: "gradientClipNorm", reason: "\(gradientClipNorm) must be finite and positive")
        }
    }
}
