import Foundation
import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

@Suite struct EstimatorImportanceTests {
    func setup() -> (CategoricalMLPPolicy, RolloutBatch, ScoreWeights, [Float]) {
        var random = RandomGenerator(seed: 31)
        let policy = CategoricalMLPPolicy(observationSize: 5, actionCount: 2, hidden: [3], using: &random)
        var environment = Corridor()
        let batch = RolloutBatch(RolloutCollector(sampleSize: .episodes(3)).collect(from: &environment, policy: policy, using: &random))
        let weights = GPOMDP(discount: 0.95).scoreWeights(for: batch, using: &random)
        let other = policy.flatParameters().map { $0 + 0.05 * (random.nextUniform() * 2 - 1) }
        return (policy, batch, weights, other)
    }

    @Test("at the sampling parameters every weight is 1 and the gradient is the plain one")
    func identity() {
        let (policy, batch, weights, _) = setup()
        let plain = scoreFunctionGradient(policy: policy, batch: batch, weights: weights)
        for weighting in [ImportanceWeighting.trajectory(clip: nil), .perStep(clip: 0.2...1.2)] {
            let weighted = importanceWeightedGradient(policy: policy, batch: batch, weights: weights,
                                                      evaluatedAt: policy.flatParameters(), weighting: weighting)
            #expect(weighted.importanceWeights.allSatisfy { $0 == 1 })
            #expect(weighted.gradient == plain.gradient)
            #expect(weighted.surrogate == plain.surrogate)
        }
    }

    @Test("trajectory weights are the likelihood ratios of whole trajectories")
    func trajectoryWeights() {
        let (policy, batch, weights, other) = setup()
        let here = withoutGradients { policy.logProbability(observations: batch.observations, actions: batch.actions).scalars }
        let there = policy.withFlatParameters(other) {
            withoutGradients { policy.logProbability(observations: batch.observations, actions: batch.actions).scalars }
        }
        let ratios = batch.stepRanges.map { range in Float(exp(range.reduce(0.0) { $0 + Double(there[$1]) - Double(here[$1]) })) }
        let weighted = importanceWeightedGradient(policy: policy, batch: batch, weights: weights, evaluatedAt: other,
                                                  weighting: .trajectory(clip: nil))
        expectClose(weighted.importanceWeights, ratios, relativeTolerance: 1e-5)
        #expect(ratios.contains { abs($0 - 1) > 1e-3 })
        // Equals the plain gradient at θ' with each trajectory's Ψ scaled by its ratio.
        var scaled = weights
        for (k, range) in batch.stepRanges.enumerated() { for i in range { scaled.values[i] *= ratios[k] } }
        let reference = policy.withFlatParameters(other) { scoreFunctionGradient(policy: policy, batch: batch, weights: scaled) }
        expectClose(weighted.gradient, reference.gradient, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        let clipped = importanceWeightedGradient(policy: policy, batch: batch, weights: weights, evaluatedAt: other,
                                                 weighting: .trajectory(clip: 0.99...1.01))
        expectClose(clipped.importanceWeights, ratios.map { min(max($0, 0.99), 1.01) }, relativeTolerance: 1e-5)
    }

    @Test("per-step weights are clipped step ratios, as in the official code")
    func perStepWeights() {
        let (policy, batch, weights, other) = setup()
        let far = other.map { $0 * 3 }
        let here = withoutGradients { policy.logProbability(observations: batch.observations, actions: batch.actions).scalars }
        let there = policy.withFlatParameters(far) {
            withoutGradients { policy.logProbability(observations: batch.observations, actions: batch.actions).scalars }
        }
        let expected = zip(there, here).map { min(max(Float(exp(Double($0) - Double($1))), 0.2), 1.2) }
        let weighted = importanceWeightedGradient(policy: policy, batch: batch, weights: weights, evaluatedAt: far,
                                                  weighting: .perStep(clip: 0.2...1.2))
        expectClose(weighted.importanceWeights, expected, relativeTolerance: 1e-5)
        #expect(expected.contains(1.2) || expected.contains(0.2))
        let scaled = ScoreWeights(values: zip(weights.values, expected).map { $0 * $1 }, scale: weights.scale)
        let reference = policy.withFlatParameters(far) { scoreFunctionGradient(policy: policy, batch: batch, weights: scaled) }
        expectClose(weighted.gradient, reference.gradient, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }
}
