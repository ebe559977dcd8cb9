import Foundation

/// Gymnasium's `MountainCarContinuous-v0`: drive an underpowered car up the right hill by
/// rocking back and forth.
///
/// Bit-identical to Gymnasium 1.x (`continuous_mountain_car.py`) on NumPy 2 with float64
/// actions. Gymnasium stores the state as float32 after every step (float64 right after
/// reset), so the step mixes float32, float64 and Python-float arithmetic; this replays it with
/// NumPy 2's promotion rules (see `NumPyScalar`): e.g. `3 * position` is a float32 product,
/// a clipped force is a Python float whose update then runs in float32, and clamps compare in
/// float32 when the left side is float32.
///
/// - Observation `[2]`: position in `[-1.2, 0.6]`, velocity in `[-0.07, 0.07]` (float32).
/// - Action: `.continuous([a])`, force box `[-1, 1]`; larger values are clipped for the
///   dynamics, but the reward's action cost uses the unclipped value.
/// - Dynamics: `v += force·0.0015 - 0.0025·cos(3p)`, clipped to ±0.07; `p += v`, clipped to
///   `[-1.2, 0.6]`; hitting the left wall with `v < 0` stops the car.
/// - Reward `-0.1·a²` per step, plus `100` on reaching `p ≥ 0.45` with `v ≥ goalVelocity`,
///   which terminates; truncates after 999 steps.
/// - Reset: position uniform in `[-0.6, -0.4)` (``resetBounds``), velocity 0.
///
/// Reference: A. Moore, "Efficient Memory-based Learning for Robot Control", PhD thesis,
/// University of Cambridge, 1990.
public struct MountainCarContinuous: StatefulEnvironment {
    /// The leftmost position.
    public static let minimumPosition = -1.2
    /// The rightmost position.
    public static let maximumPosition = 0.6
    /// The maximal speed.
    public static let maximumSpeed = 0.07
    /// The position of the goal.
    public static let goalPosition = 0.45
    /// The force multiplier.
    public static let power = 0.0015

    /// The minimal velocity at the goal (Gymnasium's `goal_velocity`, default 0).
    public var goalVelocity: Double
    /// The interval the initial position is drawn from.
    public var resetBounds: ResetBounds

    private var position = NumPyScalar(0, .float64)
    private var velocity = NumPyScalar(0, .float64)
    private var hasState = false
    /// The number of steps since the last reset.
    public private(set) var elapsedSteps = 0

    /// A mountain car with Gymnasium's defaults; call a reset before stepping.
    public init(goalVelocity: Double = 0, resetBounds: ResetBounds = ResetBounds(low: -0.6, high: -0.4)) {
        self.goalVelocity = goalVelocity
        self.resetBounds = resetBounds
    }

    /// 2.
    public var observationSize: Int { 2 }
    /// 2: `[position, velocity]`.
    public var stateSize: Int { 2 }
    /// A force in `[-1, 1]`.
    public var actionSpace: ActionSpace { .box(low: [-1], high: [1]) }
    /// 999.
    public var maximumEpisodeSteps: Int { 999 }
    /// `[-1.2, 0.6] × [-0.07, 0.07]` in float32.
    public var observationSpace: ObservationSpace {
        ObservationSpace(
            low: [Float(Self.minimumPosition), Float(-Self.maximumSpeed)],
            high: [Float(Self.maximumPosition), Float(Self.maximumSpeed)])
    }

    /// `[position, velocity]` (float32 values after the first step).
    public var state: [Double] { hasState ? [position.value, velocity.value] : [] }

    /// Starts an episode from `[position, velocity]` in float64, as Gymnasium's reset stores it.
    public mutating func reset(toState state: [Double]) -> [Float] {
        precondition(state.count == 2, "MountainCarContinuous state has 2 components, got \(state.count)")
        position = NumPyScalar(state[0], .float64)
        velocity = NumPyScalar(state[1], .float64)
        hasState = true
        elapsedSteps = 0
        return observation
    }

    /// Starts an episode at a position drawn uniformly from ``resetBounds``, at rest.
    public mutating func reset<G: RandomNumberGenerator>(drawingFrom generator: inout G) -> [Float] {
        reset(toState: [generator.gymnasiumUniform(low: resetBounds.low, high: resetBounds.high), 0])
    }

    private var observation: [Float] { [Float(position.value), Float(velocity.value)] }

    /// Applies the force for one step.
    ///
    /// - Precondition: the environment was reset, and `action` is `.continuous([a])`.
    public mutating func step(_ action: EnvironmentAction) -> StepResult {
        let a = actionSpace.continuousVector(of: action, environment: "MountainCarContinuous")[0]
        precondition(hasState, "MountainCarContinuous: call a reset before stepping")
        typealias S = NumPyScalar
        let force = S.pythonMin(S.pythonMax(S(a, .float64), .weak(-1.0)), .weak(1.0))
        let slope = S.weak(0.0025) * S.weak(cos((S.weak(3) * position).value))
        var v = velocity + (force * .weak(Self.power) - slope)
        if v > .weak(Self.maximumSpeed) { v = .weak(Self.maximumSpeed) }
        if v < .weak(-Self.maximumSpeed) { v = .weak(-Self.maximumSpeed) }
        var p = position + v
        if p > .weak(Self.maximumPosition) { p = .weak(Self.maximumPosition) }
        if p < .weak(Self.minimumPosition) { p = .weak(Self.minimumPosition) }
        if p == .weak(Self.minimumPosition) && v < .weak(0) { v = .weak(0) }
        let terminated = p >= .weak(Self.goalPosition) && v >= .weak(goalVelocity)
        let reward = (terminated ? 100.0 : 0.0) - libmPower(a, 2) * 0.1
        position = S(p.value, .float32)
        velocity = S(v.value, .float32)
        elapsedSteps += 1
        return StepResult(
            observation: observation, reward: reward, terminated: terminated,
            truncated: elapsedSteps >= maximumEpisodeSteps)
    }
}
