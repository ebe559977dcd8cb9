/// Group normalization (Wu & He, 2018), as PyTorch's `nn.GroupNorm(groupCount, channelCount)`.
///
/// Input `[batch, channelCount, ...]` (for example `[batch, channels, height, width]`), output
/// of the same shape. The channels form `groupCount` groups normalized per sample; with
/// `affine`, the per-channel `weight` (ones) and `bias` (zeros), both `[channelCount]`, scale
/// and shift the result.
public final class GroupNorm: Layer {
    /// The per-channel scale `[channelCount]`, when affine.
    public let weight: Parameter?
    /// The per-channel shift `[channelCount]`, when affine.
    public let bias: Parameter?
    /// The number of channel groups.
    public let groupCount: Int
    /// The number of channels.
    public let channelCount: Int
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Whether the module is in training mode (group norm behaves the same in both modes).
    public var isTraining = true

    /// A layer normalizing `channelCount` channels in `groupCount` groups (which must divide
    /// `channelCount`).
    public init(groupCount: Int, channelCount: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        precondition(groupCount > 0 && channelCount % groupCount == 0,
                     "GroupNorm: \(groupCount) groups do not divide \(channelCount) channels")
        self.groupCount = groupCount
        self.channelCount = channelCount
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.ones([channelCount])) : nil
        bias = affine ? Parameter(Tensor.zeros([channelCount])) : nil
    }

    /// The weight and bias, when affine.
    public var ownParameters: [(String, Parameter)] {
        var result: [(String, Parameter)] = []
        if let weight { result.append(("weight", weight)) }
        if let bias { result.append(("bias", bias)) }
        return result
    }

    /// Normalizes `input` `[batch, channelCount, ...]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.shape[1] == channelCount,
                     "GroupNorm: input \(input.shape) should be [batch, \(channelCount), ...]")
        return input.groupNorm(groups: groupCount, weight: weight?.value, bias: bias?.value, epsilon: epsilon)
    }
}
