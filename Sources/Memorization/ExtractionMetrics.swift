/// How much of their suffixes a model reproduces under greedy decoding.
///
/// The definitions are the DSP paper's (official `utils.py`): the **exact extraction rate**
/// (discoverable memorization rate) is the fraction of samples whose generated suffix equals the
/// true one token for token; the **fractional extraction rate** is the mean fraction of suffix
/// positions generated correctly; the **suffix loss** is the mean cross-entropy (nats per
/// token) of the true suffix tokens given the prompt and prefix.
public struct ExtractionMetrics: Codable, Equatable, Sendable {
    /// The fraction of samples extracted exactly.
    public var exactRate: Double
    /// The mean fraction of suffix tokens generated correctly.
    public var fractionalRate: Double
    /// The mean negative log-likelihood of the true suffix tokens (nats per token).
    public var suffixLoss: Double
    /// The number of samples measured.
    public var sampleCount: Int

    /// Metrics from their parts.
    public init(exactRate: Double, fractionalRate: Double, suffixLoss: Double, sampleCount: Int) {
        self.exactRate = exactRate
        self.fractionalRate = fractionalRate
        self.suffixLoss = suffixLoss
        self.sampleCount = sampleCount
    }

    /// The exact and fractional rates of `generated` against `suffixes`, row by row; a
    /// generated row shorter than its suffix counts its missing positions as wrong.
    ///
    /// - Precondition: as many generated rows as suffixes, at least one, each suffix non-empty.
    public static func rates(generated: [[Int]], suffixes: [[Int]]) -> (exact: Double, fractional: Double) {
        precondition(generated.count == suffixes.count && !suffixes.isEmpty,
                     "ExtractionMetrics: \(generated.count) generated rows for \(suffixes.count) suffixes")
        var exact = 0, fraction = 0.0
        for (output, truth) in zip(generated, suffixes) {
            precondition(!truth.isEmpty, "ExtractionMetrics: an empty suffix")
            let matches = zip(output, truth).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            if matches == truth.count && output.count >= truth.count { exact += 1 }
            fraction += Double(matches) / Double(truth.count)
        }
        return (Double(exact) / Double(suffixes.count), fraction / Double(suffixes.count))
    }

    /// The paper's relative improvement `(rate − baseline) / baseline`, nil when the baseline
    /// rate is 0 (the ratio is undefined).
    public static func relativeImprovement(of rate: Double, over baseline: Double) -> Double? {
        baseline > 0 ? (rate - baseline) / baseline : nil
    }
}
