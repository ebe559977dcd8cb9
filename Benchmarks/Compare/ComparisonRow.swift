import Foundation

/// One compressed (or dense) model in a family's table: the same evaluation for every method.
struct ComparisonRow: Codable, Sendable {
    /// The family: `LLM`, `CNN`, `ViT`, `GAN` or `diffusion`.
    var family: String
    /// The model every method of the family starts from.
    var model: String
    /// The method (`dense` for the reference row).
    var method: String
    /// The budget the method was asked for.
    var budget: String
    /// The quality measure's name, e.g. `perplexity`.
    var qualityName: String
    /// Whether a larger quality is better (accuracy) or worse (perplexity, FD).
    var higherIsBetter: Bool
    /// The quality of this model.
    var quality: Double
    /// A second quality measure's name and value (e.g. next-sentence accuracy), if any.
    var secondaryName: String?
    var secondary: Double?
    /// Parameters of the exported model.
    var parameters: Int
    /// Multiply-accumulates of one forward pass per sample (per token for LLMs), in millions.
    var megaMACs: Double
    /// The measured speed's name, e.g. `prefill tok/s`.
    var speedName: String
    /// The measured speed.
    var speed: Double
    /// The speed over the dense model's, measured in the same run.
    var speedup: Double
    /// A second measured speed (e.g. decoding after the prefill), its name and its ratio to
    /// the dense model's, if any.
    var extraSpeedName: String? = nil
    var extraSpeed: Double? = nil
    var extraSpeedup: Double? = nil
    /// Wall-clock seconds the method took to produce the model (nil for the dense model).
    var secondsToPrune: Double?
    /// Training the method did (steps or epochs), as text.
    var training: String
}

extension ComparisonRow {
    /// Quality relative to the dense row (100 = as good as dense; above is better), oriented so
    /// that larger is better for every measure.
    func qualityKept(dense: ComparisonRow) -> Double {
        higherIsBetter ? 100 * quality / dense.quality : 100 * dense.quality / quality
    }
}
