/// An error from reading a saved ``LowRankLlamaModel``: its architecture description is
/// missing, malformed or inconsistent, or the weights file does not hold exactly the tensors
/// that architecture needs. (A missing file, a damaged safetensors file and a missing tensor are
/// reported as `FormatError`; a bad base configuration as `LlamaConfigurationError`.)
public enum LowRankModelFileError: Error, CustomStringConvertible, Equatable {
    /// Neither the weights file's metadata nor the description file beside it holds an
    /// architecture description.
    case missingDescription(file: String, descriptionFile: String)
    /// The description is not valid JSON, lacks a field or has an impossible value; `field` is
    /// its JSON path (for example `layers[1].projections.self_attn.q_proj.rank`), empty when
    /// the text as a whole is at fault.
    case invalidDescription(file: String, field: String, reason: String)
    /// The weights file holds a tensor that names no parameter of the described model.
    case unexpectedTensor(file: String, tensor: String)
    /// A tensor's shape differs from the one the description gives its parameter.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])

    /// A message naming the file and the field or tensor at fault.
    public var description: String {
        switch self {
        case .missingDescription(let file, let descriptionFile):
            "\(file): no low-rank architecture in the metadata, and \(descriptionFile) cannot be read"
        case .invalidDescription(let file, let field, let reason):
            field.isEmpty
                ? "\(file): invalid low-rank architecture description: \(reason)"
                : "\(file): invalid low-rank architecture description: field '\(field)': \(reason)"
        case .unexpectedTensor(let file, let tensor):
            "\(file): tensor '\(tensor)' names no parameter of the described model"
        case .shapeMismatch(let file, let tensor, let expected, let found):
            "\(file): tensor '\(tensor)' has shape \(found) but the description needs \(expected)"
        }
    }
}
