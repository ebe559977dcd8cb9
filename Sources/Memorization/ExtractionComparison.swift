/// Sample-by-sample comparison of two extraction measurements on the same samples — a model
/// before and after compression, say: which memorized samples does the compressed model forget,
/// and does it extract any the original did not?
public struct ExtractionComparison: Codable, Equatable, Sendable {
    /// Samples extracted exactly by both.
    public var retained: Int
    /// Samples extracted by the first measurement only.
    public var forgotten: Int
    /// Samples extracted by the second measurement only.
    public var gained: Int
    /// Samples compared.
    public var sampleCount: Int

    /// Compares `after` with `before`.
    ///
    /// - Throws: ``MemorizationError/invalidSamples(reason:)`` when the two measured different
    ///   samples (or in a different order).
    public init(before: ExtractionResult, after: ExtractionResult) throws(MemorizationError) {
        guard before.sampleIDs == after.sampleIDs else {
            throw .invalidSamples(reason: "the two measurements cover different samples; compare results on one sample list")
        }
        var counts = (0, 0, 0)
        for (was, now) in zip(before.exact, after.exact) {
            switch (was, now) {
            case (true, true): counts.0 += 1
            case (true, false): counts.1 += 1
            case (false, true): counts.2 += 1
            case (false, false): break
            }
        }
        (retained, forgotten, gained) = counts
        sampleCount = before.sampleIDs.count
    }

    /// The fraction of the first measurement's extracted samples that the second still
    /// extracts (nil when the first extracted none).
    public var retention: Double? {
        retained + forgotten > 0 ? Double(retained) / Double(retained + forgotten) : nil
    }
}
