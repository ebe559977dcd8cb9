/// A BERT configuration or checkpoint that cannot be used.
public enum BERTError: Error, Equatable, CustomStringConvertible {
    /// A file cannot be read or parsed.
    case unreadableFile(file: String, reason: String)
    /// A configuration field is missing, ill-typed or out of range.
    case invalidConfiguration(file: String, field: String, reason: String)
    /// The checkpoint lacks a weight the model needs.
    case missingWeight(file: String, tensor: String)
    /// A checkpoint weight's shape differs from the model's.
    case weightShapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])

    /// A sentence naming the file, the field or tensor, and the problem.
    public var description: String {
        switch self {
        case .unreadableFile(let file, let reason):
            "\(file) cannot be read: \(reason)"
        case .invalidConfiguration(let file, let field, let reason):
            "BERT configuration \(file): field '\(field)' \(reason)"
        case .missingWeight(let file, let tensor):
            "BERT checkpoint \(file) lacks the tensor '\(tensor)'"
        case .weightShapeMismatch(let file, let tensor, let expected, let found):
            "BERT checkpoint \(file): tensor '\(tensor)' has shape \(found), the model expects \(expected)"
        }
    }
}
