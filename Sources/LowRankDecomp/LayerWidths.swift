import ModelZoo

/// The widths MoDeGPT gives one decoder layer: the MLP width, the rotary pairs kept per
/// key–value head, and the value dimension per head.
public struct LayerWidths: Sendable, Equatable, Codable {
    /// The MLP width (`intermediate_size` of the layer).
    public var intermediateSize: Int
    /// The rotary pairs kept per query/key head (half the query/key head dimension).
    public var rotaryPairCount: Int
    /// The value (and o_proj input) dimension per head.
    public var valueHeadDimension: Int

    /// Widths from their values.
    public init(intermediateSize: Int, rotaryPairCount: Int, valueHeadDimension: Int) {
        self.intermediateSize = intermediateSize
        self.rotaryPairCount = rotaryPairCount
        self.valueHeadDimension = valueHeadDimension
    }

    /// The current widths of a layer.
    public init(_ dimensions: LlamaLayerDimensions) {
        self.init(
            intermediateSize: dimensions.intermediateSize, rotaryPairCount: dimensions.rotaryPairs.first?.count ?? 0,
            valueHeadDimension: dimensions.valueHeadDimension)
    }

    /// The widths that remove a fraction `sparsity` of a layer's block parameters (its seven
    /// projections and two norms) by shrinking only the `modules` types, all by the same
    /// fraction — the paper uses one keep ratio per layer for the MLP width and the per-head
    /// query–key and value–output ranks.
    ///
    /// With `B` the block parameters and `M` those of the enabled module types, each enabled
    /// width keeps `1 − s` of itself with `s = min(1, sparsity · B / M)`, rounded to the nearest
    /// unit (channels, pairs, value dimensions) and at least one. With all three types `s` is
    /// slightly above `sparsity` (the norms are never removed); with the MLP alone it is about
    /// `1.33 · sparsity` on a LLaMA layer.
    ///
    /// - Parameters:
    ///   - sparsity: the fraction of block parameters to remove, in `[0, 1)`.
    ///   - dimensions: the layer's current widths (no residual index lists).
    ///   - hiddenSize: `d`.
    ///   - modules: the types that shrink.
    public init(removing sparsity: Double, of dimensions: LlamaLayerDimensions, hiddenSize: Int, modules: MoDeGPTModules) {
        let current = LayerWidths(dimensions)
        let (heads, keyValueHeads) = (dimensions.headCount, dimensions.keyValueHeadCount)
        // Parameters per unit of each width.
        let perChannel = 3 * hiddenSize
        let perPair = 2 * (heads + keyValueHeads) * hiddenSize
        let perValueDimension = (heads + keyValueHeads) * hiddenSize
        let mlp = current.intermediateSize * perChannel
        let keyQuery = current.rotaryPairCount * perPair
        let valueOutput = current.valueHeadDimension * perValueDimension
        let block = mlp + keyQuery + valueOutput + 2 * hiddenSize
        let enabled = (modules.contains(.mlp) ? mlp : 0) + (modules.contains(.keyQuery) ? keyQuery : 0)
            + (modules.contains(.valueOutput) ? valueOutput : 0)
        let shrink = enabled > 0 ? Swift.min(1, sparsity * Double(block) / Double(enabled)) : 0
        func kept(_ width: Int, _ type: MoDeGPTModules) -> Int {
            guard modules.contains(type) else { return width }
            return Swift.max(1, Swift.min(width, Int(((1 - shrink) * Double(width)).rounded())))
        }
        self.init(
            intermediateSize: kept(current.intermediateSize, .mlp),
            rotaryPairCount: kept(current.rotaryPairCount, .keyQuery),
            valueHeadDimension: kept(current.valueHeadDimension, .valueOutput))
    }

    /// The block parameters of a layer with these widths: `H`/`K` heads of the layer,
    /// hidden size `d`, no residual index lists.
    public func blockParameterCount(headCount: Int, keyValueHeadCount: Int, hiddenSize: Int) -> Int {
        let d = hiddenSize
        return 3 * intermediateSize * d + 2 * rotaryPairCount * (headCount + keyValueHeadCount) * d
            + valueHeadDimension * (headCount + keyValueHeadCount) * d + 2 * d
    }
}
