import PruningCore

/// A batch of actions, stored the way a policy scores them: indices for a discrete action
/// space, a `[count, actionSize]` tensor for a continuous one.
public enum ActionBatch {
    /// Discrete action indices, one per step.
    case discrete([Int])
    /// Continuous actions, `[count, actionSize]`.
    case continuous(Tensor)

    /// Packs environment actions, which must all be of the same kind (and, for continuous
    /// actions, the same length).
    ///
    /// - Precondition: `actions` is not empty and all of one kind.
    public init(_ actions: [EnvironmentAction]) {
        precondition(!actions.isEmpty, "ActionBatch: needs at least one action")
        switch actions[0] {
        case .discrete:
            self = .discrete(actions.map { action in
                guard case .discrete(let index) = action else {
                    preconditionFailure("ActionBatch: mixed discrete and continuous actions")
                }
                return index
            })
        case .continuous(let first):
            let size = first.count
            var scalars: [Float] = []
            scalars.reserveCapacity(actions.count * size)
            for action in actions {
                guard case .continuous(let values) = action, values.count == size else {
                    preconditionFailure("ActionBatch: continuous actions must all have \(size) components")
                }
                for value in values { scalars.append(Float(value)) }
            }
            self = .continuous(Tensor(shape: [actions.count, size], scalars: scalars))
        }
    }

    /// The number of actions.
    public var count: Int {
        switch self {
        case .discrete(let indices): indices.count
        case .continuous(let values): values.shape[0]
        }
    }

    /// The actions at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> ActionBatch {
        switch self {
        case .discrete(let all): .discrete(indices.map { all[$0] })
        case .continuous(let values): .continuous(values.indexSelect(indices, alongAxis: 0))
        }
    }
}

/// A stochastic policy π_θ(a | s): a module whose trainable parameters are θ.
///
/// Log-probabilities are differentiable with respect to the parameters (evaluate them inside
/// `PruningCore/valueAndGradient(of:_:)`), which is what every score-function estimator needs.
/// Sampling runs without recording gradients.
public protocol StochasticPolicy: Module {
    /// The length of an observation vector.
    var observationSize: Int { get }
    /// The actions the policy produces.
    var actionSpace: ActionSpace { get }

    /// One action per row of `observations` (`[count, observationSize]`), drawn from π(· | s).
    func sample(observations: Tensor, using generator: inout RandomGenerator) -> [EnvironmentAction]

    /// log π(a_i | s_i) for each row, `[count]`; `observations` is `[count, observationSize]`.
    func logProbability(observations: Tensor, actions: ActionBatch) -> Tensor

    /// The entropy of π(· | s_i) for each row, `[count]`.
    func entropy(observations: Tensor) -> Tensor

    /// The most likely action for each row (arg-max for a categorical policy, the mean for a
    /// Gaussian one): the deterministic policy used for evaluation.
    func mode(observations: Tensor) -> [EnvironmentAction]
}

extension StochasticPolicy {
    /// One action drawn from π(· | observation).
    public func sample(_ observation: [Float], using generator: inout RandomGenerator) -> EnvironmentAction {
        precondition(observation.count == observationSize,
                     "policy: observation has \(observation.count) entries, expected \(observationSize)")
        return sample(observations: Tensor(shape: [1, observationSize], scalars: observation), using: &generator)[0]
    }

    /// The most likely action for one observation.
    public func mode(_ observation: [Float]) -> EnvironmentAction {
        precondition(observation.count == observationSize,
                     "policy: observation has \(observation.count) entries, expected \(observationSize)")
        return mode(observations: Tensor(shape: [1, observationSize], scalars: observation))[0]
    }
}

/// A multilayer perceptron `input → hidden… → output` with the same activation after every
/// hidden layer and a linear output layer (PyTorch-style initialization from `generator`).
func multilayerPerceptron(
    inputSize: Int, hidden: [Int], outputSize: Int, activation: Activation.Kind,
    using generator: inout RandomGenerator
) -> Sequential {
    precondition(inputSize > 0 && outputSize > 0 && hidden.allSatisfy { $0 > 0 },
                 "MLP: sizes must be positive (input \(inputSize), hidden \(hidden), output \(outputSize))")
    var layers: [any Layer] = []
    var width = inputSize
    for size in hidden {
        layers.append(Linear(inputCount: width, outputCount: size, using: &generator))
        layers.append(Activation(activation))
        width = size
    }
    layers.append(Linear(inputCount: width, outputCount: outputSize, using: &generator))
    return Sequential(layers)
}
