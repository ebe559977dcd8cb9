/// Batch normalization (Ioffe & Szegedy, 2015), as PyTorch's `nn.BatchNorm1d`/`nn.BatchNorm2d`.
///
/// Input `[batch, featureCount]` or `[batch, featureCount, ...]` (for example
/// `[batch, channels, height, width]`), output of the same shape. In training mode each
/// channel is normalized with the mean and biased variance of the batch (over the batch and all
/// spatial positions), and the running statistics move towards the batch's:
/// `running = (1 − momentum) · running + momentum · batch`, using the unbiased batch variance
/// for `running_var`. In evaluation mode the running statistics are used instead.
///
/// Parameters: `weight` (ones) and `bias` (zeros); buffers `running_mean` (zeros) and
/// `running_var` (ones); all `[featureCount]`.
public final class BatchNorm: Layer {
    /// The per-channel scale `[featureCount]`.
    public let weight: Parameter
    /// The per-channel shift `[featureCount]`.
    public let bias: Parameter
    /// The running mean `[featureCount]` (a buffer).
    public let runningMean: Parameter
    /// The running unbiased variance `[featureCount]` (a buffer).
    public let runningVariance: Parameter
    /// The weight of the newest batch in the running statistics.
    public let momentum: Float
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Whether the module is in training mode (batch statistics, running statistics updated).
    public var isTraining = true

    /// A layer normalizing `featureCount` channels (PyTorch's defaults: momentum 0.1,
    /// epsilon 1e-5).
    public init(featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(featureCount > 0, "BatchNorm: featureCount must be positive, got \(featureCount)")
        precondition(momentum >= 0 && momentum <= 1, "BatchNorm: momentum \(momentum) is outside [0, 1]")
        self.momentum = momentum
        self.epsilon = epsilon
        weight = Parameter(Tensor.ones([featureCount]))
        bias = Parameter(Tensor.zeros([featureCount]))
        runningMean = Parameter(Tensor.zeros([featureCount]), isBuffer: true)
        runningVariance = Parameter(Tensor.ones([featureCount]), isBuffer: true)
    }

    /// The number of channels.
    public var featureCount: Int { weight.shape[0] }

    /// `weight`, `bias`, `running_mean` and `running_var`.
    public var ownParameters: [(String, Parameter)] {
        [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVariance)]
    }

    /// Normalizes `input` `[batch, featureCount, ...]`; in training mode also updates the
    /// running statistics.
    public func callAsFunction(_ input: Tensor) -> Tensor { callAsFunction(input, relu: false) }

    /// Normalizes `input` like ``callAsFunction(_:)``, followed by a ReLU when `relu` is true;
    /// in training mode the ReLU runs in the normalization's own passes, forward and backward.
    public func callAsFunction(_ input: Tensor, relu: Bool) -> Tensor {
        precondition(input.rank >= 2 && input.shape[1] == featureCount,
                     "BatchNorm: input \(input.shape) should be [batch, \(featureCount), ...]")
        guard isTraining else {
            let output = input.batchNorm(mean: runningMean.value, variance: runningVariance.value,
                                         weight: weight.value, bias: bias.value, epsilon: epsilon)
            return relu ? output.relu() : output
        }
        let (output, mean, variance) = input.batchNorm(weight: weight.value, bias: bias.value, epsilon: epsilon, relu: relu)
        let valuesPerChannel = input.count / featureCount
        let correction = Float(valuesPerChannel) / Float(valuesPerChannel - 1)
        withoutGradients {
            runningMean.value = (1 - momentum) * runningMean.value.detached() + momentum * mean
            runningVariance.value = (1 - momentum) * runningVariance.value.detached() + (momentum * correction) * variance
        }
        return output
    }
}
