/// What one DISP-LLM training step measured.
public struct DISPLLMStep: Sendable, Codable, Equatable {
    /// The step number, from 1.
    public var step: Int
    /// The language-model cross-entropy under the soft masks.
    public var languageModelLoss: Double
    /// `λ · |log(r / p)|` on the hard straight-through masks.
    public var regularization: Double
    /// `r`: the kept fraction of block parameters under this step's hard masks.
    public var parameterRatio: Double
    /// Seconds in the controller, the mask sampling and the forward pass through the blocks.
    public var forwardSeconds: Double
    /// Seconds in the LM head and the cross-entropy (forward).
    public var headSeconds: Double
    /// Seconds in backpropagation (through the head, the frozen blocks and the controller).
    public var backwardSeconds: Double
    /// Seconds in the optimizer update.
    public var updateSeconds: Double

    /// The whole step's seconds.
    public var seconds: Double { forwardSeconds + headSeconds + backwardSeconds + updateSeconds }
    /// The total loss.
    public var loss: Double { languageModelLoss + regularization }
}
