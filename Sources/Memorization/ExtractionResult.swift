/// The outcome of one extraction measurement: the metrics and what was generated per sample.
public struct ExtractionResult: Codable, Sendable {
    /// The method's name (``ExtractionPrompt/methodName``).
    public var method: String
    /// The rates and loss over all samples.
    public var metrics: ExtractionMetrics
    /// The ids of the samples, in order.
    public var sampleIDs: [Int]
    /// The greedy suffix generated for each sample.
    public var generated: [[Int]]
    /// Whether each sample was extracted exactly.
    public var exact: [Bool]
    /// Each sample's repetition count in the target's training data, when known.
    public var repetitions: [Int?]

    /// A result from its parts (one entry per sample in each array).
    public init(
        method: String, metrics: ExtractionMetrics, sampleIDs: [Int], generated: [[Int]], exact: [Bool], repetitions: [Int?]
    ) {
        precondition(
            [generated.count, exact.count, repetitions.count].allSatisfy { $0 == sampleIDs.count },
            "ExtractionResult: per-sample arrays of different lengths")
        self.method = method
        self.metrics = metrics
        self.sampleIDs = sampleIDs
        self.generated = generated
        self.exact = exact
        self.repetitions = repetitions
    }

    /// The exact-extraction rate of the samples seen `count` times, nil when none were.
    public func exactRate(repetitions count: Int) -> Double? {
        let chosen = zip(exact, repetitions).filter { $0.1 == count }
        guard !chosen.isEmpty else { return nil }
        return Double(chosen.filter(\.0).count) / Double(chosen.count)
    }

    /// The distinct known repetition counts, ascending.
    public var repetitionCounts: [Int] { Array(Set(repetitions.compactMap { $0 })).sorted() }
}
