import PruningCore

/// GPOMDP (Baxter & Bartlett, 2001), the estimator of the BGPO paper: each action's score is
/// weighted only by the rewards that follow it,
///
///     g(τ | θ) = Σ_h ∇ log π_θ(a_h | s_h) · Σ_{t ≥ h} γ^t r_t,
///
/// an unbiased estimate of ∇J for the finite-horizon objective J(θ) = E[Σ_t γ^t r_t] (episodes
/// end where the environment or the time limit ends them; nothing is bootstrapped).
public final class GPOMDP: PolicyGradientEstimator {
    /// A baseline b_h subtracted from the return-to-go at step h.
    public enum Baseline {
        /// No baseline.
        case none
        /// The time-step-wise average: b_h = the mean return-to-go at step h over *previous*
        /// batches (an exponential moving average with the given rate in (0, 1]; an index seen for
        /// the first time takes the batch mean). Built from earlier batches only, so it stays
        /// unbiased — and useful — with one trajectory per batch.
        case timeStepAverage(rate: Double)
        /// A learned state-value function b_h = V(s_h), evaluated before and fitted after each
        /// batch on the returns-to-go.
        case valueFunction(ValueFunction)
    }

    /// γ. Default 0.99.
    public let discount: Double
    /// The baseline. Default none.
    public let baseline: Baseline
    /// Whether step h is weighted by γ^h (true, the default: the gradient of the discounted
    /// objective, as in the paper) or not (the common practical variant).
    public let discountsFromEpisodeStart: Bool
    /// The batch average. Default per trajectory.
    public let averaging: GradientAveraging
    /// The time-step-wise baseline, `b[h]` for the indices seen so far.
    public private(set) var timeStepBaseline: [Double] = []

    /// A GPOMDP estimator; see the properties for the defaults.
    public init(
        discount: Double = 0.99, baseline: Baseline = .none, discountsFromEpisodeStart: Bool = true,
        averaging: GradientAveraging = .perTrajectory
    ) {
        precondition((0...1).contains(discount), "GPOMDP: discount must be in [0, 1], got \(discount)")
        if case .timeStepAverage(let rate) = baseline {
            precondition(rate > 0 && rate <= 1, "GPOMDP: moving-average rate must be in (0, 1], got \(rate)")
        }
        self.discount = discount
        self.baseline = baseline
        self.discountsFromEpisodeStart = discountsFromEpisodeStart
        self.averaging = averaging
    }

    /// "GPOMDP".
    public var name: String { "GPOMDP" }

    /// Ψ_h = γ^h (G_h − b_h), with G_h = Σ_{t ≥ h} γ^{t−h} r_t (without the γ^h factor when
    /// ``discountsFromEpisodeStart`` is false).
    public func scoreWeights(for batch: RolloutBatch, using generator: inout RandomGenerator) -> ScoreWeights {
        let returns = batch.trajectories.map { $0.returnsToGo(discount: discount) }
        var baselines: [[Double]]
        switch baseline {
        case .none:
            baselines = returns.map { [Double](repeating: 0, count: $0.count) }
        case .timeStepAverage:
            baselines = returns.map { r in r.indices.map { $0 < timeStepBaseline.count ? timeStepBaseline[$0] : 0 } }
        case .valueFunction(let valueFunction):
            let values = valueFunction.values(batch.observations)
            baselines = batch.stepRanges.map { range in range.map { Double(values[$0]) } }
        }
        var values: [Float] = []
        values.reserveCapacity(batch.stepCount)
        for (r, b) in zip(returns, baselines) {
            var factor = 1.0
            for h in r.indices {
                values.append(Float(factor * (r[h] - b[h])))
                if discountsFromEpisodeStart { factor *= discount }
            }
        }
        updateBaseline(returns: returns, batch: batch, using: &generator)
        return ScoreWeights(values: values, scale: averaging.scale(for: batch))
    }

    private func updateBaseline(returns: [[Double]], batch: RolloutBatch, using generator: inout RandomGenerator) {
        switch baseline {
        case .none:
            break
        case .timeStepAverage(let rate):
            let longest = returns.map(\.count).max() ?? 0
            for h in 0..<longest {
                let alive = returns.filter { $0.count > h }
                let mean = alive.reduce(0) { $0 + $1[h] } / Double(alive.count)
                if h < timeStepBaseline.count {
                    timeStepBaseline[h] += rate * (mean - timeStepBaseline[h])
                } else {
                    timeStepBaseline.append(mean)
                }
            }
        case .valueFunction(let valueFunction):
            valueFunction.fit(observations: batch.observations, targets: returns.flatMap { $0.map(Float.init) }, using: &generator)
        }
    }
}
