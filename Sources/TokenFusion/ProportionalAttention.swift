import Foundation
import PruningCore

/// ToMe's proportional attention (Bolya et al., 2023, §3.2; `ToMeAttention` in
/// `tome/patch/timm.py`): `softmax(q kᵀ / √d + log s)`, the log size of each *key* added to its
/// logits, so that a token standing for `s` original tokens is attended to as if it were there
/// `s` times.
///
/// Padding keys are excluded as usual. With every size 1 the bias is zero and attention is
/// unchanged.
public enum ProportionalAttention {
    /// The attention mask for the current tokens, broadcastable to `[batch, heads, tokens,
    /// tokens]`.
    ///
    /// - Parameters:
    ///   - sizes: the token sizes `[batch, tokens]`, or nil for plain attention.
    ///   - validLengths: the number of real tokens of each row (the rest are padding keys).
    ///   - tokenCount: the number of tokens.
    /// - Returns: an additive mask `[batch, 1, 1, tokens]` holding `log s` (−∞ on padding) when
    ///   `sizes` is given; otherwise a boolean key-padding mask, or nil when nothing is padding.
    public static func mask(sizes: Tensor?, validLengths: [Int], tokenCount: Int) -> AttentionMask? {
        guard let sizes else {
            if validLengths.allSatisfy({ $0 == tokenCount }) { return nil }
            return .keyPadding(validLengths: validLengths, keyLength: tokenCount)
        }
        precondition(sizes.shape == [validLengths.count, tokenCount],
                     "ProportionalAttention: sizes \(sizes.shape) should be [\(validLengths.count), \(tokenCount)]")
        let bias = Tensor(shape: [validLengths.count, 1, 1, tokenCount]) { out in
            sizes.withUnsafeBufferPointer { s in
                for (b, length) in validLengths.enumerated() {
                    for t in 0..<tokenCount {
                        let i = b * tokenCount + t
                        out[i] = t < length ? Foundation.log(s[i]) : -.infinity
                    }
                }
            }
        }
        return .additive(bias)
    }

    /// The attention of the class token (query 0) over the keys, averaged over heads, `[batch,
    /// tokens]` — EViT's token scores (Liang et al., 2022, arXiv:2202.07800).
    ///
    /// Computed as `Tensor/scaledDotProductAttention(query:key:value:mask:scale:isCausal:)`
    /// computes its weights, so it is the attention the layer actually used; differentiable.
    ///
    /// - Parameters:
    ///   - query: per-head queries `[batch, heads, tokens, headDim]`.
    ///   - key: per-head keys `[batch, heads, tokens, headDim]`.
    ///   - mask: the layer's key mask `[batch, 1, 1, tokens]` (see
    ///     ``mask(sizes:validLengths:tokenCount:)``).
    public static func classAttention(query: Tensor, key: Tensor, mask: AttentionMask?) -> Tensor {
        precondition(query.rank == 4 && key.shape == query.shape,
                     "ProportionalAttention.classAttention: query \(query.shape) and key \(key.shape) must be the same [batch, heads, tokens, headDim]")
        let (batch, heads, tokens, width) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let classQuery = query.sliced(alongAxis: 2, from: 0, count: 1) * (1 / Float(width).squareRoot())
        var scores = classQuery.matmul(key, transposingOther: true)  // [batch, heads, 1, tokens]
        switch mask {
        case .additive(let bias)?: scores = scores + bias
        case .boolean(let allowed)?: scores = scores.maskedFill(allowed .== 0, with: -.infinity)
        case nil: break
        }
        precondition(scores.shape == [batch, heads, 1, tokens],
                     "ProportionalAttention.classAttention: the mask must be a key mask [batch, 1, 1, \(tokens)]")
        return scores.softmax(alongAxis: -1).mean(alongAxis: 1).reshaped(to: [batch, tokens])
    }
}
