import Foundation

/// Gymnasium's `CartPole-v1`: balance a pole hinged on a cart by pushing the cart left or right.
///
/// Bit-identical to Gymnasium 1.x (`gymnasium/envs/classic_control/cartpole.py`, Euler
/// integration) on NumPy 2: the state is float64, the observation its float32 rounding, and the
/// dynamics follow the reference's evaluation order with libm `sin`/`cos`.
///
/// - Observation `[4]`: cart position, cart velocity, pole angle (radians, 0 upright), pole
///   angular velocity. Box high `[4.8, ∞, 0.41887903, ∞]`.
/// - Actions: `.discrete(0)` pushes left, `.discrete(1)` pushes right (force 10 N).
/// - Reward `1` per step, including the terminating one (`0` for steps after termination).
///   With `suttonBartoReward` it is `0` per step and `-1` on and after termination.
/// - Terminates when `|x| > 2.4` or `|θ| > 12°`; truncates after 500 steps.
/// - Reset: each state component uniform in `[-0.05, 0.05)` (``resetBounds``).
///
/// Reference: A. G. Barto, R. S. Sutton, C. W. Anderson, "Neuronlike adaptive elements that
/// can solve difficult learning control problems", IEEE SMC 13(5), 1983.
public struct CartPole: StatefulEnvironment {
    /// Gravity (m/s²).
    public static let gravity = 9.8
    /// The cart's mass (kg).
    public static let cartMass = 1.0
    /// The pole's mass (kg).
    public static let poleMass = 0.1
    /// Half the pole's length (m).
    public static let halfPoleLength = 0.5
    /// The magnitude of the push (N).
    public static let forceMagnitude = 10.0
    /// The integration time step (s).
    public static let timeStep = 0.02
    /// The pole angle beyond which the episode terminates (12°, in radians).
    public static let angleThreshold = 12 * 2 * Double.pi / 360
    /// The cart position beyond which the episode terminates (m).
    public static let positionThreshold = 2.4

    private static let totalMass = poleMass + cartMass
    private static let poleMassLength = poleMass * halfPoleLength

    /// The interval each state component is drawn from at reset.
    public var resetBounds: ResetBounds
    /// Whether to use the Sutton–Barto reward (`0` per step, `-1` on termination).
    public var suttonBartoReward: Bool

    private var x = 0.0, xDot = 0.0, theta = 0.0, thetaDot = 0.0
    private var hasState = false
    private var stepsBeyondTerminated: Int?
    /// The number of steps since the last reset.
    public private(set) var elapsedSteps = 0

    /// A cart-pole with Gymnasium's defaults; call a reset before stepping.
    public init(
        resetBounds: ResetBounds = ResetBounds(low: -0.05, high: 0.05), suttonBartoReward: Bool = false
    ) {
        self.resetBounds = resetBounds
        self.suttonBartoReward = suttonBartoReward
    }

    /// 4.
    public var observationSize: Int { 4 }
    /// 4: `[x, ẋ, θ, θ̇]`.
    public var stateSize: Int { 4 }
    /// Two discrete actions.
    public var actionSpace: ActionSpace { .discrete(count: 2) }
    /// 500.
    public var maximumEpisodeSteps: Int { 500 }
    /// `[-4.8, 4.8] × ℝ × [-0.41887903, 0.41887903] × ℝ` in float32.
    public var observationSpace: ObservationSpace {
        ObservationSpace(symmetric: [
            Float(Self.positionThreshold * 2), .infinity, Float(Self.angleThreshold * 2), .infinity,
        ])
    }

    /// `[x, ẋ, θ, θ̇]`.
    public var state: [Double] { hasState ? [x, xDot, theta, thetaDot] : [] }

    /// Starts an episode from `[x, ẋ, θ, θ̇]`.
    public mutating func reset(toState state: [Double]) -> [Float] {
        precondition(state.count == 4, "CartPole state has 4 components, got \(state.count)")
        (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        hasState = true
        stepsBeyondTerminated = nil
        elapsedSteps = 0
        return observation
    }

    /// Starts an episode from a state drawn uniformly from ``resetBounds``.
    public mutating func reset<G: RandomNumberGenerator>(drawingFrom generator: inout G) -> [Float] {
        var drawn = [Double](repeating: 0, count: 4)
        for i in 0..<4 { drawn[i] = generator.gymnasiumUniform(low: resetBounds.low, high: resetBounds.high) }
        return reset(toState: drawn)
    }

    private var observation: [Float] { [Float(x), Float(xDot), Float(theta), Float(thetaDot)] }

    /// Pushes the cart and integrates one Euler step of 0.02 s.
    ///
    /// - Precondition: the environment was reset, and `action` is `.discrete(0)` or
    ///   `.discrete(1)`.
    public mutating func step(_ action: EnvironmentAction) -> StepResult {
        let index = actionSpace.discreteIndex(of: action, environment: "CartPole")
        precondition(hasState, "CartPole: call a reset before stepping")
        let force = index == 1 ? Self.forceMagnitude : -Self.forceMagnitude
        let cosine = cos(theta)
        let sine = sin(theta)
        let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * sine) / Self.totalMass
        let thetaAcceleration =
            (Self.gravity * sine - cosine * temp)
            / (Self.halfPoleLength * (4.0 / 3.0 - Self.poleMass * (cosine * cosine) / Self.totalMass))
        let xAcceleration = temp - Self.poleMassLength * thetaAcceleration * cosine / Self.totalMass
        x = x + Self.timeStep * xDot
        xDot = xDot + Self.timeStep * xAcceleration
        theta = theta + Self.timeStep * thetaDot
        thetaDot = thetaDot + Self.timeStep * thetaAcceleration

        let terminated =
            x < -Self.positionThreshold || x > Self.positionThreshold
            || theta < -Self.angleThreshold || theta > Self.angleThreshold
        let reward: Double
        if !terminated {
            reward = suttonBartoReward ? 0.0 : 1.0
        } else if let beyond = stepsBeyondTerminated {
            stepsBeyondTerminated = beyond + 1
            reward = suttonBartoReward ? -1.0 : 0.0
        } else {
            stepsBeyondTerminated = 0
            reward = suttonBartoReward ? -1.0 : 1.0
        }
        elapsedSteps += 1
        return StepResult(
            observation: observation, reward: reward, terminated: terminated,
            truncated: elapsedSteps >= maximumEpisodeSteps)
    }
}
