import PruningCore

/// Plain policy-gradient ascent: each iteration samples a batch, estimates ∇J and hands −∇J to
/// a first-order `PruningCore/Optimizer` (`PruningCore/SGD` for REINFORCE/GPOMDP as in the
/// papers' baselines, or `PruningCore/Adam`).
public final class PolicyGradientAscent: PolicySearchAlgorithm {
    /// The policy being trained.
    public let policy: any StochasticPolicy
    /// The gradient estimator.
    public let estimator: any PolicyGradientEstimator
    /// The optimizer (it minimizes, so it receives −∇J).
    public let optimizer: any Optimizer
    /// How trajectories are sampled each iteration.
    public let collector: RolloutCollector
    /// A short name for reports. Default the estimator's name.
    public let name: String

    /// Gradient ascent with the given estimator and optimizer; by default each iteration samples
    /// 10 episodes.
    public init(
        policy: any StochasticPolicy, estimator: any PolicyGradientEstimator, optimizer: any Optimizer,
        collector: RolloutCollector = RolloutCollector(sampleSize: .episodes(10)), name: String? = nil
    ) {
        self.policy = policy
        self.estimator = estimator
        self.optimizer = optimizer
        self.collector = collector
        self.name = name ?? estimator.name
    }

    /// Samples, estimates ∇J, and takes one optimizer step along it.
    public func iterate<E: Environment>(on environment: inout E, using generator: inout RandomGenerator) -> IterationReport {
        let batch = RolloutBatch(collector.collect(from: &environment, policy: policy, using: &generator))
        let estimate = estimator.estimate(policy: policy, batch: batch, using: &generator)
        let descent = policy.gradients(fromFlat: estimate.gradient.map { -$0 })
        optimizer.update(policy.trainableParameters(), along: descent)
        return IterationReport(batch: batch, gradientNorm: estimate.norm, stepSize: optimizer.learningRate)
    }
}
