/// Errors raised while building a byte-level BPE tokenizer from a vocabulary and merges.
public enum ByteLevelBPEError: Error, Equatable, CustomStringConvertible {
    /// A merge is not two tokens separated by one space, or names tokens missing from the vocabulary.
    case invalidMerge(index: Int, merge: String, reason: String)
    /// The token-type list does not have one entry per token.
    case tokenTypeCountMismatch(types: Int, tokens: Int)
    /// A special-token id (for example `bos`) is outside the vocabulary.
    case tokenIDOutOfRange(field: String, id: Int, vocabularySize: Int)
    /// A GGUF file declares a tokenizer model other than `gpt2`.
    case unsupportedModel(file: String, model: String)
    /// A GGUF file declares a pre-tokenizer this implementation does not reproduce.
    case unsupportedPreTokenizer(file: String, name: String)
    /// One of the errors above, found in the tokenizer stored in `file`.
    indirect case inFile(file: String, error: ByteLevelBPEError)

    /// A sentence naming the merge, field or file and the problem.
    public var description: String {
        switch self {
        case .invalidMerge(let index, let merge, let reason):
            "merge \(index) '\(merge)': \(reason)"
        case .tokenTypeCountMismatch(let types, let tokens):
            "\(types) token types for \(tokens) tokens"
        case .tokenIDOutOfRange(let field, let id, let size):
            "\(field) token id \(id) is outside the vocabulary of \(size) tokens"
        case .unsupportedModel(let file, let model):
            "\(file): tokenizer model '\(model)' is not byte-level BPE ('gpt2')"
        case .unsupportedPreTokenizer(let file, let name):
            "\(file): pre-tokenizer '\(name)' is not supported (supported: 'gpt2', 'smollm')"
        case .inFile(let file, let error): "\(file): \(error.description)"
        }
    }
}
