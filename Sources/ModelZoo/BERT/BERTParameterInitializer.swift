import PruningCore

/// How a ``BERTEncoder``'s parameters are filled when it is built: randomly (for training from
/// scratch or tests) or with zeros (cheap starting values for weights about to be loaded).
public struct BERTParameterInitializer {
    /// The source of random weights and dropout seeds; nil when filling with zeros.
    private var generator: RandomGenerator?

    /// Random weights: linear layers as PyTorch's default (uniform in ±1/√inputCount),
    /// embedding tables N(0, 0.02²) as BERT's initializer, layer norms at identity; dropout
    /// seeds drawn from the same generator.
    public static func random(seed: UInt64) -> BERTParameterInitializer {
        BERTParameterInitializer(generator: RandomGenerator(seed: seed))
    }

    /// Zero weights (layer norms at identity), for a model whose weights are loaded next.
    public static var zeros: BERTParameterInitializer { BERTParameterInitializer(generator: nil) }

    /// A linear layer `[outputCount, inputCount]` with bias.
    mutating func linear(inputCount: Int, outputCount: Int) -> Linear {
        if generator != nil { return Linear(inputCount: inputCount, outputCount: outputCount, using: &generator!) }
        return Linear(weight: Tensor.zeros([outputCount, inputCount]), bias: Tensor.zeros([outputCount]))
    }

    /// An embedding table `[count, dimension]`.
    mutating func embedding(count: Int, dimension: Int) -> Embedding {
        if generator != nil {
            return Embedding(weight: Tensor.randomNormal([count, dimension], using: &generator!) * 0.02)
        }
        return Embedding(weight: Tensor.zeros([count, dimension]))
    }

    /// A dropout layer with its own seed.
    mutating func dropout(probability: Double) -> Dropout {
        Dropout(probability: probability, seed: generator?.next() ?? 0)
    }
}
