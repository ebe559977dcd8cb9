/// The outcome of a DISP-LLM run: the training curve, the timing, and how the exported masks
/// meet the budget.
public struct DISPLLMReport: Sendable, Codable, Equatable {
    /// The target kept fraction of block parameters, `p`.
    public var keptFraction: Double
    /// Every step, in order.
    public var history: [DISPLLMStep]
    /// Wall-clock seconds of training.
    public var trainingSeconds: Double
    /// The kept fraction of the noise-free masks `1[o + b ≥ 0]` of the trained controller.
    public var deterministicRatio: Double
    /// The kept fraction of the exported masks (after the threshold shift, if any).
    public var exportedRatio: Double
    /// The threshold shift applied at export (0 without budget matching).
    public var thresholdShift: Double
    /// The kept width of every structure, `[layer][S1 … S5]`.
    public var keptWidths: [[Int]]
    /// Block parameters of the dense model.
    public var denseBlockParameters: Int
    /// Block parameters kept by the exported masks.
    public var keptBlockParameters: Int

    /// Mean seconds per step.
    public var secondsPerStep: Double { history.isEmpty ? 0 : trainingSeconds / Double(history.count) }
}
