/// A WordPiece vocabulary that cannot be used.
public enum WordPieceError: Error, Equatable, CustomStringConvertible {
    /// The vocabulary file cannot be read or is not UTF-8 text.
    case unreadableVocabulary(file: String, reason: String)
    /// The vocabulary holds no token.
    case emptyVocabulary(file: String)
    /// A special token the tokenizer needs (`[UNK]`, `[CLS]`, `[SEP]`, `[PAD]`) is absent.
    case missingSpecialToken(file: String, token: String)

    /// A sentence naming the file and the problem.
    public var description: String {
        switch self {
        case .unreadableVocabulary(let file, let reason):
            "WordPiece vocabulary \(file) cannot be read: \(reason)"
        case .emptyVocabulary(let file):
            "WordPiece vocabulary \(file) holds no token (expected one token per line)"
        case .missingSpecialToken(let file, let token):
            "WordPiece vocabulary \(file) lacks the special token \(token)"
        }
    }
}
