import PruningCore
import PruningTestSupport
import Testing

/// `Tensor.packedSelfAttention(_:heads:scale:)` against the split-heads composition through
/// `scaledDotProductAttention`, and its gradient against finite differences.
@Suite struct PackedSelfAttentionTests {
    /// The composition the fused op replaces: split `[B, T, 3·H·d]` into per-head query, key
    /// and value, attend, merge the heads back.
    static func composed(_ qkv: Tensor, heads: Int, scale: Float? = nil) -> Tensor {
        let (batch, tokens, packed) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        let d = packed / (3 * heads)
        let parts = qkv.reshaped(to: [batch, tokens, 3, heads, d]).permuted([2, 0, 3, 1, 4])
            .chunked(into: 3, alongAxis: 0).map { $0.squeezed(at: 0) }
        let attended = Tensor.scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2], scale: scale)
        return attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, tokens, heads * d])
    }

    @Test("equals the split-heads composition, forward and backward",
          arguments: [(2, 7, 3, 4), (3, 50, 4, 24), (1, 1, 2, 5), (2, 9, 1, 16)])
    func matchesComposition(_ shape: (batch: Int, tokens: Int, heads: Int, dimension: Int)) {
        let qkv = testTensor([shape.batch, shape.tokens, 3 * shape.heads * shape.dimension], lower: -2, upper: 2, seed: 5)
        let seed = testTensor([shape.batch, shape.tokens, shape.heads * shape.dimension], seed: 6)
        let x = qkv.requiringGradient()
        let fused = Tensor.packedSelfAttention(x, heads: shape.heads)
        let reference = Self.composed(x, heads: shape.heads)
        expectClose(fused, reference, relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "forward \(shape)")
        let fusedGradient = fused.gradients(withRespectTo: [x], seed: seed)[0]
        let referenceGradient = reference.gradients(withRespectTo: [x], seed: seed)[0]
        expectClose(fusedGradient, referenceGradient, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "gradient \(shape)")
    }

    @Test("an explicit scale is used")
    func explicitScale() {
        let qkv = testTensor([2, 5, 12], seed: 8)
        expectClose(Tensor.packedSelfAttention(qkv, heads: 2, scale: 0.3), Self.composed(qkv, heads: 2, scale: 0.3),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("gradient agrees with finite differences")
    func gradientCheck() {
        let qkv = testTensor([2, 4, 18], seed: 9)
        checkGradients(of: { Tensor.packedSelfAttention($0[0], heads: 3) }, at: [qkv])
    }
}
