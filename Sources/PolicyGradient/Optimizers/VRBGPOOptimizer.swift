/// The VR-BGPO recursion (Huang, Gao & Huang, ICLR 2022, Algorithm 2) on a flat parameter
/// vector, as the paper states it: the mirror step and interpolation of ``BGPOOptimizer`` with
/// η_t = k/(m + t)^{1/3}, and the variance-reduced (STORM-like) momentum
///
///     u_{t+1} = −g(τ_{t+1} | θ_{t+1}) + (1 − β_{t+1}) [u_t + w(τ_{t+1} | θ_t, θ_{t+1}) g(τ_{t+1} | θ_t)],
///     β_{t+1} = c·η_t²  (clamped to [0, 1]),
///
/// where τ_{t+1} is sampled with θ_{t+1}, g(τ_{t+1} | θ_t) is the estimator evaluated at the
/// previous iterate and w = p(τ | θ_t)/p(τ | θ_{t+1}) its importance weight (see
/// ``importanceWeightedGradient(policy:batch:weights:evaluatedAt:weighting:)``). u_1 = −g(τ_1 | θ_1).
///
/// With the Euclidean map and λ = 1 this is IS-MBPG (Huang et al., ICML 2020), a STORM-style
/// policy gradient.
public struct VRBGPOOptimizer {
    /// Hyperparameters.
    public struct Configuration: Sendable, Equatable {
        /// λ, the mirror step size. Default 0.01.
        public var mirrorStepSize: Float
        /// η_t. Default k = 1, m = 1, power 1/3 (η_1 ≈ 0.79).
        public var stepSize: DecayingStepSize
        /// c in β_{t+1} = c·η_t². Default 1.
        public var momentumCoefficient: Float
        /// The official code's variant instead of the paper's; nil (the default) for the paper.
        public var officialCodeCompatibility: OfficialCodeOptions?

        /// A configuration; see the properties for the defaults.
        public init(
            mirrorStepSize: Float = 0.01, stepSize: DecayingStepSize = DecayingStepSize(numerator: 1, offset: 1, power: 1.0 / 3),
            momentumCoefficient: Float = 1, officialCodeCompatibility: OfficialCodeOptions? = nil
        ) {
            precondition(mirrorStepSize > 0 && momentumCoefficient >= 0,
                         "VRBGPOOptimizer: need mirrorStepSize > 0 and momentumCoefficient ≥ 0")
            self.mirrorStepSize = mirrorStepSize
            self.stepSize = stepSize
            self.momentumCoefficient = momentumCoefficient
            self.officialCodeCompatibility = officialCodeCompatibility
        }
    }

    /// The Bregman step.
    public var mirrorMap: any MirrorMap
    /// The hyperparameters.
    public let configuration: Configuration
    /// u_t, the momentum (nil before the first step; unclamped in the code-compatible mode).
    public private(set) var momentum: [Float]?
    /// The number of steps taken.
    public private(set) var iteration = 0
    /// η_t of the last step.
    public private(set) var lastStepSize: Float = 0
    /// β_t used to form the last u_t (1 on the first step).
    public private(set) var lastMomentumWeight: Float = 1

    /// An optimizer with the given map and hyperparameters.
    public init(mirrorMap: any MirrorMap, configuration: Configuration = Configuration()) {
        self.mirrorMap = mirrorMap
        self.configuration = configuration
    }

    /// Whether the next step needs a correction term (every step after the first).
    public var needsCorrection: Bool { momentum != nil }

    /// Forms u_t from `gradient` = g(τ_t | θ_t) and `correction` = w(τ_t | θ_{t−1}, θ_t)
    /// g(τ_t | θ_{t−1}), and replaces `parameters` (θ_t) by θ_{t+1}.
    ///
    /// - Precondition: `correction` is given exactly when ``needsCorrection``; all vectors have
    ///   the length of `parameters`.
    public mutating func step(parameters: inout [Float], gradient: [Float], correction: [Float]?) {
        precondition(parameters.count == gradient.count,
                     "VRBGPOOptimizer: \(parameters.count) parameters, \(gradient.count) gradient entries")
        precondition((correction != nil) == needsCorrection,
                     "VRBGPOOptimizer: a correction is needed on every step but the first")
        let code = configuration.officialCodeCompatibility
        var u: [Float]
        if let previous = momentum, let correction {
            precondition(previous.count == gradient.count && correction.count == gradient.count,
                         "VRBGPOOptimizer: vector lengths differ")
            let c = configuration.momentumCoefficient
            let beta = code.map { $0.momentumWeight(coefficient: c, previousStepSize: lastStepSize) }
                ?? Swift.min(Swift.max(c * lastStepSize * lastStepSize, 0), 1)
            u = previous
            for i in u.indices { u[i] = -gradient[i] + (1 - beta) * (u[i] + correction[i]) }
            lastMomentumWeight = beta
        } else {
            u = gradient.map { -$0 }
            lastMomentumWeight = 1
        }
        momentum = u
        if let code { u = FlatVector.clamped(u, to: code.clampBound(for: gradient)) }
        let eta = configuration.stepSize(code == nil ? iteration + 1 : iteration)
        iteration += 1
        lastStepSize = eta
        let target = mirrorMap.step(parameters: parameters, direction: u, stepSize: configuration.mirrorStepSize)
        FlatVector.interpolate(&parameters, toward: target, by: eta)
    }
}
