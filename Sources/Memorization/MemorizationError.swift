/// A problem with the inputs of a memorization measurement, naming the field or file at fault.
public enum MemorizationError: Error, Equatable, CustomStringConvertible {
    /// A configuration field is out of range.
    case invalidConfiguration(field: String, reason: String)
    /// A sample set cannot be used as given (empty, ragged lengths, ids outside the vocabulary).
    case invalidSamples(reason: String)
    /// Splits overlap or do not fit the number of samples.
    case invalidSplits(reason: String)
    /// A saved prompt or checkpoint does not fit the prompt it is loaded into.
    case checkpointMismatch(file: String, reason: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case let .invalidConfiguration(field, reason): "invalid configuration field '\(field)': \(reason)"
        case let .invalidSamples(reason): "invalid extraction samples: \(reason)"
        case let .invalidSplits(reason): "invalid splits: \(reason)"
        case let .checkpointMismatch(file, reason): "\(file): \(reason)"
        }
    }
}
