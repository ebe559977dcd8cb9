import Foundation
import PruningCore

/// APTP's optimal-transport routing of a batch of prompts to `K` architecture codes (the
/// Sinkhorn–Knopp iteration of SwAV, Caron et al., 2020, as in APTP's
/// `pdm/models/vq/quantizer.py`): from the cosine similarities `S` (`[B, K]`) of the prompts'
/// architecture vectors to the codes, `Q = exp(S / ε)ᵀ` normalized to total 1, then
/// ``iterations`` rounds of "each code's row sums to 1/K" and "each prompt's column sums to
/// 1/B", finally `Q · B` so every prompt's column sums to 1; each prompt goes to the code of its
/// largest entry. The equal-row constraint spreads a batch over the codes, which is what keeps
/// them from collapsing into one. At inference APTP routes by plain arg-max similarity
/// (``nearest(_:)``).
public struct SinkhornRouting: Sendable, Equatable {
    /// The entropic regularization `ε` (APTP: 0.05).
    public var epsilon: Double
    /// The normalization rounds (APTP: 3).
    public var iterations: Int

    /// Routing with APTP's settings.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive `ε` or fewer than one round.
    public init(epsilon: Double = 0.05, iterations: Int = 3) throws(StructuralPruningError) {
        guard epsilon > 0, epsilon.isFinite else { throw .invalidSetting(field: "epsilon", value: epsilon, expected: "a finite value > 0") }
        guard iterations >= 1 else { throw .invalidSetting(field: "iterations", value: Double(iterations), expected: "at least 1") }
        self.epsilon = epsilon
        self.iterations = iterations
    }

    /// The transport plan `[B, K]` for similarities `[B, K]` (rows: prompts; each row sums to 1).
    public func plan(_ similarities: Tensor) -> [[Double]] {
        precondition(similarities.rank == 2, "SinkhornRouting: similarities \(similarities.shape) must be [batch, codes]")
        let (b, k) = (similarities.shape[0], similarities.shape[1])
        let s = similarities.scalars.map(Double.init)
        // Subtracting the maximum leaves the plan unchanged (it cancels in the first normalization).
        let top = s.max() ?? 0
        var q = (0..<k).map { code in (0..<b).map { prompt in Foundation.exp((s[prompt * k + code] - top) / epsilon) } }
        let total = q.joined().reduce(0, +)
        q = q.map { $0.map { $0 / total } }
        for _ in 0..<iterations {
            for code in 0..<k {
                let sum = q[code].reduce(0, +)
                q[code] = q[code].map { sum > 0 ? $0 / sum / Double(k) : 1 / Double(k * b) }
            }
            for prompt in 0..<b {
                let sum = (0..<k).reduce(0) { $0 + q[$1][prompt] }
                for code in 0..<k { q[code][prompt] = sum > 0 ? q[code][prompt] / sum / Double(b) : 1 / Double(k * b) }
            }
        }
        return (0..<b).map { prompt in (0..<k).map { q[$0][prompt] * Double(b) } }
    }

    /// The code of every prompt under the transport plan.
    public func assign(_ similarities: Tensor) -> [Int] {
        plan(similarities).map { row in row.indices.max { row[$0] < row[$1] }! }
    }

    /// The code of largest similarity for every prompt (inference routing).
    public static func nearest(_ similarities: Tensor) -> [Int] {
        let (b, k) = (similarities.shape[0], similarities.shape[1])
        let s = similarities.scalars
        return (0..<b).map { prompt in (0..<k).max { s[prompt * k + $0] < s[prompt * k + $1] }! }
    }

    /// Cosine similarities `[B, K]` between rows of `vectors` `[B, d]` and of `codes` `[K, d]`
    /// (differentiable).
    public static func cosineSimilarities(_ vectors: Tensor, _ codes: Tensor) -> Tensor {
        func normalized(_ x: Tensor) -> Tensor { x / (x.squared().sum(alongAxis: 1).unsqueezed(at: 1) + 1e-12).sqrt() }
        return normalized(vectors).matmul(normalized(codes), transposingOther: true)
    }
}
