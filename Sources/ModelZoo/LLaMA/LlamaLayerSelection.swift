/// What to keep of one decoder layer when building a physically smaller model with
/// ``LlamaModel/selecting(_:)``. Every field left nil keeps that structure whole.
///
/// Indices are positions in the layer's current widths, in the order the kept rows or columns
/// take in the new model (for a dense layer, the dense indices themselves).
///
/// - ``intermediateIndices``: MLP neurons — rows of `gate_proj` and `up_proj`, columns of
///   `down_proj`.
/// - ``rotaryPairs``: rotary pairs of each query/key head — one list shared by every key–value
///   head or one per key–value head, of equal length; applied to the rows of `k_proj` of that
///   head and of `q_proj` of its query heads, both dimensions of each pair; the kept rotary
///   frequencies follow.
/// - ``valueDimensions``: value dimensions of each head — one shared list or one per key–value
///   head, of equal length; rows of `v_proj` of that head and columns of `o_proj` of its query
///   heads.
/// - ``queryHeads``: whole query heads — rows of `q_proj` and columns of `o_proj` of those heads;
///   every key–value head keeps the same number of its query heads (the grouped-query layout
///   needs equal groups), and the key–value heads stay.
/// - The four index lists: residual dimensions read or written by the sub-blocks (DISP-LLM's
///   S1, S2, S3, S5; see ``LlamaLayerConfiguration``) — columns of q/k/v_proj, rows of o_proj,
///   columns of gate/up_proj, rows of down_proj.
public struct LlamaLayerSelection: Sendable, Equatable {
    /// Kept MLP neurons.
    public var intermediateIndices: [Int]?
    /// Kept rotary pairs per key–value head (one shared list, or one per head).
    public var rotaryPairs: [[Int]]?
    /// Kept value dimensions per key–value head (one shared list, or one per head).
    public var valueDimensions: [[Int]]?
    /// Kept query heads, in increasing order, the same number from every key–value group.
    public var queryHeads: [Int]?
    /// Kept attention input dimensions (S1).
    public var attentionInputIndices: [Int]?
    /// Kept attention output dimensions (S2).
    public var attentionOutputIndices: [Int]?
    /// Kept MLP input dimensions (S3).
    public var mlpInputIndices: [Int]?
    /// Kept MLP output dimensions (S5).
    public var mlpOutputIndices: [Int]?

    /// A selection; with no arguments, the whole layer.
    public init(
        intermediateIndices: [Int]? = nil, rotaryPairs: [[Int]]? = nil, valueDimensions: [[Int]]? = nil,
        queryHeads: [Int]? = nil, attentionInputIndices: [Int]? = nil, attentionOutputIndices: [Int]? = nil,
        mlpInputIndices: [Int]? = nil, mlpOutputIndices: [Int]? = nil
    ) {
        self.intermediateIndices = intermediateIndices
        self.rotaryPairs = rotaryPairs
        self.valueDimensions = valueDimensions
        self.queryHeads = queryHeads
        self.attentionInputIndices = attentionInputIndices
        self.attentionOutputIndices = attentionOutputIndices
        self.mlpInputIndices = mlpInputIndices
        self.mlpOutputIndices = mlpOutputIndices
    }
}
