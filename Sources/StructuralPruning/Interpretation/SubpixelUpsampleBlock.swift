import ModelZoo
import PruningCore

/// One decoder step of the amortized saliency selector: doubles the resolution by a sub-pixel
/// convolution (3 × 3 convolution to `4·outputChannels`, BatchNorm, ReLU, pixel shuffle ×2),
/// concatenates the encoder's skip features of that resolution and mixes them with a residual
/// block (`ModelZoo/BasicBlock`, whose 1 × 1 shortcut matches the widths) — the official
/// `UpSampleBlock`.
public final class SubpixelUpsampleBlock: Module {
    /// The convolution to `4·outputChannels` before the pixel shuffle.
    public let convolution: Conv2d
    /// Its BatchNorm.
    public let norm: BatchNorm
    /// The residual block on the concatenation.
    public let followUp: BasicBlock
    /// The output channels.
    public let outputChannels: Int
    /// Training or evaluation mode.
    public var isTraining = true

    /// A block from `inputChannels` at resolution `H × W` with `skipChannels` at `2H × 2W` to
    /// `outputChannels` at `2H × 2W`.
    public init(inputChannels: Int, outputChannels: Int, skipChannels: Int, using generator: inout RandomGenerator) {
        convolution = Conv2d(inChannels: inputChannels, outChannels: 4 * outputChannels, kernelSize: 3, padding: 1, bias: false, using: &generator)
        norm = BatchNorm(featureCount: 4 * outputChannels)
        followUp = BasicBlock(inputChannels: outputChannels + skipChannels, outputChannels: outputChannels, using: &generator)
        self.outputChannels = outputChannels
    }

    /// `convolution`, `norm`, `followUp`.
    public var children: [(String, any Module)] { [("convolution", convolution), ("norm", norm), ("followUp", followUp)] }

    /// The upsampled features `[batch, outputChannels, 2H, 2W]`.
    public func callAsFunction(_ input: Tensor, skip: Tensor) -> Tensor {
        let up = Self.pixelShuffle(convolution(input, normalizedBy: norm, relu: true), factor: 2)
        precondition(skip.rank == 4 && skip.shape[0] == up.shape[0] && skip.shape[2] == up.shape[2] && skip.shape[3] == up.shape[3],
                     "SubpixelUpsampleBlock: skip features \(skip.shape) do not match the upsampled \(up.shape)")
        return followUp(Tensor.concatenate([up, skip], alongAxis: 1))
    }

    /// Rearranges `[B, C·r², H, W]` into `[B, C, H·r, W·r]`: input channel `c·r² + i·r + j` goes
    /// to output pixel `(h·r + i, w·r + j)` of channel `c` (PyTorch's `pixel_shuffle`).
    public static func pixelShuffle(_ input: Tensor, factor r: Int) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] % (r * r) == 0, "pixelShuffle: \(input.shape) channels not divisible by \(r * r)")
        let (b, c, h, w) = (input.shape[0], input.shape[1] / (r * r), input.shape[2], input.shape[3])
        return input.reshaped(to: [b, c, r, r, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped(to: [b, c, h * r, w * r])
    }
}
