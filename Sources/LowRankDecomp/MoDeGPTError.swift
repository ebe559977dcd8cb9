import PruningCore

/// An error from a compression run: a bad configuration, unusable calibration data, a model
/// shape the method does not handle, or a failed decomposition.
public enum MoDeGPTError: Error, CustomStringConvertible, Equatable {
    /// A configuration field is out of range.
    case invalidConfiguration(field: String, reason: String)
    /// The calibration set holds no sequence, or a sequence with fewer than two tokens.
    case emptyCalibration
    /// The calibration sequences have different lengths (they are batched).
    case unequalSequenceLengths(lengths: [Int])
    /// A calibration sequence is longer than the model's rotary tables.
    case sequenceTooLong(length: Int, maxPositions: Int)
    /// A calibration token id is outside the vocabulary.
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    /// A token stream is too short to cut the requested calibration windows from.
    case textTooShort(tokenCount: Int, needed: Int)
    /// A layer has a structure the method cannot compress (named in `reason`).
    case unsupportedLayer(index: Int, reason: String)
    /// A decomposition failed in a LAPACK routine.
    case decompositionFailed(layer: Int, module: String, underlying: LinearAlgebraError)

    /// A message naming the field, layer or sequence at fault.
    public var description: String {
        switch self {
        case .invalidConfiguration(let field, let reason):
            "invalid compression configuration: \(field): \(reason)"
        case .emptyCalibration:
            "calibration set is empty: give at least one sequence of two or more tokens"
        case .unequalSequenceLengths(let lengths):
            "calibration sequences must have one length, got lengths \(Array(Set(lengths)).sorted())"
        case .sequenceTooLong(let length, let maxPositions):
            "calibration sequences of \(length) tokens exceed the model's \(maxPositions) positions"
        case .tokenOutOfRange(let id, let vocabularySize):
            "calibration token id \(id) is outside the vocabulary 0..<\(vocabularySize)"
        case .textTooShort(let tokenCount, let needed):
            "token stream of \(tokenCount) tokens is too short: calibration windows need \(needed)"
        case .unsupportedLayer(let index, let reason):
            "layer \(index) cannot be compressed: \(reason)"
        case .decompositionFailed(let layer, let module, let underlying):
            "layer \(layer) \(module): decomposition failed: \(underlying)"
        }
    }
}
