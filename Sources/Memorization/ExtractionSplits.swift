import PruningCore

/// Disjoint train, validation and test sets of extraction samples.
///
/// Prompts are trained on ``train``, selected (best step) on ``validation`` and measured on
/// ``test``. The official DSP code selects its generator by the loss on the same samples it then
/// reports extraction on; keeping selection on a third split removes that leak.
public struct ExtractionSplits: Sendable {
    /// Samples the prompt is trained on.
    public let train: [ExtractionSample]
    /// Samples that choose the training step to keep.
    public let validation: [ExtractionSample]
    /// Samples the reported extraction rates are measured on.
    public let test: [ExtractionSample]

    /// Splits `samples` at random (seeded) into `validationCount` validation, `testCount` test
    /// and the rest train samples.
    ///
    /// - Throws: ``MemorizationError/invalidSplits(reason:)`` when the counts are negative, leave
    ///   no training sample, or the sample ids repeat (the splits could then share a sequence).
    public init(samples: [ExtractionSample], validationCount: Int, testCount: Int, seed: UInt64 = 42) throws(MemorizationError) {
        guard validationCount >= 0, testCount > 0 else {
            throw .invalidSplits(reason: "validation count \(validationCount) must be ≥ 0 and test count \(testCount) > 0")
        }
        guard validationCount + testCount < samples.count else {
            throw .invalidSplits(
                reason: "\(validationCount) validation + \(testCount) test samples leave none of the \(samples.count) to train on")
        }
        guard Set(samples.map(\.id)).count == samples.count else {
            throw .invalidSplits(reason: "sample ids repeat; every sample needs its own id")
        }
        var random = RandomGenerator(seed: seed)
        let order = random.permutation(samples.count)
        test = order.prefix(testCount).map { samples[$0] }
        validation = order.dropFirst(testCount).prefix(validationCount).map { samples[$0] }
        train = order.dropFirst(testCount + validationCount).map { samples[$0] }
    }

    /// Whether no sample id and no token sequence appears in two splits.
    public var areDisjoint: Bool {
        let sets = [train, validation, test].map { Set($0.map(\.id)) }
        let sequences = [train, validation, test].map { Set($0.map(\.tokens)) }
        for a in 0..<3 {
            for b in (a + 1)..<3 where !sets[a].isDisjoint(with: sets[b]) || !sequences[a].isDisjoint(with: sequences[b]) {
                return false
            }
        }
        return true
    }
}
