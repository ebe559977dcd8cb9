import Foundation

/// Gymnasium's `Pendulum-v1`: swing a torque-limited pendulum up and keep it upright.
///
/// Bit-identical to Gymnasium 1.x (`gymnasium/envs/classic_control/pendulum.py`) on NumPy 2
/// with float64 actions: the state `[θ, θ̇]` is float64 (θ is never wrapped; the cost wraps it
/// with a floor-modulo), squares go through libm `pow` as NumPy computes `x**2`.
///
/// - Observation `[3]`: `cos θ, sin θ, θ̇` (θ = 0 upright). Box high `[1, 1, 8]`.
/// - Action: `.continuous([u])`, torque box `[-2, 2]`; larger values are clipped.
/// - Reward `-(norm(θ)² + 0.1 θ̇² + 0.001 u²)` with the state before the step and the clipped
///   torque, `norm(θ) = ((θ + π) mod 2π) - π`. Never terminates; truncates after 200 steps.
/// - Reset: `θ` uniform in `[-π, π)`, `θ̇` in `[-1, 1)` (``initialAngleBound``,
///   ``initialVelocityBound``: Gymnasium's `x_init`, `y_init` options).
public struct Pendulum: StatefulEnvironment {
    /// The maximal angular speed (rad/s).
    public static let maximumSpeed = 8.0
    /// The maximal torque.
    public static let maximumTorque = 2.0
    /// The integration time step (s).
    public static let timeStep = 0.05
    private static let mass = 1.0
    private static let length = 1.0

    /// Gravity (Gymnasium's `g` argument, default 10).
    public var gravity: Double
    /// Initial angles are drawn from `[-initialAngleBound, initialAngleBound)`.
    public var initialAngleBound: Double
    /// Initial angular velocities are drawn from `[-initialVelocityBound, initialVelocityBound)`.
    public var initialVelocityBound: Double

    private var theta = 0.0, thetaDot = 0.0
    private var hasState = false
    /// The number of steps since the last reset.
    public private(set) var elapsedSteps = 0

    /// A pendulum with Gymnasium's defaults; call a reset before stepping.
    public init(gravity: Double = 10.0, initialAngleBound: Double = .pi, initialVelocityBound: Double = 1.0) {
        self.gravity = gravity
        self.initialAngleBound = initialAngleBound
        self.initialVelocityBound = initialVelocityBound
    }

    /// 3.
    public var observationSize: Int { 3 }
    /// 2: `[θ, θ̇]`.
    public var stateSize: Int { 2 }
    /// A torque in `[-2, 2]`.
    public var actionSpace: ActionSpace { .box(low: [-Self.maximumTorque], high: [Self.maximumTorque]) }
    /// 200.
    public var maximumEpisodeSteps: Int { 200 }
    /// `[-1, 1]² × [-8, 8]` in float32.
    public var observationSpace: ObservationSpace { ObservationSpace(symmetric: [1, 1, Float(Self.maximumSpeed)]) }

    /// `[θ, θ̇]`.
    public var state: [Double] { hasState ? [theta, thetaDot] : [] }

    /// Starts an episode from `[θ, θ̇]`.
    public mutating func reset(toState state: [Double]) -> [Float] {
        precondition(state.count == 2, "Pendulum state has 2 components, got \(state.count)")
        (theta, thetaDot) = (state[0], state[1])
        hasState = true
        elapsedSteps = 0
        return observation
    }

    /// Starts an episode from `θ ~ U[-initialAngleBound, initialAngleBound)`,
    /// `θ̇ ~ U[-initialVelocityBound, initialVelocityBound)`.
    public mutating func reset<G: RandomNumberGenerator>(drawingFrom generator: inout G) -> [Float] {
        let angle = generator.gymnasiumUniform(low: -initialAngleBound, high: initialAngleBound)
        let velocity = generator.gymnasiumUniform(low: -initialVelocityBound, high: initialVelocityBound)
        return reset(toState: [angle, velocity])
    }

    private var observation: [Float] { [Float(cos(theta)), Float(sin(theta)), Float(thetaDot)] }

    /// Python's floor modulo `x % m` for a positive `m` (NumPy's `np.remainder`).
    static func floorModulo(_ x: Double, _ m: Double) -> Double {
        var remainder = fmod(x, m)
        if remainder != 0 {
            if (m < 0) != (remainder < 0) { remainder += m }
        } else {
            remainder = Double(signOf: m, magnitudeOf: 0)
        }
        return remainder
    }

    /// Gymnasium's `angle_normalize`: `((x + π) mod 2π) - π`.
    static func normalizedAngle(_ x: Double) -> Double {
        floorModulo(x + Double.pi, 2 * Double.pi) - Double.pi
    }

    /// Applies the (clipped) torque for one 0.05 s step.
    ///
    /// - Precondition: the environment was reset, and `action` is `.continuous([u])`.
    public mutating func step(_ action: EnvironmentAction) -> StepResult {
        let raw = actionSpace.continuousVector(of: action, environment: "Pendulum")[0]
        precondition(hasState, "Pendulum: call a reset before stepping")
        // np.clip keeps NaN.
        let u = raw < -Self.maximumTorque ? -Self.maximumTorque : (raw > Self.maximumTorque ? Self.maximumTorque : raw)
        let cost = libmPower(Self.normalizedAngle(theta), 2) + 0.1 * libmPower(thetaDot, 2) + 0.001 * libmPower(u, 2)
        let g = gravity, m = Self.mass, l = Self.length, dt = Self.timeStep
        var newThetaDot = thetaDot + (3 * g / (2 * l) * sin(theta) + 3.0 / (m * libmPower(l, 2)) * u) * dt
        newThetaDot =
            newThetaDot < -Self.maximumSpeed
            ? -Self.maximumSpeed : (newThetaDot > Self.maximumSpeed ? Self.maximumSpeed : newThetaDot)
        theta = theta + newThetaDot * dt
        thetaDot = newThetaDot
        elapsedSteps += 1
        return StepResult(
            observation: observation, reward: -cost, terminated: false,
            truncated: elapsedSteps >= maximumEpisodeSteps)
    }
}
