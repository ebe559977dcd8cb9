import PruningCore

/// REINFORCE (Williams, 1992): every step of a trajectory is weighted by the trajectory's whole
/// discounted return, Ψ_t = R(τ) − b with R(τ) = Σ_t γ^t r_t, so
/// g(τ | θ) = (R(τ) − b) Σ_t ∇ log π_θ(a_t | s_t).
public final class REINFORCE: PolicyGradientEstimator {
    /// The constant baseline b.
    public enum Baseline: Sendable, Equatable {
        /// b = 0.
        case none
        /// A fixed b.
        case constant(Double)
        /// The average return of *previous* batches, an exponential moving average with the
        /// given rate in (0, 1] (b = 0 for the first batch, then the first batch's mean). Built
        /// from earlier batches only, so the estimate stays unbiased even with one trajectory
        /// per batch.
        case movingAverage(rate: Double)
    }

    /// γ. Default 0.99.
    public let discount: Double
    /// The baseline. Default none.
    public let baseline: Baseline
    /// The batch average. Default per trajectory.
    public let averaging: GradientAveraging
    /// The current moving-average baseline, when one is in use and a batch has been seen.
    public private(set) var averageReturn: Double?

    /// A REINFORCE estimator; see the properties for the defaults.
    public init(discount: Double = 0.99, baseline: Baseline = .none, averaging: GradientAveraging = .perTrajectory) {
        precondition((0...1).contains(discount), "REINFORCE: discount must be in [0, 1], got \(discount)")
        if case .movingAverage(let rate) = baseline {
            precondition(rate > 0 && rate <= 1, "REINFORCE: moving-average rate must be in (0, 1], got \(rate)")
        }
        self.discount = discount
        self.baseline = baseline
        self.averaging = averaging
    }

    /// "REINFORCE".
    public var name: String { "REINFORCE" }

    /// Ψ_t = R(τ) − b for every step of τ.
    public func scoreWeights(for batch: RolloutBatch, using generator: inout RandomGenerator) -> ScoreWeights {
        let returns = batch.trajectories.map { $0.discountedReturn(discount: discount) }
        let b: Double
        switch baseline {
        case .none: b = 0
        case .constant(let value): b = value
        case .movingAverage: b = averageReturn ?? 0
        }
        var values: [Float] = []
        values.reserveCapacity(batch.stepCount)
        for (trajectory, total) in zip(batch.trajectories, returns) {
            values.append(contentsOf: repeatElement(Float(total - b), count: trajectory.length))
        }
        if case .movingAverage(let rate) = baseline {
            let mean = returns.reduce(0, +) / Double(returns.count)
            averageReturn = averageReturn.map { $0 + rate * (mean - $0) } ?? mean
        }
        return ScoreWeights(values: values, scale: averaging.scale(for: batch))
    }
}
