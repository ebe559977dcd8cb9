/// Inverted dropout (Srivastava et al., 2014, "Dropout: A Simple Way to Prevent Neural Networks
/// from Overfitting"), as PyTorch's `nn.Dropout(p)`.
///
/// In training mode each element is zeroed with probability `probability` and the survivors are
/// scaled by `1 / (1 − probability)`, so the expected output equals the input; in evaluation
/// mode the layer is the identity. The layer owns its random generator, so a model built with
/// the same seed drops the same elements on every run.
public final class Dropout: Layer {
    /// The probability of zeroing an element, in `[0, 1]`.
    public let probability: Double
    /// The generator that draws the masks.
    public var generator: RandomGenerator
    /// Whether the module is in training mode (dropout active).
    public var isTraining = true

    /// A dropout layer zeroing elements with probability `probability`, with masks drawn from a
    /// generator seeded with `seed`.
    public init(probability: Double = 0.5, seed: UInt64 = 0) {
        precondition(probability >= 0 && probability <= 1, "Dropout: probability \(probability) is outside [0, 1]")
        self.probability = probability
        self.generator = RandomGenerator(seed: seed)
    }

    /// The input with dropout applied in training mode, unchanged in evaluation mode.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining && probability > 0 else { return input }
        if probability == 1 { return input * Tensor.zeros(input.shape) }
        let keep = Float(1 / (1 - probability))
        let p = probability
        let mask = Tensor(shape: input.shape) { m in
            for i in 0..<m.count { m[i] = generator.nextUniformDouble() < p ? 0 : keep }
        }
        return input * mask
    }
}
