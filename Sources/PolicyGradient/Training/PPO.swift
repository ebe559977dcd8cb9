import Foundation
import PruningCore

/// Proximal policy optimization with the clipped surrogate (Schulman et al., 2017,
/// arXiv:1707.06347): each iteration samples a batch, computes GAE advantages with the
/// estimator's critic (which is then fitted to the λ-returns), and runs several epochs of Adam
/// over shuffled minibatches on
///
///     L(θ) = −mean_i min(ρ_i Â_i, clip(ρ_i, 1 − ε, 1 + ε) Â_i) − c_H · mean_i H(π_θ(· | s_i)),
///     ρ_i = π_θ(a_i | s_i)/π_θ_old(a_i | s_i).
public final class PPO: PolicySearchAlgorithm {
    /// Hyperparameters.
    public struct Configuration: Sendable {
        /// ε, the clip range. Default 0.2.
        public var clipRange: Float
        /// Passes over each batch. Default 10.
        public var epochs: Int
        /// Steps per minibatch. Default 64.
        public var minibatchSize: Int
        /// Adam's learning rate. Default 3e-4.
        public var learningRate: Float
        /// Whether advantages are standardized within each minibatch. Default true.
        public var normalizesAdvantages: Bool
        /// c_H, the entropy bonus. Default 0.
        public var entropyCoefficient: Float

        /// A configuration; see the properties for the defaults.
        public init(
            clipRange: Float = 0.2, epochs: Int = 10, minibatchSize: Int = 64, learningRate: Float = 3e-4,
            normalizesAdvantages: Bool = true, entropyCoefficient: Float = 0
        ) {
            precondition(clipRange > 0 && epochs > 0 && minibatchSize > 0 && learningRate > 0,
                         "PPO: invalid configuration")
            self.clipRange = clipRange
            self.epochs = epochs
            self.minibatchSize = minibatchSize
            self.learningRate = learningRate
            self.normalizesAdvantages = normalizesAdvantages
            self.entropyCoefficient = entropyCoefficient
        }
    }

    /// The policy being trained.
    public let policy: any StochasticPolicy
    /// The advantage estimator and its critic.
    public let estimator: GeneralizedAdvantageEstimator
    /// The hyperparameters.
    public let configuration: Configuration
    /// How trajectories are sampled each iteration.
    public let collector: RolloutCollector
    /// "PPO".
    public let name = "PPO"
    private let optimizer: Adam

    /// PPO with the given critic-based estimator; see ``Configuration`` for the defaults.
    public init(
        policy: any StochasticPolicy, estimator: GeneralizedAdvantageEstimator, configuration: Configuration = Configuration(),
        collector: RolloutCollector = RolloutCollector(sampleSize: .steps(2048))
    ) {
        self.policy = policy
        self.estimator = estimator
        self.configuration = configuration
        self.collector = collector
        optimizer = Adam(learningRate: configuration.learningRate)
    }

    /// Samples a batch and runs the clipped-surrogate epochs on it. The reported gradient norm
    /// is that of the first minibatch's loss.
    public func iterate<E: Environment>(on environment: inout E, using generator: inout RandomGenerator) -> IterationReport {
        let batch = RolloutBatch(collector.collect(from: &environment, policy: policy, using: &generator))
        let advantages = estimator.scoreWeights(for: batch, using: &generator).values
        let oldLogProbability = withoutGradients {
            policy.logProbability(observations: batch.observations, actions: batch.actions).scalars
        }
        let parameters = policy.trainableParameters()
        var firstNorm: Float?
        let (low, high) = (1 - configuration.clipRange, 1 + configuration.clipRange)
        for _ in 0..<configuration.epochs {
            let order = generator.permutation(batch.stepCount)
            var start = 0
            while start < order.count {
                let indices = Array(order[start..<min(start + configuration.minibatchSize, order.count)])
                start += indices.count
                var selected = indices.map { Double(advantages[$0]) }
                if configuration.normalizesAdvantages && selected.count > 1 { selected = standardized(selected) }
                let a = Tensor(selected.map(Float.init))
                let old = Tensor(indices.map { oldLogProbability[$0] })
                let observations = batch.observations.indexSelect(indices, alongAxis: 0)
                let actions = batch.actions.selecting(indices)
                let (_, gradients) = valueAndGradient(of: parameters) {
                    let ratio = (policy.logProbability(observations: observations, actions: actions) - old).exp()
                    let surrogate = Tensor.minimum(ratio * a, ratio.clamped(min: low, max: high) * a).mean()
                    var loss = -surrogate
                    if configuration.entropyCoefficient != 0 {
                        loss = loss - configuration.entropyCoefficient * policy.entropy(observations: observations).mean()
                    }
                    return loss
                }
                if firstNorm == nil { firstNorm = gradients.globalNorm }
                optimizer.update(parameters, along: gradients)
            }
        }
        return IterationReport(batch: batch, gradientNorm: firstNorm ?? 0, stepSize: configuration.learningRate)
    }
}
