import ModelZoo

/// One sequence of training text split for an extraction test: given ``prefix``, does greedy
/// decoding of the model return ``suffix``?
///
/// ``repetitions`` records how often the sequence appeared in the target's training data when
/// that is known (the canary sets), so that results can be broken down by it.
public struct ExtractionSample: Codable, Hashable, Sendable {
    /// A stable identifier (its index in the set it came from).
    public var id: Int
    /// The tokens the model is given.
    public var prefix: [Int]
    /// The tokens it should reproduce.
    public var suffix: [Int]
    /// How many times the whole sequence was in the training data (nil: unknown).
    public var repetitions: Int?

    /// A sample from its parts.
    public init(id: Int, prefix: [Int], suffix: [Int], repetitions: Int? = nil) {
        self.id = id
        self.prefix = prefix
        self.suffix = suffix
        self.repetitions = repetitions
    }

    /// `prefix + suffix`.
    public var tokens: [Int] { prefix + suffix }
}

extension [ExtractionSample] {
    /// Checks that the samples are non-empty, share one prefix and one suffix length (both
    /// positive) and that every id is in `0..<vocabularySize`; returns the two lengths.
    ///
    /// - Throws: ``MemorizationError/invalidSamples(reason:)`` naming the first offending sample.
    @discardableResult
    public func validatedLengths(vocabularySize: Int) throws(MemorizationError) -> (prefix: Int, suffix: Int) {
        guard let first else { throw .invalidSamples(reason: "no samples") }
        let lengths = (first.prefix.count, first.suffix.count)
        guard lengths.0 > 0, lengths.1 > 0 else {
            throw .invalidSamples(reason: "sample \(first.id) has prefix length \(lengths.0) and suffix length \(lengths.1); both must be positive")
        }
        for sample in self {
            guard sample.prefix.count == lengths.0, sample.suffix.count == lengths.1 else {
                throw .invalidSamples(
                    reason: "sample \(sample.id) has lengths \(sample.prefix.count)+\(sample.suffix.count), the first \(lengths.0)+\(lengths.1); all must match")
            }
            if let bad = sample.tokens.first(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw .invalidSamples(reason: "sample \(sample.id) holds token \(bad), outside the vocabulary 0..<\(vocabularySize)")
            }
        }
        return lengths
    }
}
