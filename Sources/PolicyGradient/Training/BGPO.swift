import PruningCore

/// Bregman gradient policy optimization (Huang, Gao & Huang, ICLR 2022, arXiv:2106.12112),
/// BGPO: each iteration samples a small batch (by default one trajectory) with the current
/// policy, estimates g(τ | θ_t) and takes one ``BGPOOptimizer`` step.
///
/// ```swift
/// let bgpo = BGPO(policy: policy, estimator: GPOMDP(), mirrorMap: DiagonalMirrorMap())
/// let curve = Trainer(environment: env, budget: .trajectories(500)).run(bgpo, seed: 1)
/// ```
public final class BGPO: PolicySearchAlgorithm {
    /// The policy being trained.
    public let policy: any StochasticPolicy
    /// The gradient estimator (the paper uses GPOMDP; the official code GAE).
    public let estimator: any PolicyGradientEstimator
    /// How trajectories are sampled each iteration.
    public let collector: RolloutCollector
    /// The recursion.
    public private(set) var optimizer: BGPOOptimizer
    /// A short name for reports. Default "BGPO-" followed by the map's name.
    public let name: String

    /// BGPO with the given map and hyperparameters; by default each iteration samples one
    /// episode, as in the paper.
    public init(
        policy: any StochasticPolicy, estimator: any PolicyGradientEstimator, mirrorMap: any MirrorMap,
        configuration: BGPOOptimizer.Configuration = BGPOOptimizer.Configuration(),
        collector: RolloutCollector = RolloutCollector(), name: String? = nil
    ) {
        self.policy = policy
        self.estimator = estimator
        self.collector = collector
        optimizer = BGPOOptimizer(mirrorMap: mirrorMap, configuration: configuration)
        self.name = name ?? "BGPO-\(mirrorMap.name)"
    }

    /// Samples, estimates g(τ_t | θ_t), and moves to θ_{t+1}.
    public func iterate<E: Environment>(on environment: inout E, using generator: inout RandomGenerator) -> IterationReport {
        let batch = RolloutBatch(collector.collect(from: &environment, policy: policy, using: &generator))
        var weights = estimator.scoreWeights(for: batch, using: &generator)
        if optimizer.configuration.officialCodeCompatibility?.clampsNegativeAdvantages == true {
            weights = weights.clampingNegatives()
        }
        let estimate = scoreFunctionGradient(policy: policy, batch: batch, weights: weights)
        var parameters = policy.flatParameters()
        optimizer.step(parameters: &parameters, gradient: estimate.gradient)
        policy.setFlatParameters(parameters)
        return IterationReport(batch: batch, gradientNorm: estimate.norm, stepSize: optimizer.lastStepSize,
                               momentumWeight: optimizer.lastMomentumWeight)
    }
}
