import Memorization

/// One row of the reproduced table: a prompting method on one target model.
struct ResultRow: Codable {
    /// `canary` (the fine-tuned copy), `pretraining-text` (the base model) or `tiny`.
    var target: String
    /// `dense`, or the compression applied to the target (`MoDeGPT 20 %`, …).
    var model: String
    var method: String
    var promptLength: Int
    var exactRate: Double
    var fractionalRate: Double
    var suffixLoss: Double
    /// `(exact − exact of no prompt) / exact of no prompt` on the same target and model; nil when
    /// no prompt extracts nothing.
    var relativeExact: Double?
    /// The same for the fractional rate.
    var relativeFractional: Double?
    var testSamples: Int
    /// Exact extraction by repetition count in the fine-tuning stream (canary targets).
    var exactByRepetitions: [String: Double]
    var trainingSeconds: Double?
    var selectedStep: Int?
    /// Against the same method on the dense target (compressed rows): samples still extracted,
    /// forgotten and newly extracted.
    var versusDense: ExtractionComparison?
    /// The model's parameters.
    var parameters: Int
}
