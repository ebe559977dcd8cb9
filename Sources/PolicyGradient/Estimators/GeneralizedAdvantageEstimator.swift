import PruningCore

/// The actor-critic estimator of the official BGPO code: Ψ_t = Â_t, the generalized advantage
/// estimate (see ``generalizedAdvantageEstimates(rewards:values:nextValues:terminated:episodeEnds:discount:lambda:)``)
/// with a learned ``ValueFunction``.
///
/// Truncation-aware: a trajectory cut by a time limit or the sampling budget bootstraps from
/// V(s_T); a terminated one does not. After computing the advantages, V is fitted to the
/// λ-returns Â_t + V(s_t) of the batch.
public final class GeneralizedAdvantageEstimator: PolicyGradientEstimator {
    /// The critic.
    public let valueFunction: ValueFunction
    /// γ. Default 0.99.
    public let discount: Double
    /// λ. Default 0.97 (the BGPO scripts).
    public let lambda: Double
    /// The batch average. Default per trajectory (the official code averages per step).
    public let averaging: GradientAveraging
    /// Whether advantages are shifted and scaled to zero mean and unit variance over the batch
    /// (garage's `center_adv`; the BGPO scripts turn it off). Default false.
    public let centersAdvantages: Bool

    /// A GAE estimator; see the properties for the defaults.
    public init(
        valueFunction: ValueFunction, discount: Double = 0.99, lambda: Double = 0.97,
        averaging: GradientAveraging = .perTrajectory, centersAdvantages: Bool = false
    ) {
        precondition((0...1).contains(discount) && (0...1).contains(lambda),
                     "GeneralizedAdvantageEstimator: discount and lambda must be in [0, 1]")
        self.valueFunction = valueFunction
        self.discount = discount
        self.lambda = lambda
        self.averaging = averaging
        self.centersAdvantages = centersAdvantages
    }

    /// "GAE".
    public var name: String { "GAE" }

    /// The advantages Â_t of `batch` under the current critic, and the λ-return targets
    /// Â_t + V(s_t); does not train the critic.
    public func advantagesAndTargets(for batch: RolloutBatch) -> (advantages: [Double], targets: [Double]) {
        let values = valueFunction.values(batch.observations).map(Double.init)
        let finalValues = valueFunction.values(batch.finalObservations).map(Double.init)
        var nextValues = [Double](repeating: 0, count: batch.stepCount)
        var terminated = [Bool](repeating: false, count: batch.stepCount)
        var ends = [Bool](repeating: false, count: batch.stepCount)
        for (k, range) in batch.stepRanges.enumerated() {
            for i in range.dropLast() { nextValues[i] = values[i + 1] }
            let last = range.upperBound - 1
            nextValues[last] = finalValues[k]
            terminated[last] = batch.trajectories[k].isTerminal
            ends[last] = true
        }
        let advantages = generalizedAdvantageEstimates(
            rewards: batch.rewards, values: values, nextValues: nextValues, terminated: terminated, episodeEnds: ends,
            discount: discount, lambda: lambda)
        return (advantages, zip(advantages, values).map { $0 + $1 })
    }

    /// Ψ_t = Â_t (centred if requested); then fits the critic to the λ-returns.
    public func scoreWeights(for batch: RolloutBatch, using generator: inout RandomGenerator) -> ScoreWeights {
        let (advantages, targets) = advantagesAndTargets(for: batch)
        var values = advantages
        if centersAdvantages { values = standardized(values) }
        valueFunction.fit(observations: batch.observations, targets: targets.map(Float.init), using: &generator)
        return ScoreWeights(values: values.map(Float.init), scale: averaging.scale(for: batch))
    }
}

/// `values` shifted and scaled to zero mean and unit variance (1e-8 added to the deviation).
func standardized(_ values: [Double]) -> [Double] {
    guard !values.isEmpty else { return values }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    let deviation = variance.squareRoot() + 1e-8
    return values.map { ($0 - mean) / deviation }
}
