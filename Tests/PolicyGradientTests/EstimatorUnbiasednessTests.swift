import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

/// J(θ) = E[Σ_{t<H} γ^t r_t] on the corridor, computed exactly by backward induction over
/// (time, cell) with tensor operations, so autodiff gives the exact ∇J.
func exactCorridorObjective(policy: CategoricalMLPPolicy, length: Int, horizon: Int, discount: Float) -> Tensor {
    let probabilities = policy.logits(observations: Tensor.eye(length)).softmax(alongAxis: 1)
    let left = probabilities.sliced(alongAxis: 1, from: 0, count: 1).reshaped(to: [length])
    let right = probabilities.sliced(alongAxis: 1, from: 1, count: 1).reshaped(to: [length])
    let leftCell = (0..<length).map { max($0 - 1, 0) }
    let rightCell = (0..<length).map { min($0 + 1, length - 1) }
    let continues = Tensor(rightCell.map { $0 == length - 1 ? 0 : 1 })  // moving right into the goal ends it
    var value = Tensor.zeros([length])
    for _ in 0..<horizon {
        let next = value
        value = left * (discount * next.indexSelect(leftCell) - 1) + right * (discount * continues * next.indexSelect(rightCell) - 1)
    }
    return value.sliced(alongAxis: 0, from: 0, count: 1).sum()
}

/// The mean of `estimates` and the norm of its standard error (√Σ_i se_i²).
func meanAndStandardError(_ estimates: [[Float]]) -> (mean: [Double], error: Double) {
    let k = Double(estimates.count)
    let dimension = estimates[0].count
    var mean = [Double](repeating: 0, count: dimension)
    for e in estimates { for i in 0..<dimension { mean[i] += Double(e[i]) / k } }
    var total = 0.0
    for i in 0..<dimension {
        let variance = estimates.reduce(0.0) { $0 + (Double($1[i]) - mean[i]) * (Double($1[i]) - mean[i]) } / (k - 1)
        total += variance / k
    }
    return (mean, total.squareRoot())
}

func distance(_ a: [Double], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) }.squareRoot()
}

/// Statistical checks: averaged over many sampled episodes, each estimator must agree with the
/// exact gradient within three standard errors (norm over all coordinates). Seeds are fixed, so
/// the outcome is deterministic.
@Suite struct EstimatorUnbiasednessTests {
    static let length = 4, horizon = 8, discount = 0.9
    static let subBatches = 16, episodesPerSubBatch = 100

    func makePolicy() -> CategoricalMLPPolicy {
        var random = RandomGenerator(seed: 21)
        let policy = CategoricalMLPPolicy(observationSize: Self.length, actionCount: 2, hidden: [], using: &random)
        policy.setFlatParameters(policy.flatParameters().map { $0 * 0.5 })
        return policy
    }

    func exactGradient(_ policy: CategoricalMLPPolicy) -> [Float] {
        let (_, gradients) = valueAndGradient(of: policy) {
            exactCorridorObjective(policy: policy, length: Self.length, horizon: Self.horizon, discount: Float(Self.discount))
        }
        return policy.flatten(gradients)
    }

    func subBatches(_ policy: CategoricalMLPPolicy, seed: UInt64) -> [RolloutBatch] {
        var environment = Corridor(length: Self.length, maximumEpisodeSteps: Self.horizon)
        var random = RandomGenerator(seed: seed)
        let collector = RolloutCollector(sampleSize: .episodes(Self.episodesPerSubBatch))
        return (0..<Self.subBatches).map { _ in RolloutBatch(collector.collect(from: &environment, policy: policy, using: &random)) }
    }

    @Test("GPOMDP and REINFORCE are unbiased for the discounted finite-horizon gradient")
    func unbiased() {
        let policy = makePolicy()
        let exact = exactGradient(policy)
        let batches = subBatches(policy, seed: 22)
        var random = RandomGenerator(seed: 23)
        let estimators: [any PolicyGradientEstimator] = [
            GPOMDP(discount: Self.discount), REINFORCE(discount: Self.discount),
            REINFORCE(discount: Self.discount, baseline: .movingAverage(rate: 0.5)),
            GPOMDP(discount: Self.discount, baseline: .timeStepAverage(rate: 0.5)),
        ]
        var errors: [String: Double] = [:]
        for estimator in estimators {
            let estimates = batches.map { estimator.estimate(policy: policy, batch: $0, using: &random).gradient }
            let (mean, error) = meanAndStandardError(estimates)
            #expect(distance(mean, exact) <= 3 * error + 1e-3, "\(estimator.name): \(mean) vs exact \(exact), error \(error)")
            errors[estimator.name, default: 0] = error
        }
        // The test has power: the exact gradient is many standard errors away from zero.
        #expect(FlatVector.norm(exact) > 5 * Float(errors["GPOMDP"]!), "\(errors)")
        #expect(FlatVector.norm(exact) > 5 * Float(errors["REINFORCE"]!))
    }

    @Test("the importance-weighted gradient at other parameters is unbiased for ∇J there")
    func importanceWeighted() {
        let policy = makePolicy()
        let sampling = policy.flatParameters()
        var random = RandomGenerator(seed: 24)
        // θ' prefers "left" more than θ (logits shifted by ±0.5), where ∇J is much smaller.
        var other = sampling
        for cell in 0..<Self.length {
            other[cell] += 0.5
            other[Self.length + cell] -= 0.5
        }
        let exactOther = policy.withFlatParameters(other) { exactGradient(policy) }
        // A time-step baseline (warmed up on the first sub-batch) keeps the variance manageable;
        // it depends only on h, so the weighted estimate stays unbiased.
        let estimator = GPOMDP(discount: Self.discount, baseline: .timeStepAverage(rate: 0.2))
        let batches = subBatches(policy, seed: 25)
        _ = estimator.scoreWeights(for: batches[0], using: &random)
        let estimates = batches.dropFirst().map { batch in
            importanceWeightedGradient(
                policy: policy, batch: batch, weights: estimator.scoreWeights(for: batch, using: &random),
                evaluatedAt: other, weighting: .trajectory(clip: nil)).gradient
        }
        #expect(policy.flatParameters() == sampling)
        let (mean, error) = meanAndStandardError(estimates)
        #expect(distance(mean, exactOther) <= 3 * error + 1e-3, "\(mean) vs exact \(exactOther), error \(error)")
        // The test has power: the estimate is far from the gradient at the sampling parameters.
        let exactHere = exactGradient(policy)
        #expect(distance(mean, exactHere) > 4 * error, "\(distance(mean, exactHere)) vs error \(error)")
    }
}
