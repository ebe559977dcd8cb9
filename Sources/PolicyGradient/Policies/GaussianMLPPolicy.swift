import Foundation
import PruningCore

/// A diagonal Gaussian policy for box action spaces: an MLP maps an observation to the mean
/// μ(s), and a state-independent learnable vector holds log σ, so
/// π(a | s) = Π_j N(a_j; μ_j(s), σ_j²) (garage's `GaussianMLPPolicy` with a learned,
/// state-independent standard deviation).
///
/// Actions are not squashed or clipped: environments clip them to their box. Parameters are
/// named `logStandardDeviation` and `mean.0.weight`, `mean.0.bias`, ….
public final class GaussianMLPPolicy: StochasticPolicy {
    /// The mean network, `[count, observationSize] → [count, actionSize]`.
    public let mean: Sequential
    /// log σ, `[actionSize]`.
    public let logStandardDeviation: Parameter
    /// The length of an observation vector.
    public let observationSize: Int
    /// The action dimension.
    public let actionSize: Int
    /// Bounds reported by ``actionSpace`` (the policy itself does not clip).
    public let actionBounds: (low: [Double], high: [Double])
    /// Whether the module is in training mode (no effect: the policy has no dropout).
    public var isTraining = true

    /// A policy with the given hidden layer widths, activation and initial log σ (the BGPO
    /// scripts use `hidden: [64, 64]`, tanh, σ = 1).
    ///
    /// - Parameters:
    ///   - observationSize: the observation dimension.
    ///   - actionSize: the action dimension.
    ///   - hidden: the hidden layer widths of the mean network.
    ///   - activation: the hidden layers' activation.
    ///   - initialLogStandardDeviation: the starting log σ of every action dimension.
    ///   - actionBounds: the box reported by ``actionSpace``; defaults to `[-1, 1]` per
    ///     dimension.
    ///   - generator: the source of the initial weights.
    public init(
        observationSize: Int, actionSize: Int, hidden: [Int] = [64, 64], activation: Activation.Kind = .tanh,
        initialLogStandardDeviation: Float = 0, actionBounds: (low: [Double], high: [Double])? = nil,
        using generator: inout RandomGenerator
    ) {
        precondition(actionSize > 0, "GaussianMLPPolicy: action size must be positive")
        self.observationSize = observationSize
        self.actionSize = actionSize
        mean = multilayerPerceptron(
            inputSize: observationSize, hidden: hidden, outputSize: actionSize, activation: activation,
            using: &generator)
        logStandardDeviation = Parameter(Tensor.full([actionSize], initialLogStandardDeviation))
        let bounds = actionBounds ?? ([Double](repeating: -1, count: actionSize), [Double](repeating: 1, count: actionSize))
        precondition(bounds.low.count == actionSize && bounds.high.count == actionSize,
                     "GaussianMLPPolicy: action bounds must have \(actionSize) entries")
        self.actionBounds = bounds
    }

    /// log σ.
    public var ownParameters: [(String, Parameter)] { [("logStandardDeviation", logStandardDeviation)] }
    /// The mean network.
    public var children: [(String, any Module)] { [("mean", mean)] }

    /// `.box(low:high:)` with ``actionBounds``.
    public var actionSpace: ActionSpace { .box(low: actionBounds.low, high: actionBounds.high) }

    /// The mean action for each row, `[count, actionSize]`.
    public func means(observations: Tensor) -> Tensor {
        precondition(observations.rank == 2 && observations.shape[1] == observationSize,
                     "GaussianMLPPolicy: observations \(observations.shape) must be [count, \(observationSize)]")
        return mean(observations)
    }

    /// σ, `[actionSize]`.
    public var standardDeviation: [Float] { logStandardDeviation.value.scalars.map { Foundation.exp($0) } }

    /// One action per row: μ(s) + σ ⊙ ε with ε ~ N(0, I), in double precision.
    public func sample(observations: Tensor, using generator: inout RandomGenerator) -> [EnvironmentAction] {
        let mu = withoutGradients { means(observations: observations) }
        let sigma = standardDeviation.map(Double.init)
        let d = actionSize
        return mu.withUnsafeBufferPointer { m in
            (0..<observations.shape[0]).map { row in
                .continuous((0..<d).map { j in Double(m[row * d + j]) + sigma[j] * generator.nextNormalDouble() })
            }
        }
    }

    /// Σ_j log N(a_j; μ_j(s), σ_j²) for each row, `[count]`; differentiable in μ and log σ.
    ///
    /// - Precondition: `actions` is `.continuous` with shape `[count, actionSize]`.
    public func logProbability(observations: Tensor, actions: ActionBatch) -> Tensor {
        guard case .continuous(let a) = actions else {
            preconditionFailure("GaussianMLPPolicy: needs continuous actions")
        }
        let count = observations.shape[0]
        precondition(a.shape == [count, actionSize],
                     "GaussianMLPPolicy: actions \(a.shape) must be [\(count), \(actionSize)]")
        let logSigma = logStandardDeviation.value
        let z = (a - means(observations: observations)) * (-logSigma).exp()
        let constant = Float(0.5 * Foundation.log(2 * Double.pi)) * Float(actionSize)
        return (z.squared().sum(alongAxis: 1) * -0.5) - logSigma.sum() - constant
    }

    /// Σ_j (log σ_j + ½ log 2πe), the same for every row, `[count]`; differentiable in log σ.
    public func entropy(observations: Tensor) -> Tensor {
        let perRow = logStandardDeviation.value.sum() + Float(0.5 * (1 + Foundation.log(2 * Double.pi))) * Float(actionSize)
        return perRow * Tensor.ones([observations.shape[0]])
    }

    /// The mean action for each row.
    public func mode(observations: Tensor) -> [EnvironmentAction] {
        let mu = withoutGradients { means(observations: observations) }
        let d = actionSize
        return mu.withUnsafeBufferPointer { m in
            (0..<observations.shape[0]).map { row in .continuous((0..<d).map { Double(m[row * d + $0]) }) }
        }
    }
}
