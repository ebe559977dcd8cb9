import PruningCore

/// Variance-reduced Bregman gradient policy optimization, VR-BGPO (Huang, Gao & Huang, ICLR
/// 2022): each iteration samples τ_t with θ_t, estimates g(τ_t | θ_t) and the importance-weighted
/// w(τ_t | θ_{t−1}, θ_t) g(τ_t | θ_{t−1}) on the same trajectories with the same Ψ, and takes one
/// ``VRBGPOOptimizer`` step.
///
/// `isMBPG(policy:estimator:configuration:collector:)` builds IS-MBPG (Huang et al., ICML
/// 2020), the same recursion with the Euclidean map and λ = 1 — a STORM-style variance-reduced
/// policy gradient baseline.
public final class VRBGPO: PolicySearchAlgorithm {
    /// The policy being trained.
    public let policy: any StochasticPolicy
    /// The gradient estimator (its Ψ is computed once per batch and used for both terms).
    public let estimator: any PolicyGradientEstimator
    /// How trajectories are sampled each iteration.
    public let collector: RolloutCollector
    /// The importance weights of the paper form: the trajectory ratio, unclipped by default.
    /// Unclipped trajectory ratios become extreme once the policy is nearly deterministic (a
    /// Gaussian σ shrinking, long episodes); `.trajectory(clip:)` or `.perStep(clip:)` bound
    /// them at the price of a bias. The code-compatible mode uses clipped per-step ratios (see
    /// ``OfficialCodeOptions``).
    public let importanceWeighting: ImportanceWeighting
    /// The recursion.
    public private(set) var optimizer: VRBGPOOptimizer
    /// θ_{t−1}, the parameters before the last step (nil before the first).
    public private(set) var previousParameters: [Float]?
    /// A short name for reports. Default "VR-BGPO-" followed by the map's name.
    public let name: String

    /// VR-BGPO with the given map and hyperparameters; by default each iteration samples one
    /// episode, as in the paper.
    public init(
        policy: any StochasticPolicy, estimator: any PolicyGradientEstimator, mirrorMap: any MirrorMap,
        configuration: VRBGPOOptimizer.Configuration = VRBGPOOptimizer.Configuration(),
        importanceWeighting: ImportanceWeighting = .trajectory(clip: nil),
        collector: RolloutCollector = RolloutCollector(), name: String? = nil
    ) {
        self.policy = policy
        self.estimator = estimator
        self.collector = collector
        self.importanceWeighting = importanceWeighting
        optimizer = VRBGPOOptimizer(mirrorMap: mirrorMap, configuration: configuration)
        self.name = name ?? "VR-BGPO-\(mirrorMap.name)"
    }

    /// IS-MBPG: VR-BGPO with ``EuclideanMirrorMap`` and λ = 1, so θ_{t+1} = θ_t − η_t u_t.
    /// `configuration.mirrorStepSize` is replaced by 1; the step size is η_t alone. The default
    /// configuration has η_t = 0.01/(1 + t)^{1/3} and c = 5000 (β_2 ≈ 0.31, then decaying like
    /// t^{−2/3}); as for any Euclidean method the right η depends on the scale of the gradients.
    public static func isMBPG(
        policy: any StochasticPolicy, estimator: any PolicyGradientEstimator,
        configuration: VRBGPOOptimizer.Configuration = VRBGPOOptimizer.Configuration(
            stepSize: DecayingStepSize(numerator: 0.01, offset: 1, power: 1.0 / 3), momentumCoefficient: 5000),
        importanceWeighting: ImportanceWeighting = .trajectory(clip: nil),
        collector: RolloutCollector = RolloutCollector()
    ) -> VRBGPO {
        var euclidean = configuration
        euclidean.mirrorStepSize = 1
        return VRBGPO(policy: policy, estimator: estimator, mirrorMap: EuclideanMirrorMap(), configuration: euclidean,
                      importanceWeighting: importanceWeighting, collector: collector, name: "IS-MBPG")
    }

    /// The weighting in effect: the code's clipped per-step ratios in the code-compatible mode,
    /// ``importanceWeighting`` otherwise.
    public var effectiveImportanceWeighting: ImportanceWeighting {
        if let code = optimizer.configuration.officialCodeCompatibility {
            return .perStep(clip: (code.importanceWeightThreshold - 1)...code.importanceWeightThreshold)
        }
        return importanceWeighting
    }

    /// Samples τ_t, forms u_t from g(τ_t | θ_t) and w·g(τ_t | θ_{t−1}), and moves to θ_{t+1}.
    public func iterate<E: Environment>(on environment: inout E, using generator: inout RandomGenerator) -> IterationReport {
        let batch = RolloutBatch(collector.collect(from: &environment, policy: policy, using: &generator))
        var weights = estimator.scoreWeights(for: batch, using: &generator)
        if optimizer.configuration.officialCodeCompatibility?.clampsNegativeAdvantages == true {
            weights = weights.clampingNegatives()
        }
        let estimate = scoreFunctionGradient(policy: policy, batch: batch, weights: weights)
        var correction: GradientEstimate?
        if optimizer.needsCorrection, let previousParameters {
            correction = importanceWeightedGradient(
                policy: policy, batch: batch, weights: weights, evaluatedAt: previousParameters,
                weighting: effectiveImportanceWeighting)
        }
        var parameters = policy.flatParameters()
        previousParameters = parameters
        optimizer.step(parameters: &parameters, gradient: estimate.gradient, correction: correction?.gradient)
        policy.setFlatParameters(parameters)
        return IterationReport(batch: batch, gradientNorm: estimate.norm, stepSize: optimizer.lastStepSize,
                               momentumWeight: optimizer.lastMomentumWeight,
                               meanImportanceWeight: correction?.meanImportanceWeight ?? 1)
    }
}
