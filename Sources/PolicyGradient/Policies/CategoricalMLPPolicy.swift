import Foundation
import PruningCore

/// A categorical policy for discrete action spaces: an MLP maps an observation to one logit per
/// action and π(a | s) = softmax(logits)_a.
///
/// Parameters are named `network.0.weight`, `network.0.bias`, … (`Sequential` children).
public final class CategoricalMLPPolicy: StochasticPolicy {
    /// The logit network, `[count, observationSize] → [count, actionCount]`.
    public let network: Sequential
    /// The length of an observation vector.
    public let observationSize: Int
    /// The number of actions.
    public let actionCount: Int
    /// Whether the module is in training mode (no effect: the policy has no dropout).
    public var isTraining = true

    /// A policy with the given hidden layer widths and activation (the BGPO scripts use
    /// `hidden: [8, 8]` with tanh for CartPole and Acrobot).
    public init(
        observationSize: Int, actionCount: Int, hidden: [Int] = [32, 32], activation: Activation.Kind = .tanh,
        using generator: inout RandomGenerator
    ) {
        precondition(actionCount >= 2, "CategoricalMLPPolicy: needs at least 2 actions, got \(actionCount)")
        self.observationSize = observationSize
        self.actionCount = actionCount
        network = multilayerPerceptron(
            inputSize: observationSize, hidden: hidden, outputSize: actionCount, activation: activation,
            using: &generator)
    }

    /// The network.
    public var children: [(String, any Module)] { [("network", network)] }

    /// `.discrete(count: actionCount)`.
    public var actionSpace: ActionSpace { .discrete(count: actionCount) }

    /// The logits for each row, `[count, actionCount]`.
    public func logits(observations: Tensor) -> Tensor {
        precondition(observations.rank == 2 && observations.shape[1] == observationSize,
                     "CategoricalMLPPolicy: observations \(observations.shape) must be [count, \(observationSize)]")
        return network(observations)
    }

    /// The action probabilities for each row, `[count, actionCount]` (not differentiated).
    public func probabilities(observations: Tensor) -> Tensor {
        withoutGradients { logits(observations: observations).softmax(alongAxis: 1) }
    }

    /// One action per row, drawn from the softmax of the logits.
    public func sample(observations: Tensor, using generator: inout RandomGenerator) -> [EnvironmentAction] {
        let logits = withoutGradients { self.logits(observations: observations) }
        let count = observations.shape[0]
        let k = actionCount
        var actions: [EnvironmentAction] = []
        actions.reserveCapacity(count)
        var weights = [Double](repeating: 0, count: k)
        logits.withUnsafeBufferPointer { l in
            for row in 0..<count {
                var largest = -Double.infinity
                for j in 0..<k { largest = max(largest, Double(l[row * k + j])) }
                for j in 0..<k { weights[j] = Foundation.exp(Double(l[row * k + j]) - largest) }
                actions.append(.discrete(generator.nextCategorical(weights)))
            }
        }
        return actions
    }

    /// log softmax(logits)_{a_i} for each row, `[count]`; differentiable.
    ///
    /// - Precondition: `actions` is `.discrete` with one index in `0..<actionCount` per row.
    public func logProbability(observations: Tensor, actions: ActionBatch) -> Tensor {
        guard case .discrete(let indices) = actions else {
            preconditionFailure("CategoricalMLPPolicy: needs discrete actions")
        }
        let count = observations.shape[0]
        precondition(indices.count == count, "CategoricalMLPPolicy: \(indices.count) actions for \(count) observations")
        let logProbabilities = logits(observations: observations).logSoftmax(alongAxis: 1)
        return logProbabilities.gathering(alongAxis: 1, indices: indices).reshaped(to: [count])
    }

    /// −Σ_a π(a | s) log π(a | s) for each row, `[count]`; differentiable.
    public func entropy(observations: Tensor) -> Tensor {
        let logProbabilities = logits(observations: observations).logSoftmax(alongAxis: 1)
        return -(logProbabilities.exp() * logProbabilities).sum(alongAxis: 1)
    }

    /// The arg-max action for each row.
    public func mode(observations: Tensor) -> [EnvironmentAction] {
        let logits = withoutGradients { self.logits(observations: observations) }
        let k = actionCount
        return logits.withUnsafeBufferPointer { l in
            (0..<observations.shape[0]).map { row in
                var best = 0
                for j in 1..<k where l[row * k + j] > l[row * k + best] { best = j }
                return .discrete(best)
            }
        }
    }
}
