import PruningCore

/// The SwiGLU feed-forward sub-block of a LLaMA layer (Shazeer, 2020, "GLU Variants Improve
/// Transformer", arXiv 2002.05202): `down_proj(silu(gate_proj(x)) · up_proj(x))`, no biases.
///
/// Children `gate_proj` and `up_proj` `[intermediate, input]`, `down_proj`
/// `[output, intermediate]`, named as in Hugging Face's `LlamaMLP`. Input `[..., input]`,
/// output `[..., output]`; input and output widths differ only in a pruned layer whose MLP reads
/// and writes different residual dimensions.
public final class LlamaMLP: Module {
    /// `gate_proj`, `[intermediateSize, inputCount]`.
    public let gateProjection: Linear
    /// `up_proj`, `[intermediateSize, inputCount]`.
    public let upProjection: Linear
    /// `down_proj`, `[outputCount, intermediateSize]`.
    public let downProjection: Linear
    /// Whether the module is in training mode (no effect: the MLP has no dropout).
    public var isTraining = true

    /// An MLP holding the given weights.
    ///
    /// - Parameters:
    ///   - gate: `[intermediate, input]`.
    ///   - up: `[intermediate, input]`.
    ///   - down: `[output, intermediate]`.
    public init(gate: Tensor, up: Tensor, down: Tensor) {
        precondition(
            gate.rank == 2 && gate.shape == up.shape && down.rank == 2 && down.shape[1] == gate.shape[0],
            "LlamaMLP: gate \(gate.shape), up \(up.shape) and down \(down.shape) do not form [I, in], [I, in], [out, I]")
        gateProjection = Linear(weight: gate)
        upProjection = Linear(weight: up)
        downProjection = Linear(weight: down)
    }

    /// The MLP width.
    public var intermediateSize: Int { gateProjection.outputCount }

    /// The projections, named as in Hugging Face LLaMA.
    public var children: [(String, any Module)] {
        [("gate_proj", gateProjection), ("up_proj", upProjection), ("down_proj", downProjection)]
    }

    /// The MLP applied to `x` `[batch, length, input]`, giving `[batch, length, output]`.
    ///
    /// - Parameters:
    ///   - x: the input `[batch, length, input]`.
    ///   - hook: observes or replaces ``LlamaActivationKind/gateActivation``,
    ///     ``LlamaActivationKind/upProjection`` and ``LlamaActivationKind/mlpIntermediate``.
    ///   - layer: the block index reported to the hook.
    public func callAsFunction(_ x: Tensor, hook: LlamaActivationHook? = nil, layer: Int = 0) -> Tensor {
        let gate = hook.apply(gateProjection(x).silu(), .gateActivation, layer: layer)
        let up = hook.apply(upProjection(x), .upProjection, layer: layer)
        let intermediate = hook.apply(gate * up, .mlpIntermediate, layer: layer)
        return downProjection(intermediate)
    }
}
