/// An ``Environment`` whose physical state can be read and set, and whose reset can draw from
/// any random generator.
///
/// The classic-control environments (``CartPole``, ``Acrobot``, ``Pendulum``,
/// ``MountainCarContinuous``) conform. Their reset draws `low + (high - low) * u` with
/// `u = (next() >> 11) · 2⁻⁵³` for each state component in order, as NumPy's
/// `Generator.uniform` does, so a ``NumPyRandom`` reproduces Gymnasium's initial states.
public protocol StatefulEnvironment: Environment {
    /// The length of the physical state vector.
    var stateSize: Int { get }
    /// The physical state in double precision (empty before the first reset).
    var state: [Double] { get }
    /// Starts a new episode from `state` and returns its first observation.
    ///
    /// The state is taken as Gymnasium's reset would have produced it (for example
    /// ``Acrobot`` rounds it to float32, as its reset does); the time-limit counter restarts.
    ///
    /// - Precondition: `state.count == stateSize`.
    mutating func reset(toState state: [Double]) -> [Float]
    /// Starts a new episode from an initial state drawn from `generator` with Gymnasium's
    /// distribution, and returns its first observation.
    mutating func reset<G: RandomNumberGenerator>(drawingFrom generator: inout G) -> [Float]
}

extension StatefulEnvironment {
    /// Starts a new episode from an initial state drawn from `generator`.
    public mutating func reset(using generator: inout RandomGenerator) -> [Float] {
        reset(drawingFrom: &generator)
    }

    /// Starts a new episode from the initial state Gymnasium's `env.reset(seed: seed)` draws
    /// (bit-identical, through ``NumPyRandom``).
    public mutating func reset(seed: UInt64) -> [Float] {
        var generator = NumPyRandom(seed: seed)
        return reset(drawingFrom: &generator)
    }
}

extension RandomNumberGenerator {
    /// A uniform double in `[low, high)` computed as NumPy's `Generator.uniform`:
    /// `low + (high - low) * ((next() >> 11) · 2⁻⁵³)`.
    mutating func gymnasiumUniform(low: Double, high: Double) -> Double {
        let range = high - low
        precondition(range.isFinite && range >= 0, "uniform bounds [\(low), \(high)] are not a finite range")
        return low + range * (Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0))
    }
}

/// Gymnasium's reset bounds `options={"low": low, "high": high}`.
public struct ResetBounds: Sendable, Equatable {
    /// The lower bound of the uniform draw.
    public var low: Double
    /// The upper bound of the uniform draw.
    public var high: Double

    /// Bounds `[low, high]`.
    ///
    /// - Precondition: both are finite and `low <= high` (Gymnasium raises `ValueError`).
    public init(low: Double, high: Double) {
        precondition(
            low.isFinite && high.isFinite && low <= high,
            "ResetBounds: lower bound \(low) must be finite and not above the upper bound \(high)")
        self.low = low
        self.high = high
    }
}
