import PruningCore

/// A learned state-value function V(s): an MLP `[count, observationSize] → [count]`, fitted by
/// Adam regression on return targets (garage's `GaussianMLPValueFunction` mean, which the
/// official BGPO code uses as its GAE baseline: hidden `[32, 32]`, tanh, Adam).
public final class ValueFunction: Module {
    /// Training settings.
    public struct Configuration: Sendable {
        /// The hidden layer widths. Default `[32, 32]` (the BGPO scripts).
        public var hidden: [Int]
        /// The hidden activation. Default tanh.
        public var activation: Activation.Kind
        /// Adam's learning rate. Default 1e-3 (the scripts use 2e-4–2.5e-4 with 50,000-step
        /// batches; small batches need a larger rate).
        public var learningRate: Float
        /// Passes over each batch per fit. Default 10 (the scripts' value).
        public var epochs: Int
        /// Steps per Adam update. Default 64.
        public var minibatchSize: Int

        /// A configuration; see the properties for the defaults.
        public init(
            hidden: [Int] = [32, 32], activation: Activation.Kind = .tanh, learningRate: Float = 1e-3,
            epochs: Int = 10, minibatchSize: Int = 64
        ) {
            precondition(epochs >= 0 && minibatchSize > 0 && learningRate >= 0,
                         "ValueFunction: invalid configuration")
            self.hidden = hidden
            self.activation = activation
            self.learningRate = learningRate
            self.epochs = epochs
            self.minibatchSize = minibatchSize
        }
    }

    /// The network, `[count, observationSize] → [count, 1]`.
    public let network: Sequential
    /// The training settings.
    public let configuration: Configuration
    /// The length of an observation vector.
    public let observationSize: Int
    /// Whether the module is in training mode (no effect).
    public var isTraining = true
    private let optimizer: Adam

    /// A value function with freshly initialized weights.
    public init(observationSize: Int, configuration: Configuration = Configuration(), using generator: inout RandomGenerator) {
        self.observationSize = observationSize
        self.configuration = configuration
        network = multilayerPerceptron(
            inputSize: observationSize, hidden: configuration.hidden, outputSize: 1,
            activation: configuration.activation, using: &generator)
        optimizer = Adam(learningRate: configuration.learningRate)
    }

    /// The network.
    public var children: [(String, any Module)] { [("network", network)] }

    /// V(s) for each row, `[count]`; differentiable.
    public func callAsFunction(_ observations: Tensor) -> Tensor {
        precondition(observations.rank == 2 && observations.shape[1] == observationSize,
                     "ValueFunction: observations \(observations.shape) must be [count, \(observationSize)]")
        return network(observations).reshaped(to: [observations.shape[0]])
    }

    /// V(s) for each row, without recording gradients.
    public func values(_ observations: Tensor) -> [Float] {
        withoutGradients { self(observations).scalars }
    }

    /// Regresses V on `targets` (mean squared error) for ``Configuration/epochs`` passes in
    /// shuffled minibatches; returns the mean loss of the last pass (0 when no pass ran).
    @discardableResult
    public func fit(observations: Tensor, targets: [Float], using generator: inout RandomGenerator) -> Float {
        let count = observations.shape[0]
        precondition(targets.count == count, "ValueFunction.fit: \(targets.count) targets for \(count) observations")
        var lastLoss: Float = 0
        for _ in 0..<configuration.epochs {
            let order = generator.permutation(count)
            var total: Float = 0
            var start = 0
            while start < count {
                let indices = Array(order[start..<Swift.min(start + configuration.minibatchSize, count)])
                start += indices.count
                let inputs = observations.indexSelect(indices, alongAxis: 0)
                let wanted = Tensor(indices.map { targets[$0] })
                let (loss, gradients) = valueAndGradient(of: self) { (self(inputs) - wanted).squared().mean() }
                optimizer.update(self, along: gradients)
                total += loss.scalar * Float(indices.count)
            }
            lastLoss = total / Float(Swift.max(count, 1))
        }
        return lastLoss
    }
}
