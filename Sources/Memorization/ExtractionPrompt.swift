import ModelZoo
import PruningCore

/// Vectors placed before a prefix to make a frozen target reproduce its suffix.
///
/// The five prompting methods of the DSP paper conform: ``NoPrompt``, ``ConstantHardPrompt``,
/// ``DynamicHardPrompt``, ``ConstantSoftPrompt`` (Ozdayi et al., 2023) and
/// ``DynamicSoftPromptGenerator``. Soft prompts also conform to ``TrainablePrompt``.
public protocol ExtractionPrompt: AnyObject {
    /// A short name for tables (`none`, `constant-hard`, …).
    var methodName: String { get }
    /// The number of prompt positions placed before the prefix (0 for no prompt).
    var length: Int { get }
    /// The prompt for each prefix, `[prefixes.count, length, hidden]` in the target's embedding
    /// space, or nil when ``length`` is 0. Differentiable with respect to the prompt's own
    /// parameters.
    ///
    /// - Precondition: every prefix is at least ``length`` tokens long when the prompt reads
    ///   the prefix, and the ids are in the target's vocabulary.
    func embeddings(forPrefixes prefixes: [[Int]], target: LlamaModel) -> Tensor?

    /// Checks that the prompt can serve prefixes of `prefixLength` tokens of a
    /// `vocabularySize`-token model (the default accepts every size).
    ///
    /// - Throws: ``MemorizationError/invalidConfiguration(field:reason:)``.
    func validate(prefixLength: Int, vocabularySize: Int) throws(MemorizationError)
}

extension ExtractionPrompt {
    /// Accepts every prefix length and vocabulary.
    public func validate(prefixLength: Int, vocabularySize: Int) throws(MemorizationError) {}
}

extension ExtractionPrompt {
    /// Refuses prefixes shorter than the prompt (for prompts that read the prefix's tail).
    func validateReadsTail(prefixLength: Int) throws(MemorizationError) {
        guard length <= prefixLength else {
            throw .invalidConfiguration(field: "prompt length", reason: "\(length) exceeds the \(prefixLength)-token prefixes it reads")
        }
    }
}

/// A prompt with parameters that ``PromptTraining`` optimizes with the target frozen.
public protocol TrainablePrompt: ExtractionPrompt, Module {
    /// The parameters trained at the embedding learning rate (copied embedding tables and the
    /// soft prompt vectors themselves); the others train at the block learning rate.
    var embeddingParameters: [Parameter] { get }
}

/// No prompt: the vanilla extraction baseline.
public final class NoPrompt: ExtractionPrompt {
    /// A prompt of length 0.
    public init() {}
    /// `none`.
    public var methodName: String { "none" }
    /// 0.
    public var length: Int { 0 }
    /// nil.
    public func embeddings(forPrefixes prefixes: [[Int]], target: LlamaModel) -> Tensor? { nil }
}
