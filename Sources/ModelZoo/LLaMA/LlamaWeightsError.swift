/// A set of weights that does not fit a LLaMA configuration. Tensor names are given in the
/// naming the weights came with (GGUF or Hugging Face).
public enum LlamaWeightsError: Error, Equatable, CustomStringConvertible {
    /// The configuration needs a tensor the weights lack.
    case missingTensor(name: String)
    /// The weights hold a tensor the configuration has no place for (or a name that is not a
    /// LLaMA tensor name).
    case unexpectedTensor(name: String)
    /// A tensor's shape differs from the configuration's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A tensor holds NaN or an infinity (at row-major `index`).
    case nonFiniteValue(name: String, index: Int)
    /// One of the errors above, found in the weights of `file`.
    indirect case inFile(file: String, error: LlamaWeightsError)

    /// A sentence naming the tensor and the problem.
    public var description: String {
        switch self {
        case .missingTensor(let name): "LLaMA weights: tensor '\(name)' is missing"
        case .unexpectedTensor(let name): "LLaMA weights: tensor '\(name)' has no place in the configured model"
        case .shapeMismatch(let name, let expected, let found):
            "LLaMA weights: tensor '\(name)' has shape \(found), the configuration needs \(expected)"
        case .nonFiniteValue(let name, let index): "LLaMA weights: tensor '\(name)' holds NaN or infinity at element \(index)"
        case .inFile(let file, let error): "\(file): \(error.description)"
        }
    }
}

extension LlamaWeightsError {
    /// Runs `body`, attaching `file` to a ``LlamaWeightsError`` it throws.
    static func naming<R>(file: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LlamaWeightsError {
            if case .inFile = error { throw error }
            throw LlamaWeightsError.inFile(file: file, error: error)
        }
    }
}
