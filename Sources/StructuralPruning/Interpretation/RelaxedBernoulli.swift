import Foundation
import PruningCore

/// The relaxed Bernoulli (binary concrete) distribution of Maddison et al. and Jang et al.:
/// `s = σ((log p − log(1 − p) + log u − log(1 − u)) / T)`, `u ~ U(0, 1)`, differentiable in the
/// probabilities `p`. For every temperature `P(s > ½) = p`; as `T → 0` the samples become
/// Bernoulli(`p`). Interpretation-steered pruning masks images with it: T = 0.1 for the
/// predictor's random masks, T = 1 for the selector's.
public struct RelaxedBernoulli: Sendable, Equatable {
    /// The temperature `T`.
    public let temperature: Float
    /// Probabilities are clamped to `[ε, 1 − ε]` before the logit.
    public let epsilon: Float

    /// A relaxed Bernoulli of temperature `temperature`.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   temperature that is not positive and finite, or ε outside (0, ½).
    public init(temperature: Float, epsilon: Float = 1e-6) throws(StructuralPruningError) {
        guard temperature > 0, temperature.isFinite else {
            throw .invalidSetting(field: "temperature", value: Double(temperature), expected: "a positive finite value")
        }
        guard epsilon > 0, epsilon < 0.5 else {
            throw .invalidSetting(field: "epsilon", value: Double(epsilon), expected: "a value in (0, 0.5)")
        }
        self.temperature = temperature
        self.epsilon = epsilon
    }

    /// A sample of the shape of `probabilities` (differentiable in them).
    public func sample(_ probabilities: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let p = probabilities.clamped(min: epsilon, max: 1 - epsilon)
        let logit = p.log() - (p * -1 + 1).log()
        let noise = Tensor(shape: probabilities.shape, scalars: (0..<probabilities.count).map { _ in
            let u = min(max(Double(generator.nextUniformDouble()), 1e-12), 1 - 1e-12)
            return Float(log(u) - log(1 - u))
        })
        return ((logit + noise) / temperature).sigmoid()
    }
}
