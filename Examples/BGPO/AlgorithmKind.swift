import PolicyGradient
import PruningCore

/// The algorithms of the comparison.
enum AlgorithmKind: String, CaseIterable, Codable, Sendable {
    /// BGPO with the adaptive diagonal mirror map (the official code's default `Diag`).
    case bgpoDiag = "bgpo-diag"
    /// BGPO with the p-norm mirror map, p = 3.
    case bgpoLp = "bgpo-lp"
    /// VR-BGPO with the adaptive diagonal mirror map.
    case vrbgpoDiag = "vrbgpo-diag"
    /// VR-BGPO with the p-norm mirror map, p = 3.
    case vrbgpoLp = "vrbgpo-lp"
    /// REINFORCE (Williams, 1992) with a moving-average baseline, by gradient ascent.
    case reinforce
    /// GPOMDP (Baxter & Bartlett, 2001) with a time-step baseline, by gradient ascent.
    case gpomdp
    /// IS-MBPG (Huang et al., ICML 2020): STORM-style variance-reduced momentum policy gradient.
    case isMBPG = "is-mbpg"
    /// PPO with the clipped surrogate and GAE.
    case ppo

    /// The name accepted on the command line.
    var key: String { rawValue }

    /// The algorithm for a command-line name (any case).
    init?(argument: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue == argument.lowercased() }) else { return nil }
        self = match
    }

    /// The name shown in tables and plot legends.
    var displayName: String {
        switch self {
        case .bgpoDiag: "BGPO-Diag"
        case .bgpoLp: "BGPO-Lp(p=3)"
        case .vrbgpoDiag: "VR-BGPO-Diag"
        case .vrbgpoLp: "VR-BGPO-Lp(p=3)"
        case .reinforce: "REINFORCE"
        case .gpomdp: "GPOMDP"
        case .isMBPG: "IS-MBPG"
        case .ppo: "PPO"
        }
    }

    /// A fresh instance for one run on `environment`, starting from the seed's initial policy
    /// and configured as ``AlgorithmCatalog`` describes; `momentumCoefficient`, if given,
    /// replaces c of BGPO and VR-BGPO.
    func make(for environment: BenchmarkEnvironment, seed: UInt64, momentumCoefficient: Float? = nil)
        -> any PolicySearchAlgorithm
    {
        let policy = environment.makePolicy(seed: seed)
        var random = RandomGenerator(seed: seed &* 104_729 &+ 3)
        var settings = AlgorithmCatalog.settings(for: self, on: environment)
        if let momentumCoefficient, settings.officialCode != nil { settings.momentumCoefficient = momentumCoefficient }
        let collector = RolloutCollector(sampleSize: settings.sampleSize)
        switch self {
        case .bgpoDiag, .bgpoLp:
            let configuration = BGPOOptimizer.Configuration(
                mirrorStepSize: settings.mirrorStepSize, stepSize: settings.stepSize,
                momentumCoefficient: settings.momentumCoefficient, officialCodeCompatibility: settings.officialCode)
            return BGPO(policy: policy, estimator: settings.makeEstimator(environment, &random),
                        mirrorMap: settings.mirrorMap, configuration: configuration, collector: collector,
                        name: displayName)
        case .vrbgpoDiag, .vrbgpoLp:
            let configuration = VRBGPOOptimizer.Configuration(
                mirrorStepSize: settings.mirrorStepSize, stepSize: settings.stepSize,
                momentumCoefficient: settings.momentumCoefficient, officialCodeCompatibility: settings.officialCode)
            return VRBGPO(policy: policy, estimator: settings.makeEstimator(environment, &random),
                          mirrorMap: settings.mirrorMap, configuration: configuration,
                          importanceWeighting: settings.importanceWeighting, collector: collector, name: displayName)
        case .isMBPG:
            let configuration = VRBGPOOptimizer.Configuration(
                stepSize: settings.stepSize, momentumCoefficient: settings.momentumCoefficient)
            return VRBGPO.isMBPG(policy: policy, estimator: settings.makeEstimator(environment, &random),
                                 configuration: configuration, importanceWeighting: settings.importanceWeighting,
                                 collector: collector)
        case .reinforce, .gpomdp:
            return PolicyGradientAscent(policy: policy, estimator: settings.makeEstimator(environment, &random),
                                        optimizer: Adam(learningRate: settings.learningRate), collector: collector,
                                        name: displayName)
        case .ppo:
            let critic = ValueFunction(observationSize: environment.observationSize,
                                       configuration: settings.critic, using: &random)
            let estimator = GeneralizedAdvantageEstimator(valueFunction: critic, discount: environment.discount,
                                                          lambda: settings.gaeLambda)
            return PPO(policy: policy, estimator: estimator,
                       configuration: PPO.Configuration(epochs: settings.ppoEpochs, minibatchSize: settings.minibatchSize,
                                                        learningRate: settings.learningRate),
                       collector: collector)
        }
    }
}
