import PruningCore

/// The residual block of a diffusion U-Net (Ho et al., 2020; the FiLM form of Dhariwal & Nichol,
/// 2021, "Diffusion Models Beat GANs", `use_scale_shift_norm`):
/// `h = conv1(SiLU(GN1(x)))`, `h = SiLU(GN2(h) · (1 + s) + b)` with `(s, b)` a linear map of the
/// step-and-prompt embedding, `h = conv2(h)`, output `skip(x) + h`.
///
/// Gate sites (per sample, for prompt-routed pruning): a **width** mask on the inner channels
/// right after `SiLU(GN2(·))`, whose entries come in whole GroupNorm groups so that removing them
/// leaves the other groups' statistics unchanged; a **depth** gate `m` mixing
/// `skip(x) + m · h`, so `m = 0` removes the block's residual branch.
///
/// Parameters: `norm1`, `conv1`, `embedding` (`[2 · inner, embeddingSize]`), `norm2`, `conv2`,
/// and `skip` (1×1) when the channel counts differ.
public final class DiffusionResidualBlock: Module {
    /// GroupNorm of the input.
    public let norm1: GroupNorm
    /// The first 3×3 convolution to the inner channels.
    public let conv1: Conv2d
    /// The FiLM projection of the embedding: scale then shift of the inner channels.
    public let embedding: Linear
    /// GroupNorm of the inner channels (its group count changes when groups are pruned).
    public private(set) var norm2: GroupNorm
    /// The second 3×3 convolution to the output channels.
    public let conv2: Conv2d
    /// The 1×1 projection of the shortcut, when the channel counts differ.
    public let skip: Conv2d?
    /// The channels of one GroupNorm group of the inner channels.
    public let groupSize: Int
    /// Whether the module is in training mode.
    public var isTraining = true
    /// Whether the residual branch is still there (``removeBranch()`` takes it out, leaving
    /// `skip(x)`).
    public private(set) var hasBranch = true

    /// A block from `inputChannels` to `outputChannels` reading embeddings of `embeddingSize`,
    /// GroupNorm with groups of `groupSize` channels.
    public init(inputChannels: Int, outputChannels: Int, embeddingSize: Int, groupSize: Int, using generator: inout RandomGenerator) {
        precondition(inputChannels % groupSize == 0 && outputChannels % groupSize == 0,
                     "DiffusionResidualBlock: group size \(groupSize) must divide \(inputChannels) and \(outputChannels)")
        norm1 = GroupNorm(groupCount: inputChannels / groupSize, channelCount: inputChannels)
        conv1 = Conv2d(inChannels: inputChannels, outChannels: outputChannels, kernelSize: 3, padding: 1, using: &generator)
        embedding = Linear(inputCount: embeddingSize, outputCount: 2 * outputChannels, using: &generator)
        norm2 = GroupNorm(groupCount: outputChannels / groupSize, channelCount: outputChannels)
        conv2 = Conv2d(inChannels: outputChannels, outChannels: outputChannels, kernelSize: 3, padding: 1, using: &generator)
        // The residual branch starts small, as the reference zero-initializes its last convolution.
        conv2.weight.value = conv2.weight.value * 0.1
        skip = inputChannels == outputChannels ? nil
            : Conv2d(inChannels: inputChannels, outChannels: outputChannels, kernelSize: 1, using: &generator)
        self.groupSize = groupSize
    }

    /// `norm1`, `conv1`, `embedding`, `norm2`, `conv2` (while the branch is there) and, when
    /// present, `skip`.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = hasBranch
            ? [("norm1", norm1), ("conv1", conv1), ("embedding", embedding), ("norm2", norm2), ("conv2", conv2)] : []
        if let skip { result.append(("skip", skip)) }
        return result
    }

    /// The inner channel count (a multiple of ``groupSize``; 0 once the branch is removed).
    public var innerChannels: Int { hasBranch ? conv1.outputChannels : 0 }

    /// The input channel count.
    public var inputChannels: Int { conv1.inputChannels }

    /// The output channel count.
    public var outputChannels: Int { conv2.outputChannels }

    /// The block's output for `input` `[batch, c, h, w]` and `embedding` `[batch, e]`, with an
    /// optional per-sample inner-channel mask `[batch, innerChannels]` and depth gate `[batch]`.
    public func callAsFunction(_ input: Tensor, embedding e: Tensor, widthMask: Tensor? = nil, depthGate: Tensor? = nil) -> Tensor {
        guard hasBranch else { return skip.map { $0(input) } ?? input }
        let batch = input.shape[0]
        var h = conv1(norm1(input).silu())
        let film = embedding(e.silu()).reshaped(to: [batch, 2 * innerChannels, 1, 1])
        let scale = film.sliced(alongAxis: 1, from: 0, count: innerChannels)
        let shift = film.sliced(alongAxis: 1, from: innerChannels, count: innerChannels)
        h = (norm2(h) * (scale + 1) + shift).silu()
        if let widthMask { h = h * widthMask.reshaped(to: [batch, innerChannels, 1, 1]) }
        h = conv2(h)
        if let depthGate { h = h * depthGate.reshaped(to: [batch, 1, 1, 1]) }
        return (skip.map { $0(input) } ?? input) + h
    }

    /// Keeps the inner GroupNorm groups at `groups` (indices into the current groups, any order),
    /// shrinking `conv1`'s rows, the FiLM rows, `norm2` and `conv2`'s input columns.
    ///
    /// - Precondition: the branch is there; at least one group, every index a current group,
    ///   none twice.
    public func keepGroups(_ groups: [Int]) {
        let kept = groups.sorted()
        precondition(hasBranch && !kept.isEmpty && Set(kept).count == kept.count && kept.allSatisfy { $0 >= 0 && $0 < norm2.groupCount },
                     "DiffusionResidualBlock.keepGroups: \(groups) are not distinct groups of 0..<\(norm2.groupCount)")
        let channels = kept.flatMap { g in (g * groupSize)..<((g + 1) * groupSize) }
        let width = innerChannels
        withoutGradients {
            conv1.weight.value = conv1.weight.value.indexSelect(channels, alongAxis: 0)
            conv1.bias?.value = conv1.bias!.value.indexSelect(channels, alongAxis: 0)
            embedding.weight.value = embedding.weight.value.indexSelect(channels + channels.map { $0 + width }, alongAxis: 0)
            embedding.bias?.value = embedding.bias!.value.indexSelect(channels + channels.map { $0 + width }, alongAxis: 0)
            let norm = GroupNorm(groupCount: kept.count, channelCount: channels.count, epsilon: norm2.epsilon)
            norm.weight?.value = norm2.weight!.value.indexSelect(channels, alongAxis: 0)
            norm.bias?.value = norm2.bias!.value.indexSelect(channels, alongAxis: 0)
            norm2 = norm
            conv2.weight.value = conv2.weight.value.indexSelect(channels, alongAxis: 1)
        }
    }

    /// Removes the residual branch (what a depth gate of 0 computes): the block becomes `skip(x)`
    /// and its branch parameters leave ``children``.
    public func removeBranch() { hasBranch = false }
}
