/// What one layer of a token-reduced forward pass produced, handed to the observer of
/// ``TokenFusionConfiguration/forward(_:validLengths:through:observer:)``.
///
/// Tokens are reduced between a layer's attention half and its MLP half, so a layer has two
/// points of interest: right after its reduction, where a merged token first appears on the
/// residual stream (and where ToFu's norm argument applies), and its output.
public struct LayerTrace {
    /// The layer index, from 0.
    public let layer: Int
    /// The tokens after the layer's attention half and its reduction, before its MLP half
    /// `[batch, tokens, width]`, with their sizes and padding. Equal to the attention half's
    /// output when the layer removes nothing.
    public let reduced: ReducedTokens
    /// The layer's output: ``reduced`` after the MLP half (same sizes and padding).
    public let output: ReducedTokens

    /// A trace of layer `layer` (for feeding ``FeatureNormProfile`` from another forward pass).
    public init(layer: Int, reduced: ReducedTokens, output: ReducedTokens) {
        self.layer = layer
        self.reduced = reduced
        self.output = output
    }
}
