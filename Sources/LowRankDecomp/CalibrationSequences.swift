import ModelZoo
import PruningCore

/// Calibration sets: token windows drawn from a tokenized corpus.
///
/// The paper calibrates on WikiText-2; as in the GPTQ/SparseGPT data loaders, each sequence is
/// a window of consecutive tokens starting at a uniformly random offset of the token stream.
///
/// ```swift
/// let text = try WikiText2Evaluation.text(split: .validation)
/// let ids = tokenizer.encode(text, addingBOS: false, parsingSpecialTokens: false)
/// let calibration = try CalibrationSequences.windows(of: ids, count: 32, length: 512, seed: 0)
/// ```
public enum CalibrationSequences {
    /// `count` windows of `length` consecutive tokens of `ids`, at seeded uniform random start
    /// offsets in `0 ... ids.count − length` (windows may overlap).
    ///
    /// - Throws: ``MoDeGPTError/textTooShort(tokenCount:needed:)`` when `ids` holds fewer than
    ///   `length` tokens.
    /// - Precondition: `count > 0` and `length > 0`.
    public static func windows(of ids: [Int], count: Int, length: Int, seed: UInt64 = 0) throws(MoDeGPTError) -> [[Int]] {
        precondition(count > 0 && length > 0, "CalibrationSequences: \(count) windows of \(length) tokens")
        guard ids.count >= length else { throw .textTooShort(tokenCount: ids.count, needed: length) }
        var random = RandomGenerator(seed: seed)
        let starts = ids.count - length + 1
        return (0..<count).map { _ in
            let start = random.nextInt(below: starts)
            return Array(ids[start..<(start + length)])
        }
    }

    /// The first `count · length` tokens of `ids` cut into `count` consecutive windows of
    /// `length` (a deterministic alternative to ``windows(of:count:length:seed:)``).
    ///
    /// - Throws: ``MoDeGPTError/textTooShort(tokenCount:needed:)``.
    /// - Precondition: `count > 0` and `length > 0`.
    public static func consecutiveWindows(of ids: [Int], count: Int, length: Int) throws(MoDeGPTError) -> [[Int]] {
        precondition(count > 0 && length > 0, "CalibrationSequences: \(count) windows of \(length) tokens")
        guard ids.count >= count * length else { throw .textTooShort(tokenCount: ids.count, needed: count * length) }
        return (0..<count).map { Array(ids[($0 * length)..<(($0 + 1) * length)]) }
    }

    /// Checks that `sequences` can calibrate `model`: at least one sequence, all of one length
    /// of two or more tokens that fits the rotary tables, every id in the vocabulary.
    ///
    /// - Throws: ``MoDeGPTError/emptyCalibration``, ``MoDeGPTError/unequalSequenceLengths(lengths:)``,
    ///   ``MoDeGPTError/sequenceTooLong(length:maxPositions:)``,
    ///   ``MoDeGPTError/tokenOutOfRange(id:vocabularySize:)``.
    public static func validate(_ sequences: [[Int]], for configuration: LlamaConfiguration) throws(MoDeGPTError) {
        guard let length = sequences.first?.count, length >= 2 else { throw .emptyCalibration }
        guard sequences.allSatisfy({ $0.count == length }) else {
            throw .unequalSequenceLengths(lengths: sequences.map(\.count))
        }
        guard length <= configuration.maxPositions else {
            throw .sequenceTooLong(length: length, maxPositions: configuration.maxPositions)
        }
        for sequence in sequences {
            if let bad = sequence.first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
                throw .tokenOutOfRange(id: bad, vocabularySize: configuration.vocabularySize)
            }
        }
    }
}
