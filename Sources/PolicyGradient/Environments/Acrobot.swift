import Foundation

/// Gymnasium's `Acrobot-v1`: swing the tip of a two-link pendulum, actuated at the middle
/// joint, above a line one link length over the base.
///
/// Bit-identical to Gymnasium 1.x (`gymnasium/envs/classic_control/acrobot.py`, "book"
/// dynamics, no torque noise) on NumPy 2: one fourth-order Runge–Kutta step of 0.2 s in
/// float64 with the reference's evaluation order (squares of NumPy scalars through libm `pow`,
/// as NumPy computes `x**2`), angle wrapping to `[-π, π]` and velocity clipping.
///
/// - Observation `[6]`: `cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂` (θ₁ = 0 hangs down, θ₂ is
///   relative to the first link). Box high `[1, 1, 1, 1, 4π, 9π]`.
/// - Actions: `.discrete(0)`, `(1)`, `(2)` apply torque `-1`, `0`, `+1`.
/// - Reward `-1` per step, `0` on the step that reaches the goal
///   (`-cos θ₁ - cos(θ₁ + θ₂) > 1`), which terminates; truncates after 500 steps.
/// - Reset: `[θ₁, θ₂, θ̇₁, θ̇₂]` uniform in `[-0.1, 0.1)`, rounded to float32 as Gymnasium
///   stores it (the first observation is computed from the float32 state with NumPy's float32
///   `sin`/`cos`; from the first step on the state is float64).
///
/// References: R. S. Sutton, "Generalization in Reinforcement Learning: Successful Examples
/// Using Sparse Coarse Coding", NIPS 1995; Sutton & Barto, "Reinforcement Learning: An
/// Introduction", 2nd ed., 2018.
public struct Acrobot: StatefulEnvironment {
    /// The integration time step (s).
    public static let timeStep = 0.2
    /// The first link's maximal angular speed (rad/s).
    public static let maximumVelocity1 = 4 * Double.pi
    /// The second joint's maximal angular speed (rad/s).
    public static let maximumVelocity2 = 9 * Double.pi
    /// The torques of the three actions.
    public static let torques: [Double] = [-1.0, 0.0, 1.0]

    private static let linkLength1 = 1.0
    private static let linkMass1 = 1.0, linkMass2 = 1.0
    private static let centerOfMass1 = 0.5, centerOfMass2 = 0.5
    private static let momentOfInertia = 1.0
    private static let gravity = 9.8

    /// The interval each state component is drawn from at reset.
    public var resetBounds: ResetBounds

    private var s: (Double, Double, Double, Double) = (0, 0, 0, 0)
    private var hasState = false
    /// Whether the state is still Gymnasium's float32 reset array (no step taken yet).
    private var isSinglePrecision = false
    /// The number of steps since the last reset.
    public private(set) var elapsedSteps = 0

    /// An acrobot with Gymnasium's defaults; call a reset before stepping.
    public init(resetBounds: ResetBounds = ResetBounds(low: -0.1, high: 0.1)) {
        self.resetBounds = resetBounds
    }

    /// 6.
    public var observationSize: Int { 6 }
    /// 4: `[θ₁, θ₂, θ̇₁, θ̇₂]`.
    public var stateSize: Int { 4 }
    /// Three discrete torques.
    public var actionSpace: ActionSpace { .discrete(count: 3) }
    /// 500.
    public var maximumEpisodeSteps: Int { 500 }
    /// `[-1, 1]⁴ × [-4π, 4π] × [-9π, 9π]` in float32.
    public var observationSpace: ObservationSpace {
        ObservationSpace(symmetric: [1, 1, 1, 1, Float(Self.maximumVelocity1), Float(Self.maximumVelocity2)])
    }

    /// `[θ₁, θ₂, θ̇₁, θ̇₂]`.
    public var state: [Double] { hasState ? [s.0, s.1, s.2, s.3] : [] }

    /// Starts an episode from `[θ₁, θ₂, θ̇₁, θ̇₂]`, rounded to float32 as Gymnasium's reset
    /// stores its initial state.
    public mutating func reset(toState state: [Double]) -> [Float] {
        precondition(state.count == 4, "Acrobot state has 4 components, got \(state.count)")
        func single(_ v: Double) -> Double { Double(Float(v)) }
        s = (single(state[0]), single(state[1]), single(state[2]), single(state[3]))
        hasState = true
        isSinglePrecision = true
        elapsedSteps = 0
        return observation
    }

    /// Starts an episode from a state drawn uniformly from ``resetBounds``.
    public mutating func reset<G: RandomNumberGenerator>(drawingFrom generator: inout G) -> [Float] {
        var drawn = [Double](repeating: 0, count: 4)
        for i in 0..<4 { drawn[i] = generator.gymnasiumUniform(low: resetBounds.low, high: resetBounds.high) }
        return reset(toState: drawn)
    }

    private var observation: [Float] {
        if isSinglePrecision {
            let theta1 = Float(s.0), theta2 = Float(s.1)
            return [
                NumPyFloat32Trigonometry.cos(theta1), NumPyFloat32Trigonometry.sin(theta1),
                NumPyFloat32Trigonometry.cos(theta2), NumPyFloat32Trigonometry.sin(theta2),
                Float(s.2), Float(s.3),
            ]
        }
        return [Float(cos(s.0)), Float(sin(s.0)), Float(cos(s.1)), Float(sin(s.1)), Float(s.2), Float(s.3)]
    }

    /// Applies the action's torque for one RK4 step of 0.2 s.
    ///
    /// - Precondition: the environment was reset, and `action` is `.discrete(i)`, `0 <= i < 3`.
    public mutating func step(_ action: EnvironmentAction) -> StepResult {
        let index = actionSpace.discreteIndex(of: action, environment: "Acrobot")
        precondition(hasState, "Acrobot: call a reset before stepping")
        let torque = Self.torques[index]
        var next = Self.rungeKutta4(s, torque: torque)
        next.0 = Self.wrap(next.0)
        next.1 = Self.wrap(next.1)
        next.2 = min(max(next.2, -Self.maximumVelocity1), Self.maximumVelocity1)
        next.3 = min(max(next.3, -Self.maximumVelocity2), Self.maximumVelocity2)
        s = next
        isSinglePrecision = false
        let terminated = -cos(s.0) - cos(s.1 + s.0) > 1.0
        elapsedSteps += 1
        return StepResult(
            observation: observation, reward: terminated ? 0.0 : -1.0, terminated: terminated,
            truncated: elapsedSteps >= maximumEpisodeSteps)
    }

    /// Gymnasium's `wrap(x, -π, π)`: shifts by 2π until inside.
    private static func wrap(_ value: Double) -> Double {
        let (low, high) = (-Double.pi, Double.pi)
        let span = high - low
        var x = value
        while x > high { x = x - span }
        while x < low { x = x + span }
        return x
    }

    private typealias State = (Double, Double, Double, Double)

    /// `rk4(_dsdt, [s, torque], [0, dt])`: the torque is the constant fifth component.
    private static func rungeKutta4(_ y0: State, torque: Double) -> State {
        let dt = timeStep - 0
        let halfStep = dt / 2.0
        func shifted(_ k: State, by h: Double) -> State {
            (y0.0 + h * k.0, y0.1 + h * k.1, y0.2 + h * k.2, y0.3 + h * k.3)
        }
        let k1 = derivative(y0, torque: torque)
        let k2 = derivative(shifted(k1, by: halfStep), torque: torque)
        let k3 = derivative(shifted(k2, by: halfStep), torque: torque)
        let k4 = derivative(shifted(k3, by: dt), torque: torque)
        let sixth = dt / 6.0
        func combine(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
            ((a + 2 * b) + 2 * c) + d
        }
        return (
            y0.0 + sixth * combine(k1.0, k2.0, k3.0, k4.0),
            y0.1 + sixth * combine(k1.1, k2.1, k3.1, k4.1),
            y0.2 + sixth * combine(k1.2, k2.2, k3.2, k4.2),
            y0.3 + sixth * combine(k1.3, k2.3, k3.3, k4.3)
        )
    }

    /// Gymnasium's `_dsdt` ("book" variant), in the reference's evaluation order.
    private static func derivative(_ y: State, torque a: Double) -> State {
        let m1 = linkMass1, m2 = linkMass2, l1 = linkLength1
        let lc1 = centerOfMass1, lc2 = centerOfMass2
        let i1 = momentOfInertia, i2 = momentOfInertia, g = gravity
        let (theta1, theta2, dtheta1, dtheta2) = y
        // `x**2` on NumPy float64 scalars is libm pow, which can differ from x*x by one ulp.
        func square(_ x: Double) -> Double { libmPower(x, 2) }
        let d1 = m1 * square(lc1) + m2 * (square(l1) + square(lc2) + 2 * l1 * lc2 * cos(theta2)) + i1 + i2
        let d2 = m2 * (square(lc2) + l1 * lc2 * cos(theta2)) + i2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 =
            -m2 * l1 * lc2 * square(dtheta2) * sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2)
            + phi2
        let ddtheta2 =
            (a + d2 / d1 * phi1 - m2 * l1 * lc2 * square(dtheta1) * sin(theta2) - phi2)
            / (m2 * square(lc2) + i2 - square(d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return (dtheta1, dtheta2, ddtheta1, ddtheta2)
    }
}
