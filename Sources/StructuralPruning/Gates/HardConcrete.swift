import Foundation
import PruningCore

/// The hard-concrete gate of Louizos, Welling and Kingma (2018, "Learning Sparse Neural Networks
/// through L0 Regularization", arXiv 1712.01312): a binary-concrete sample
/// `s = σ((log U − log(1 − U) + o) / β)` stretched to `(γ, ζ)` and clipped to `[0, 1]`, so that
/// exact zeros and ones have positive probability while the sample stays differentiable in `o`.
///
/// Defaults are the paper's: β = 2/3, γ = −0.1, ζ = 1.1. The expected number of non-zero gates,
/// the paper's L0 penalty, is ``nonZeroProbability(_:)`` `= σ(o − β·log(−γ/ζ))`.
public struct HardConcrete: Sendable, Equatable {
    /// The temperature β.
    public var temperature: Float
    /// The lower end γ of the stretch (negative).
    public var lower: Float
    /// The upper end ζ of the stretch (above 1).
    public var upper: Float

    /// The gate with the paper's defaults.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` unless
    ///   β > 0, γ < 0 and ζ > 1.
    public init(temperature: Float = 2.0 / 3.0, lower: Float = -0.1, upper: Float = 1.1) throws(StructuralPruningError) {
        guard temperature > 0, temperature.isFinite else {
            throw .invalidSetting(field: "temperature", value: Double(temperature), expected: "a finite value > 0")
        }
        guard lower < 0 else { throw .invalidSetting(field: "lower", value: Double(lower), expected: "a value < 0") }
        guard upper > 1, upper.isFinite else { throw .invalidSetting(field: "upper", value: Double(upper), expected: "a finite value > 1") }
        self.temperature = temperature
        self.lower = lower
        self.upper = upper
    }

    /// Logistic noise `log U − log(1 − U)` of `shape`.
    public func noise(_ shape: [Int], using generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count {
                let u = generator.nextUniformDouble() * (1 - 2e-12) + 1e-12
                out[i] = Float(Foundation.log(u) - Foundation.log1p(-u))
            }
        }
    }

    /// A stretched, clipped binary-concrete sample (differentiable where it is inside (0, 1)).
    public func sample(_ logits: Tensor, using generator: inout RandomGenerator) -> Tensor {
        stretched(((logits + noise(logits.shape, using: &generator)) / temperature).sigmoid())
    }

    /// The noise-free gate `clip(σ(o)·(ζ − γ) + γ, 0, 1)` (the paper's test-time estimate).
    public func deterministic(_ logits: Tensor) -> Tensor { stretched(logits.sigmoid()) }

    /// The probability that a sample is non-zero, `σ(o − β·log(−γ/ζ))` (differentiable).
    public func nonZeroProbability(_ logits: Tensor) -> Tensor {
        (logits - temperature * Float(Foundation.log(Double(-lower / upper)))).sigmoid()
    }

    private func stretched(_ s: Tensor) -> Tensor { (s * (upper - lower) + lower).clamped(min: 0, max: 1) }
}
