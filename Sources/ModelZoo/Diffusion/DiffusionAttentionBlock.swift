import PruningCore

/// Multi-head self-attention over the positions of a feature map, with a residual connection
/// (the attention block of diffusion U-Nets): `x + proj(attention(qkv(GN(x))))`, tokens being
/// the `h · w` positions.
///
/// Gate site (per sample): a **head** mask `[batch, heads]` multiplying each head's output
/// before the projection, so a zero removes the head's `qkv` rows and `proj` columns.
/// Parameters: `norm`, `qkv` (`[3 · heads · d, c]`), `proj` (`[c, heads · d]`).
public final class DiffusionAttentionBlock: Module {
    /// GroupNorm of the input.
    public let norm: GroupNorm
    /// The fused query/key/value projection, `[3 · heads · headDimension, channels]`.
    public let qkv: Linear
    /// The output projection, `[channels, heads · headDimension]`.
    public let proj: Linear
    /// The size of one head.
    public let headDimension: Int
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A block over `channels` with `heads` heads and GroupNorm groups of `groupSize`.
    public init(channels: Int, heads: Int, groupSize: Int, using generator: inout RandomGenerator) {
        precondition(heads >= 1 && channels % heads == 0 && channels % groupSize == 0,
                     "DiffusionAttentionBlock: \(heads) heads and groups of \(groupSize) must divide \(channels) channels")
        norm = GroupNorm(groupCount: channels / groupSize, channelCount: channels)
        qkv = Linear(inputCount: channels, outputCount: 3 * channels, using: &generator)
        proj = Linear(inputCount: channels, outputCount: channels, using: &generator)
        proj.weight.value = proj.weight.value * 0.1
        headDimension = channels / heads
    }

    /// `norm`, `qkv`, `proj`.
    public var children: [(String, any Module)] { [("norm", norm), ("qkv", qkv), ("proj", proj)] }

    /// The number of heads (changes when heads are pruned).
    public var headCount: Int { qkv.outputCount / (3 * headDimension) }

    /// The block's output for `input` `[batch, c, h, w]` with an optional head mask `[batch, heads]`.
    public func callAsFunction(_ input: Tensor, headMask: Tensor? = nil) -> Tensor {
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let tokens = height * width
        let heads = headCount
        let sequence = norm(input).reshaped(to: [batch, channels, tokens]).transposed(1, 2)
        let projected = qkv(sequence).reshaped(to: [batch, tokens, 3, heads, headDimension]).permuted([2, 0, 3, 1, 4])
        let parts = projected.chunked(into: 3, alongAxis: 0).map { $0.squeezed(at: 0) }
        var attended = Tensor.scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2], mask: nil)
        if let headMask { attended = attended * headMask.reshaped(to: [batch, heads, 1, 1]) }
        let merged = attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, tokens, heads * headDimension])
        return input + proj(merged).transposed(1, 2).reshaped(to: [batch, channels, height, width])
    }

    /// Keeps the heads at `heads` (any order), shrinking `qkv`'s rows and `proj`'s columns.
    ///
    /// - Precondition: at least one head, every index a current head, none twice.
    public func keepHeads(_ heads: [Int]) {
        let kept = heads.sorted()
        let count = headCount
        precondition(!kept.isEmpty && Set(kept).count == kept.count && kept.allSatisfy { $0 >= 0 && $0 < count },
                     "DiffusionAttentionBlock.keepHeads: \(heads) are not distinct heads of 0..<\(count)")
        let d = headDimension
        let columns = kept.flatMap { h in (h * d)..<((h + 1) * d) }
        let rows = (0..<3).flatMap { part in columns.map { part * count * d + $0 } }
        withoutGradients {
            qkv.weight.value = qkv.weight.value.indexSelect(rows, alongAxis: 0)
            qkv.bias?.value = qkv.bias!.value.indexSelect(rows, alongAxis: 0)
            proj.weight.value = proj.weight.value.indexSelect(columns, alongAxis: 1)
        }
    }
}
