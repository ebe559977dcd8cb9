import Foundation
import PruningCore

/// How a language model picks the next token from its logits: greedy, or sampled with a
/// temperature, top-k and nucleus (top-p, Holtzman et al., 2020, arXiv 1904.09751) filtering,
/// applied in that order as Hugging Face's `generate` does.
///
/// ```swift
/// var random = RandomGenerator(seed: 7)
/// let sampling = LlamaSampling(temperature: 0.8, topK: 50, topP: 0.95)
/// let next = sampling.nextToken(fromLogits: row, using: &random)
/// ```
public struct LlamaSampling: Sendable, Equatable {
    /// The softmax temperature; 0 selects the most likely token (greedy decoding).
    public var temperature: Float
    /// Keep only the `topK` most likely tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches `topP` (nil: 1).
    public var topP: Double?

    /// Sampling with the given temperature and filters.
    ///
    /// - Precondition: `temperature ≥ 0`, `topK ≥ 1`, `0 < topP ≤ 1`.
    public init(temperature: Float = 1, topK: Int? = nil, topP: Double? = nil) {
        precondition(temperature >= 0 && temperature.isFinite, "LlamaSampling: temperature \(temperature) must be finite and ≥ 0")
        if let topK { precondition(topK >= 1, "LlamaSampling: topK \(topK) must be at least 1") }
        if let topP { precondition(topP > 0 && topP <= 1, "LlamaSampling: topP \(topP) must be in (0, 1]") }
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// Greedy decoding: always the most likely token (the first one on ties).
    public static let greedy = LlamaSampling(temperature: 0)

    /// Whether this is greedy decoding (no randomness used).
    public var isGreedy: Bool { temperature == 0 }

    /// The next token for one row of logits `[vocab]`.
    public func nextToken(fromLogits logits: [Float], using generator: inout RandomGenerator) -> Int {
        logits.withUnsafeBufferPointer { nextToken(fromLogits: $0, using: &generator) }
    }

    /// The next token for one row of logits `[vocab]`.
    ///
    /// Greedy decoding draws nothing from `generator`; sampling draws one uniform number.
    public func nextToken(fromLogits logits: UnsafeBufferPointer<Float>, using generator: inout RandomGenerator) -> Int {
        precondition(!logits.isEmpty, "LlamaSampling: empty logits")
        if isGreedy { return Self.argmax(logits) }
        // Candidates by decreasing logit (index order on ties), cut to top-k.
        var order = Array(0..<logits.count)
        order.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        if let topK, topK < order.count { order.removeSubrange(topK...) }
        let top = Double(logits[order[0]])
        let inverseTemperature = 1 / Double(temperature)
        var weights = order.map { Foundation.exp((Double(logits[$0]) - top) * inverseTemperature) }
        var total = weights.reduce(0, +)
        if let topP, topP < 1 {
            var cumulative = 0.0
            var kept = weights.count
            for (i, w) in weights.enumerated() {
                cumulative += w
                if cumulative >= topP * total {
                    kept = i + 1
                    break
                }
            }
            weights.removeSubrange(kept...)
            order.removeSubrange(kept...)
            total = weights.reduce(0, +)
        }
        var target = generator.nextUniformDouble() * total
        for (i, w) in weights.enumerated() {
            target -= w
            if target < 0 { return order[i] }
        }
        return order[weights.count - 1]
    }

    /// The index of the largest entry, the first one on ties.
    static func argmax(_ row: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for i in 1..<row.count where row[i] > row[best] { best = i }
        return best
    }
}
