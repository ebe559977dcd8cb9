import Foundation
import PruningCore

/// How the importance-weighted estimator g(τ | θ') · w corrects for sampling with θ.
public enum ImportanceWeighting: Sendable, Equatable {
    /// The papers' trajectory weight w(τ | θ', θ) = p(τ | θ')/p(τ | θ) = Π_t π_θ'(a_t|s_t)/π_θ(a_t|s_t)
    /// (the transition probabilities cancel), one per trajectory, optionally clipped to `clip`.
    case trajectory(clip: ClosedRange<Float>? = nil)
    /// One ratio per step, π_θ'(a_t|s_t)/π_θ(a_t|s_t) clipped to `clip` — what the official
    /// BGPO code does (`compute_weights` with `th = 1.2`: `clip = 0.2...1.2`). Biased, but
    /// bounded.
    case perStep(clip: ClosedRange<Float>)
}

/// The score-function gradient `scale · Σ_i Ψ_i ∇ log π_θ(a_i | s_i)` at the policy's current
/// parameters θ.
public func scoreFunctionGradient(
    policy: any StochasticPolicy, batch: RolloutBatch, weights: ScoreWeights
) -> GradientEstimate {
    precondition(weights.values.count == batch.stepCount,
                 "scoreFunctionGradient: \(weights.values.count) weights for \(batch.stepCount) steps")
    let coefficients = Tensor(weights.values.map { $0 * weights.scale })
    let (value, gradients) = valueAndGradient(of: policy.trainableParameters()) {
        (policy.logProbability(observations: batch.observations, actions: batch.actions) * coefficients).sum()
    }
    return GradientEstimate(gradient: policy.flatten(gradients), surrogate: value.scalar, importanceWeights: [])
}

/// The importance-weighted gradient w · g(τ | θ') of the variance-reduced methods: the
/// score-function gradient evaluated at other parameters θ' (`parameters`, the previous iterate)
/// on trajectories sampled with the policy's current parameters θ, each term weighted by
/// p(τ | θ')/p(τ | θ) (see ``ImportanceWeighting``).
///
/// The policy's parameters are set to θ' for the evaluation and restored afterwards. With
/// θ' = θ every weight is exactly 1 and the result equals ``scoreFunctionGradient(policy:batch:weights:)``.
public func importanceWeightedGradient(
    policy: any StochasticPolicy, batch: RolloutBatch, weights: ScoreWeights, evaluatedAt parameters: [Float],
    weighting: ImportanceWeighting
) -> GradientEstimate {
    precondition(weights.values.count == batch.stepCount,
                 "importanceWeightedGradient: \(weights.values.count) weights for \(batch.stepCount) steps")
    let sampling = withoutGradients {
        policy.logProbability(observations: batch.observations, actions: batch.actions).scalars
    }
    return policy.withFlatParameters(parameters) {
        var importance: [Float] = []
        let (value, gradients) = valueAndGradient(of: policy.trainableParameters()) {
            let logProbability = policy.logProbability(observations: batch.observations, actions: batch.actions)
            let evaluated = logProbability.scalars
            var coefficients = [Float](repeating: 0, count: batch.stepCount)
            switch weighting {
            case .trajectory(let clip):
                for range in batch.stepRanges {
                    var logRatio = 0.0
                    for i in range { logRatio += Double(evaluated[i]) - Double(sampling[i]) }
                    var w = Float(Foundation.exp(logRatio))
                    if let clip { w = Swift.min(Swift.max(w, clip.lowerBound), clip.upperBound) }
                    importance.append(w)
                    for i in range { coefficients[i] = w * weights.values[i] * weights.scale }
                }
            case .perStep(let clip):
                for i in 0..<batch.stepCount {
                    let ratio = Float(Foundation.exp(Double(evaluated[i]) - Double(sampling[i])))
                    let w = Swift.min(Swift.max(ratio, clip.lowerBound), clip.upperBound)
                    importance.append(w)
                    coefficients[i] = w * weights.values[i] * weights.scale
                }
            }
            return (logProbability * Tensor(coefficients)).sum()
        }
        return GradientEstimate(gradient: policy.flatten(gradients), surrogate: value.scalar, importanceWeights: importance)
    }
}
