import PruningCore

/// A place inside a decoder block where an intermediate tensor can be observed or replaced.
///
/// Shapes use b = batch, t = new tokens, d = hidden size, and the layer's widths (see
/// ``LlamaLayerDimensions``): H query heads, K key–value heads, q/k head size `dq`, value head
/// size `dv`, MLP width `I`; `|S|` is the length of an index list (the full width when nil).
public enum LlamaActivationKind: String, CaseIterable, Hashable, Sendable {
    /// The residual stream entering the block, `[b, t, d]`.
    case blockInput
    /// The input of q/k/v_proj: `input_layernorm(h)` restricted to the attention input indices,
    /// `[b, t, |S1|]`.
    case attentionInput
    /// q_proj output split into heads, before the rotary embedding, `[b, H, t, dq]`.
    case query
    /// k_proj output split into heads, before the rotary embedding, `[b, K, t, dq]`.
    case key
    /// v_proj output split into heads, `[b, K, t, dv]`.
    case value
    /// The attention result with heads merged, the input of o_proj, `[b, t, H · dv]`.
    case attentionOutput
    /// The o_proj output, before it is added to the residual stream, `[b, t, |S2|]`.
    case attentionProjection
    /// The residual stream after the attention sub-block, `[b, t, d]`.
    case attentionResidual
    /// The input of gate/up_proj: `post_attention_layernorm(h)` restricted to the MLP input
    /// indices, `[b, t, |S3|]`.
    case mlpInput
    /// `silu(gate_proj(x))`, `[b, t, I]`.
    case gateActivation
    /// `up_proj(x)`, `[b, t, I]`.
    case upProjection
    /// `silu(gate_proj(x)) · up_proj(x)`, the input of down_proj, `[b, t, I]`.
    case mlpIntermediate
    /// The down_proj output, before it is added to the residual stream, `[b, t, |S5|]`.
    case mlpOutput
    /// The residual stream leaving the block, `[b, t, d]`.
    case blockOutput
}

/// A callback the forward pass invokes at chosen places of chosen blocks (see
/// ``LlamaActivationKind``), to record intermediates (calibration statistics, capture) or to
/// replace them (soft masks while learning what to prune).
///
/// The body receives the layer, the kind and the tensor, and returns nil to leave the tensor
/// as it is or a tensor of the same shape to use instead. Places not listed cost one set lookup
/// and nothing else; observed tensors are not copied (tensors are copy-on-write).
///
/// ```swift
/// var inputs: [Tensor] = []
/// let hook = LlamaActivationHook(kinds: [.mlpIntermediate], layers: [4]) { _, _, x in
///     inputs.append(x)
///     return nil
/// }
/// _ = model.logits(for: tokens, hook: hook)
///
/// // DISP-LLM's soft mask on the MLP input of every block:
/// let masking = LlamaActivationHook(kinds: [.mlpInput]) { layer, _, x in x * masks[layer] }
/// ```
public struct LlamaActivationHook {
    /// The places the body is called at.
    public var kinds: Set<LlamaActivationKind>
    /// The layers the body is called for; nil means all.
    public var layers: Set<Int>?
    /// The callback: `(layer, kind, tensor) -> replacement or nil`.
    public var body: (_ layer: Int, _ kind: LlamaActivationKind, _ activation: Tensor) -> Tensor?

    /// A hook calling `body` at `kinds` in `layers` (nil: every layer).
    public init(
        kinds: Set<LlamaActivationKind>, layers: Set<Int>? = nil,
        _ body: @escaping (_ layer: Int, _ kind: LlamaActivationKind, _ activation: Tensor) -> Tensor?
    ) {
        self.kinds = kinds
        self.layers = layers
        self.body = body
    }

    /// Whether the hook wants `kind` in `layer`.
    @inline(__always)
    public func observes(_ kind: LlamaActivationKind, inLayer layer: Int) -> Bool {
        kinds.contains(kind) && (layers?.contains(layer) ?? true)
    }
}

extension Optional where Wrapped == LlamaActivationHook {
    /// `activation`, or the hook's replacement for it when the hook observes this place.
    ///
    /// - Precondition: a replacement has the activation's shape.
    @inline(__always)
    func apply(_ activation: Tensor, _ kind: LlamaActivationKind, layer: Int) -> Tensor {
        guard let hook = self, hook.observes(kind, inLayer: layer) else { return activation }
        guard let replacement = hook.body(layer, kind, activation) else { return activation }
        precondition(
            replacement.shape == activation.shape,
            "LlamaActivationHook: the replacement for \(kind) of layer \(layer) has shape \(replacement.shape), expected \(activation.shape)")
        return replacement
    }
}

/// The intermediates recorded in one decoder block, by kind.
public struct LlamaLayerActivations {
    /// The block's index.
    public let layer: Int
    /// The recorded tensors.
    public internal(set) var tensors: [LlamaActivationKind: Tensor]

    /// An empty record for `layer`.
    public init(layer: Int, tensors: [LlamaActivationKind: Tensor] = [:]) {
        self.layer = layer
        self.tensors = tensors
    }

    /// The tensor recorded for `kind`, if any.
    public subscript(kind: LlamaActivationKind) -> Tensor? { tensors[kind] }
}
