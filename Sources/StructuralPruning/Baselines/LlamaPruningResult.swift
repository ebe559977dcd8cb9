import ModelZoo

/// A physically pruned LLaMA model with what it kept and what it took to make.
public struct LlamaPruningResult {
    /// The pruned model (`LlamaModel`, saved and reloaded like any other).
    public var model: LlamaModel
    /// Block parameters of the dense model (the seven projections of every block).
    public var denseBlockParameters: Int
    /// Block parameters of the pruned model, counted from its tensors.
    public var keptBlockParameters: Int
    /// Seconds spent scoring and slicing.
    public var seconds: Double

    /// The kept fraction of block parameters.
    public var keptFraction: Double { Double(keptBlockParameters) / Double(max(denseBlockParameters, 1)) }
}
