import ModelZoo
import PruningCore

/// One learned sequence of vectors placed before every prefix: the soft prompt of Ozdayi et al.
/// (ACL 2023), the constant-soft-prompt baseline of the DSP paper.
///
/// Initialized from the target's embeddings of chosen tokens, so that before training it is the
/// ``ConstantHardPrompt`` of those tokens, exactly.
public final class ConstantSoftPrompt: TrainablePrompt {
    /// The prompt vectors `[length, hidden]`.
    public let vectors: Parameter
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A prompt starting at the target's embeddings of `tokens`.
    ///
    /// - Precondition: `tokens` is non-empty and in the target's vocabulary.
    public init(initialTokens tokens: [Int], target: LlamaModel) {
        precondition(!tokens.isEmpty, "ConstantSoftPrompt: no initial tokens")
        let table = withoutGradients { target.embeddings(for: [tokens]) }
        vectors = Parameter(table.reshaped(to: [tokens.count, target.configuration.hiddenSize]))
    }

    /// `constant-soft`.
    public var methodName: String { "constant-soft" }
    /// The number of vectors.
    public var length: Int { vectors.shape[0] }
    /// `prompt`.
    public var ownParameters: [(String, Parameter)] { [("prompt", vectors)] }
    /// The vectors (trained at the embedding learning rate).
    public var embeddingParameters: [Parameter] { [vectors] }

    /// The vectors, the same for every prefix.
    public func embeddings(forPrefixes prefixes: [[Int]], target: LlamaModel) -> Tensor? {
        vectors.value.unsqueezed(at: 0).expanded(to: [prefixes.count, length, vectors.shape[1]])
    }
}
