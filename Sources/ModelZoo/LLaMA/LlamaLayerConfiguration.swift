/// The overrides of one decoder layer of a pruned LLaMA model; every field left nil keeps the
/// dense value of ``LlamaConfiguration``.
///
/// The fields cover the structures the pruning methods of this package remove:
/// - MLP neurons: ``intermediateSize`` (MoDeGPT's Nyström step, DISP-LLM's S4);
/// - query/key dimensions in rotary pairs: ``rotaryPairs`` lists the kept rotary frequencies of
///   each key–value head (MoDeGPT's CR step keeps the same pairs for a key head and its query
///   heads, and the rotary tables must be gathered with them);
/// - value/output dimensions: ``valueHeadDimension`` (MoDeGPT's SVD step);
/// - residual-stream dimensions: the four index lists (DISP-LLM, Gao et al., 2024, arXiv
///   2410.11988). The residual stream keeps the full width d; the block normalizes it at full
///   width, the attention reads the dimensions ``attentionInputIndices`` (S1) of the normalized
///   vector and its o_proj output is added back to the dimensions ``attentionOutputIndices``
///   (S2) — `h.index_add(−1, S2, o_proj(attn))` — and likewise the MLP reads
///   ``mlpInputIndices`` (S3) and writes ``mlpOutputIndices`` (S5). The projections then have
///   `|S1|` input columns, `|S2|` output rows and so on; the norms stay full width.
/// - heads: ``headCount`` and ``keyValueHeadCount`` (whole-head pruning).
///
/// All index lists hold distinct indices; their order is the order of the weight columns or
/// rows they describe.
public struct LlamaLayerConfiguration: Codable, Sendable, Equatable {
    /// The number of query heads (nil: the dense count).
    public var headCount: Int?
    /// The number of key–value heads (nil: the dense count).
    public var keyValueHeadCount: Int?
    /// The kept rotary pairs, as indices `j` into the dense frequencies `θ^(−2j / headDimension)`:
    /// one list shared by every key–value head, or one list per key–value head, all of the same
    /// length m. Each query/key head then has `2m` dimensions, laid out for the model's pairing:
    /// for ``LlamaConfiguration/RopePairing/halves`` the head holds dense dimensions
    /// `[j₀, …, j_{m−1}, j₀ + d/2, …, j_{m−1} + d/2]`, for
    /// ``LlamaConfiguration/RopePairing/interleaved`` `[2j₀, 2j₀ + 1, 2j₁, 2j₁ + 1, …]`
    /// (see ``LlamaTensorNaming/headDimensions(keepingPairs:headDimension:pairing:)``).
    /// nil: all pairs in order.
    public var rotaryPairs: [[Int]]?
    /// The value size of each head, which is also the o_proj input size per head (nil: the
    /// dense head dimension).
    public var valueHeadDimension: Int?
    /// The MLP width (nil: the dense width).
    public var intermediateSize: Int?
    /// S1: the residual dimensions the attention reads (nil: all, in order).
    public var attentionInputIndices: [Int]?
    /// S2: the residual dimensions the attention output is added to (nil: all, in order).
    public var attentionOutputIndices: [Int]?
    /// S3: the residual dimensions the MLP reads (nil: all, in order).
    public var mlpInputIndices: [Int]?
    /// S5: the residual dimensions the MLP output is added to (nil: all, in order).
    public var mlpOutputIndices: [Int]?

    /// A layer with the given overrides; with no arguments, a dense layer.
    public init(
        headCount: Int? = nil, keyValueHeadCount: Int? = nil, rotaryPairs: [[Int]]? = nil,
        valueHeadDimension: Int? = nil, intermediateSize: Int? = nil,
        attentionInputIndices: [Int]? = nil, attentionOutputIndices: [Int]? = nil,
        mlpInputIndices: [Int]? = nil, mlpOutputIndices: [Int]? = nil
    ) {
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount
        self.rotaryPairs = rotaryPairs
        self.valueHeadDimension = valueHeadDimension
        self.intermediateSize = intermediateSize
        self.attentionInputIndices = attentionInputIndices
        self.attentionOutputIndices = attentionOutputIndices
        self.mlpInputIndices = mlpInputIndices
        self.mlpOutputIndices = mlpOutputIndices
    }

    /// JSON keys in the snake case of Hugging Face configurations.
    enum CodingKeys: String, CodingKey {
        case headCount = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads"
        case rotaryPairs = "rotary_pairs"
        case valueHeadDimension = "value_head_dim"
        case intermediateSize = "intermediate_size"
        case attentionInputIndices = "attention_input_indices"
        case attentionOutputIndices = "attention_output_indices"
        case mlpInputIndices = "mlp_input_indices"
        case mlpOutputIndices = "mlp_output_indices"
    }
}
