import PruningCore

/// APTP's contrastive loss between prompts and their architectures
/// (`pdm/losses/contrastive_loss.py`): with row-wise softmaxes of temperature-scaled cosine
/// similarities, `A = softmax(n(a) n(a)ᵀ / τ_a)` among the batch's architecture vectors and
/// `P = softmax(n(z) n(z)ᵀ / τ_p)` among its prompt embeddings, the loss is the mean binary
/// cross-entropy of `A` against the target `P`, `−mean[P log A + (1 − P) log(1 − A)]`: prompts
/// that are alike should get architectures that are alike. Gradients flow to the architecture
/// vectors only (the prompt encoder is frozen).
public struct ArchitectureContrastiveLoss: Sendable, Equatable {
    /// The temperature of the architecture similarities `τ_a` (APTP: 0.03).
    public var architectureTemperature: Float
    /// The temperature of the prompt similarities `τ_p` (APTP: 0.03).
    public var promptTemperature: Float

    /// A loss with APTP's temperatures.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive temperature.
    public init(architectureTemperature: Float = 0.03, promptTemperature: Float = 0.03) throws(StructuralPruningError) {
        guard architectureTemperature > 0, architectureTemperature.isFinite else {
            throw .invalidSetting(field: "architectureTemperature", value: Double(architectureTemperature), expected: "a finite value > 0")
        }
        guard promptTemperature > 0, promptTemperature.isFinite else {
            throw .invalidSetting(field: "promptTemperature", value: Double(promptTemperature), expected: "a finite value > 0")
        }
        self.architectureTemperature = architectureTemperature
        self.promptTemperature = promptTemperature
    }

    /// The loss for architecture vectors `[B, d_a]` and prompt embeddings `[B, d_p]`.
    public func callAsFunction(architectures: Tensor, prompts: Tensor) -> Tensor {
        precondition(architectures.rank == 2 && prompts.rank == 2 && architectures.shape[0] == prompts.shape[0],
                     "ArchitectureContrastiveLoss: \(architectures.shape) architectures for \(prompts.shape) prompts")
        let a = (SinkhornRouting.cosineSimilarities(architectures, architectures) / architectureTemperature).softmax(alongAxis: 1)
        let p = withoutGradients { (SinkhornRouting.cosineSimilarities(prompts, prompts) / promptTemperature).softmax(alongAxis: 1) }
        let clipped = a.clamped(min: 1e-7, max: 1 - 1e-7)
        return ((p * clipped.log() + (1 - p) * (1 - clipped).log()) * -1).mean()
    }
}
