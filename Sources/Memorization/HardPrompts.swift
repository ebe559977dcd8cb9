import ModelZoo
import PruningCore

/// One fixed token sequence placed before every prefix (the constant hard prompt baseline).
public final class ConstantHardPrompt: ExtractionPrompt {
    /// The prompt's tokens.
    public let tokens: [Int]

    /// A prompt of `tokens` (ids in the target's vocabulary).
    public init(tokens: [Int]) { self.tokens = tokens }

    /// Refuses tokens outside the vocabulary.
    public func validate(prefixLength: Int, vocabularySize: Int) throws(MemorizationError) {
        if let bad = tokens.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw .invalidConfiguration(field: "prompt tokens", reason: "token \(bad) is outside the vocabulary 0..<\(vocabularySize)")
        }
    }

    /// `constant-hard`.
    public var methodName: String { "constant-hard" }
    /// `tokens.count`.
    public var length: Int { tokens.count }

    /// The target's embeddings of ``tokens``, repeated for every prefix.
    public func embeddings(forPrefixes prefixes: [[Int]], target: LlamaModel) -> Tensor? {
        guard !tokens.isEmpty else { return nil }
        return target.embeddings(for: Array(repeating: tokens, count: prefixes.count))
    }
}

/// The last ``length`` tokens of each prefix placed once more before it (the dynamic hard prompt
/// baseline, and the dynamic soft prompt at its initialization).
public final class DynamicHardPrompt: ExtractionPrompt {
    /// The number of prefix tokens repeated.
    public let length: Int

    /// A prompt repeating the last `length` prefix tokens.
    public init(length: Int) {
        precondition(length >= 0, "DynamicHardPrompt: length \(length) is negative")
        self.length = length
    }

    /// Refuses prefixes shorter than the prompt.
    public func validate(prefixLength: Int, vocabularySize: Int) throws(MemorizationError) {
        try validateReadsTail(prefixLength: prefixLength)
    }

    /// `dynamic-hard`.
    public var methodName: String { "dynamic-hard" }

    /// The target's embeddings of each prefix's last ``length`` tokens.
    public func embeddings(forPrefixes prefixes: [[Int]], target: LlamaModel) -> Tensor? {
        guard length > 0 else { return nil }
        return target.embeddings(for: prefixes.map { DynamicHardPrompt.tail(of: $0, length: length) })
    }

    /// The last `length` tokens of `prefix`.
    static func tail(of prefix: [Int], length: Int) -> [Int] {
        precondition(prefix.count >= length, "prompt: prefix of \(prefix.count) tokens is shorter than the prompt length \(length)")
        return Array(prefix.suffix(length))
    }
}
