/// A mask restricting which keys each query may attend to, broadcastable to the score shape
/// `[batch, heads, queryLength, keyLength]`.
///
/// Two conventions are common and both are supported:
/// - ``additive(_:)``: added to the scores before the softmax (Hugging Face's 4-D attention
///   masks: `0` where attention is allowed, a large negative number or `-inf` where it is not).
/// - ``boolean(_:)``: non-zero where attention is allowed, zero where it is not (PyTorch's
///   `scaled_dot_product_attention` with a `bool` mask).
public enum AttentionMask: Sendable {
    /// Values added to the scaled scores before the softmax.
    case additive(Tensor)
    /// Non-zero where a query may attend to a key, zero where it may not.
    case boolean(Tensor)

    /// The mask tensor, whatever its convention.
    public var tensor: Tensor {
        switch self {
        case .additive(let t), .boolean(let t): t
        }
    }

    /// A boolean mask `[queryLength, keyLength]` allowing query `i` to see keys
    /// `0 ... i + keyLength − queryLength` (causal attention aligned to the end of the keys, as
    /// when the first keys come from a key–value cache).
    public static func causal(queryLength: Int, keyLength: Int) -> AttentionMask {
        .boolean(Tensor.causalDisallowed(queryLength: queryLength, keyLength: keyLength) .== 0)
    }

    /// A boolean mask `[batch, 1, 1, keyLength]` allowing, for batch row `b`, the keys
    /// `0 ..< validLengths[b]` (right padding).
    ///
    /// - Precondition: every length is in `0 ... keyLength`.
    public static func keyPadding(validLengths: [Int], keyLength: Int) -> AttentionMask {
        for length in validLengths {
            precondition(
                length >= 0 && length <= keyLength,
                "AttentionMask.keyPadding: valid length \(length) is outside 0...\(keyLength)")
        }
        let mask = Tensor(shape: [validLengths.count, 1, 1, keyLength]) { out in
            for (b, length) in validLengths.enumerated() {
                for k in 0..<keyLength { out[b * keyLength + k] = k < length ? 1 : 0 }
            }
        }
        return .boolean(mask)
    }
}

extension Tensor {
    /// A `[queryLength, keyLength]` tensor holding 1 where causal attention forbids query `i`
    /// to see key `j` (`j > i + keyLength − queryLength`), 0 elsewhere.
    static func causalDisallowed(queryLength: Int, keyLength: Int) -> Tensor {
        let shift = keyLength - queryLength
        return Tensor(shape: [queryLength, keyLength]) { out in
            for i in 0..<queryLength {
                for j in 0..<keyLength { out[i * keyLength + j] = j > i + shift ? 1 : 0 }
            }
        }
    }

    /// Scaled dot-product attention `softmax(q kᵀ · scale + mask) v`, with grouped-query
    /// attention, causal masking and padding masks.
    ///
    /// Shapes: `query [batch, heads, queryLength, headDim]`, `key [batch, kvHeads, keyLength,
    /// headDim]`, `value [batch, kvHeads, keyLength, valueDim]` → `[batch, heads, queryLength,
    /// valueDim]`.
    ///
    /// With grouped-query attention (Ainslie et al., 2023, "GQA"), `heads` is a multiple of
    /// `kvHeads` and query heads `g · group ..< (g + 1) · group` share key–value head `g`
    /// (`group = heads / kvHeads`), as Hugging Face's `repeat_kv` arranges them. The keys and
    /// values are never repeated: the queries of one group are stacked into
    /// `[batch, kvHeads, group · queryLength, headDim]` (a free reshape) and multiplied against
    /// their shared key–value head.
    ///
    /// Causal masking is aligned to the end of the keys: query `i` may see keys
    /// `0 ... i + keyLength − queryLength`, which is the usual rule when the first keys come
    /// from a ``KeyValueCache``. (PyTorch's `is_causal` aligns to the start instead; the two agree
    /// when `queryLength == keyLength`.) A query row that may see no key at all outputs zeros.
    ///
    /// Built from differentiable operations (`matmul`, `maskedFill`, `softmax`), so gradients
    /// flow to `query`, `key`, `value` and an additive mask.
    ///
    /// - Parameters:
    ///   - query: `[batch, heads, queryLength, headDim]`.
    ///   - key: `[batch, kvHeads, keyLength, headDim]`.
    ///   - value: `[batch, kvHeads, keyLength, valueDim]`.
    ///   - mask: an optional mask broadcastable to `[batch, heads, queryLength, keyLength]`.
    ///   - scale: the factor applied to `q kᵀ`; `1 / √headDim` when nil (Vaswani et al., 2017).
    ///   - isCausal: whether to apply the end-aligned causal mask.
    public static func scaledDotProductAttention(
        query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask? = nil,
        scale: Float? = nil, isCausal: Bool = false
    ) -> Tensor {
        precondition(
            query.rank == 4 && key.rank == 4 && value.rank == 4,
            "scaledDotProductAttention: query \(query.shape), key \(key.shape) and value \(value.shape) must be [batch, heads, length, dim]")
        let (batch, heads, queryLength, headDimension) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let (kvHeads, keyLength) = (key.shape[1], key.shape[2])
        let valueDimension = value.shape[3]
        precondition(
            key.shape[0] == batch && key.shape[3] == headDimension,
            "scaledDotProductAttention: key \(key.shape) does not match query \(query.shape) in batch or head dimension")
        precondition(
            value.shape[0] == batch && value.shape[1] == kvHeads && value.shape[2] == keyLength,
            "scaledDotProductAttention: value \(value.shape) does not match key \(key.shape)")
        precondition(
            kvHeads > 0 && heads % kvHeads == 0,
            "scaledDotProductAttention: \(heads) query heads (query \(query.shape)) are not a multiple of \(kvHeads) key-value heads (key \(key.shape))")
        let scoreShape = [batch, heads, queryLength, keyLength]
        if let mask {
            precondition(
                Broadcasting.shape(mask.tensor.shape, scoreShape) == scoreShape,
                "scaledDotProductAttention: mask \(mask.tensor.shape) does not broadcast to the scores \(scoreShape)")
        }
        let group = heads / kvHeads
        let factor = scale ?? 1 / Float(headDimension).squareRoot()

        // [batch, kvHeads, group · queryLength, headDim] · [batch, kvHeads, keyLength, headDim]ᵀ.
        let groupedQuery = (query * factor).reshaped(to: [batch, kvHeads, group * queryLength, headDimension])
        var scores = groupedQuery.matmul(key, transposingOther: true).reshaped(to: scoreShape)

        // A single query (a decoding step) sees every key: nothing to mask.
        let causalMasks = isCausal && queryLength > 1
        var forbidden: Tensor?
        switch mask {
        case .additive(let additive)?:
            scores = scores + additive
        case .boolean(let allowed)?:
            forbidden = allowed .== 0
        case nil:
            break
        }
        var weights: Tensor
        if let forbidden {
            let causal = causalMasks ? causalDisallowed(queryLength: queryLength, keyLength: keyLength) : nil
            weights = scores.maskedFill(causal.map { Tensor.maximum($0, forbidden) } ?? forbidden, with: -.infinity)
                .softmax(alongAxis: -1)
        } else if causalMasks {
            // The causal rule alone needs no mask tensor: each row normalizes its visible keys.
            weights = scores.causalSoftmax(keyShift: keyLength - queryLength)
        } else {
            weights = scores.softmax(alongAxis: -1)
        }
        weights = weights.reshaped(to: [batch, kvHeads, group * queryLength, keyLength])
        return weights.matmul(value).reshaped(to: [batch, heads, queryLength, valueDimension])
    }
}
