/// The BGPO recursion (Huang, Gao & Huang, "Bregman Gradient Policy Optimization", ICLR 2022,
/// Algorithm 1) on a flat parameter vector, as the paper states it:
///
///     u_1 = −g(τ_1 | θ_1)
///     θ̃_{t+1} = argmin_θ { ⟨u_t, θ⟩ + (1/λ) D_t(θ, θ_t) }        (the mirror map)
///     θ_{t+1} = θ_t + η_t (θ̃_{t+1} − θ_t),                η_t = k/(m + t)^{1/2}
///     u_{t+1} = −β_{t+1} g(τ_{t+1} | θ_{t+1}) + (1 − β_{t+1}) u_t,   β_{t+1} = c·η_t
///
/// g is an estimate of ∇J (ascent), so u tracks −∇J. β is clamped to [0, 1] (the analysis
/// chooses c so that c·η_t ≤ 1; the clamp keeps u a convex combination otherwise).
/// ``step(parameters:gradient:)`` performs one "form u_t from g(τ_t | θ_t), then move to
/// θ_{t+1}". With ``Configuration/officialCodeCompatibility`` set, the code's variant runs
/// instead (see ``OfficialCodeOptions``).
public struct BGPOOptimizer {
    /// Hyperparameters.
    public struct Configuration: Sendable, Equatable {
        /// λ, the mirror step size. Default 0.01.
        public var mirrorStepSize: Float
        /// η_t. Default k = 1, m = 1, power 1/2 (η_1 ≈ 0.71).
        public var stepSize: DecayingStepSize
        /// c in β_{t+1} = c·η_t. Default 1 (β_2 ≈ 0.71, decaying like η).
        public var momentumCoefficient: Float
        /// The official code's variant instead of the paper's; nil (the default) for the paper.
        public var officialCodeCompatibility: OfficialCodeOptions?

        /// A configuration; see the properties for the defaults.
        public init(
            mirrorStepSize: Float = 0.01, stepSize: DecayingStepSize = DecayingStepSize(numerator: 1, offset: 1, power: 0.5),
            momentumCoefficient: Float = 1, officialCodeCompatibility: OfficialCodeOptions? = nil
        ) {
            precondition(mirrorStepSize > 0 && momentumCoefficient >= 0,
                         "BGPOOptimizer: need mirrorStepSize > 0 and momentumCoefficient ≥ 0")
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
    /// u_t, the momentum (nil before the first step).
    public private(set) var momentum: [Float]?
    /// The number of steps taken (the t of the last θ_{t+1} computed).
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

    /// Forms u_t from `gradient` = g(τ_t | θ_t) and replaces `parameters` (θ_t) by θ_{t+1}.
    ///
    /// - Precondition: `gradient` has the length of `parameters`, the same on every call.
    public mutating func step(parameters: inout [Float], gradient: [Float]) {
        precondition(parameters.count == gradient.count,
                     "BGPOOptimizer: \(parameters.count) parameters, \(gradient.count) gradient entries")
        iteration += 1
        let code = configuration.officialCodeCompatibility
        var u: [Float]
        if let previous = momentum {
            precondition(previous.count == gradient.count, "BGPOOptimizer: the parameter count changed")
            let c = configuration.momentumCoefficient
            let beta = code.map { $0.momentumWeight(coefficient: c, previousStepSize: lastStepSize) }
                ?? Swift.min(Swift.max(c * lastStepSize, 0), 1)
            u = previous
            for i in u.indices { u[i] = -beta * gradient[i] + (1 - beta) * u[i] }
            lastMomentumWeight = beta
        } else {
            u = gradient.map { -$0 }
            lastMomentumWeight = 1
        }
        if let code { u = FlatVector.clamped(u, to: code.clampBound(for: gradient)) }
        momentum = u
        let eta = configuration.stepSize(iteration)
        lastStepSize = eta
        let target = mirrorMap.step(parameters: parameters, direction: u, stepSize: configuration.mirrorStepSize)
        FlatVector.interpolate(&parameters, toward: target, by: eta)
    }
}
