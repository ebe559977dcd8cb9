/// The settings of a DISP-LLM run (Gao et al., 2024, "DISP-LLM: Dimension-Independent
/// Structural Pruning for Large Language Models", arXiv 2410.11988).
///
/// The defaults are a short schedule for a 135M-parameter model on two CPU cores (about ten
/// minutes): 400 steps of one 256-token window where the paper takes 10,000 steps of 2048
/// tokens. To get there in 400 steps the learning rate is 1e-2 (the paper: 1e-3, constant) and
/// λ is the official script's 16 (the paper: 6); with the paper's 1e-3 and λ = 6 the kept
/// ratio of SmolLM2-135M is still 0.99 after 70 steps. Everything else — AdamW with weight
/// decay 0.05, the Gumbel-sigmoid with T = 0.4 and offset 3, the BiGRU hypernetwork with codes
/// of 32 and hidden 64 — is the paper's and its code's.
public struct DISPLLMConfiguration: Sendable, Equatable {
    /// What produces the mask logits.
    public enum Controller: Sendable, Equatable {
        /// The bidirectional-GRU hypernetwork (the paper's method).
        case hypernetwork(HyperStructure.Settings)
        /// One free logit vector per structure (the paper's "no hypernetwork" ablation).
        case freeLogits
    }

    /// The fraction of decoder-block parameters to keep, `p` (0.5 removes half).
    public var keptFraction: Double
    /// λ, the weight of `|log(r / p)|` (the official script: 16; the paper: 6).
    public var regularizationWeight: Float = 16
    /// AdamW's learning rate, constant (the short schedule: 1e-2; the paper: 1e-3).
    public var learningRate: Float = 1e-2
    /// AdamW's decoupled weight decay (the official code: 0.05).
    public var weightDecay: Float = 0.05
    /// Optimizer steps (the paper: 10,000).
    public var steps: Int = 400
    /// Tokens per training window (the official code: 2048).
    public var sequenceLength: Int = 256
    /// Windows per step (the official code: 1 per GPU).
    public var batchSize: Int = 1
    /// The Gumbel-sigmoid relaxation (T = 0.4, offset 3).
    public var relaxation: GumbelSigmoid = .papers
    /// The controller.
    public var controller: Controller = .hypernetwork(.dispLLM)
    /// Whether the export shifts the deterministic threshold so that the exported model meets
    /// the budget (see ``DISPLLMPruner/finalMasks()``). Off, the masks are `1[o + b ≥ 0]` as the
    /// trained logits give them.
    public var matchesBudgetAtExport: Bool = true
    /// The seed of the controller's initialization, the Gumbel noise and the window sampling.
    public var seed: UInt64 = 0

    /// Settings removing `1 − keptFraction` of the block parameters, the rest at their defaults.
    public init(keptFraction: Double) {
        self.keptFraction = keptFraction
    }

    /// Checks every field.
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` for a kept fraction
    ///   outside (0, 1); ``StructuralPruningError/invalidSetting(field:value:expected:)`` naming
    ///   any other bad field.
    public func validate() throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        guard regularizationWeight >= 0, regularizationWeight.isFinite else {
            throw .invalidSetting(field: "regularizationWeight", value: Double(regularizationWeight), expected: "a finite value ≥ 0")
        }
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidSetting(field: "learningRate", value: Double(learningRate), expected: "a finite value > 0")
        }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw .invalidSetting(field: "weightDecay", value: Double(weightDecay), expected: "a finite value ≥ 0")
        }
        guard steps >= 0 else { throw .invalidSetting(field: "steps", value: Double(steps), expected: "a count ≥ 0") }
        guard sequenceLength >= 2 else {
            throw .invalidSetting(field: "sequenceLength", value: Double(sequenceLength), expected: "at least 2 tokens")
        }
        guard batchSize >= 1 else { throw .invalidSetting(field: "batchSize", value: Double(batchSize), expected: "at least 1") }
        if case .hypernetwork(let settings) = controller {
            guard settings.codeSize > 0, settings.hiddenSize > 0 else {
                throw .invalidSetting(field: "controller", value: Double(min(settings.codeSize, settings.hiddenSize)), expected: "positive code and hidden sizes")
            }
        }
    }
}
