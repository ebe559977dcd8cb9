import PruningCore

/// A pruning agent that reads its peer's architecture: the logits of its own gates are free
/// per-gate values plus a function of the peer's current gate vector,
/// `o_i = b_i + H_i · tanh(W · m_peer + c)` — the generator's agent reads the discriminator's
/// mask and the discriminator's agent the generator's, so each proposes an architecture that
/// fits the other's capacity (manifold-guided GAN compression's `genG` and `genD`; the paper
/// gives no architecture for them, this one is ours).
///
/// Parameters: `base.<i>` (`[width_i]`, zero at start, so every gate starts at the
/// relaxation's offset), `condition.weight`/`condition.bias` (`[hidden, peerWidth]`), and
/// `heads.<i>.weight` (`[width_i, hidden]`).
public final class PeerConditionedController: Module {
    /// The gates.
    public let gates: GateSet
    /// The size of the peer's gate vector.
    public let peerWidth: Int
    /// The free part of every gate's logits.
    public let base: [Parameter]
    /// The map from the peer's mask to the hidden code.
    public let condition: Linear
    /// One head per gate from the hidden code.
    public let heads: [Linear]
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A controller for `gates` reading a peer mask of `peerWidth` entries through `hidden`
    /// units; the heads start at standard deviation `headScale / √hidden`.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive peer width or hidden size.
    public init(gates: GateSet, peerWidth: Int, hidden: Int = 32, headScale: Float = 1, using generator: inout RandomGenerator) throws(StructuralPruningError) {
        guard peerWidth > 0 else { throw .invalidSetting(field: "peerWidth", value: Double(peerWidth), expected: "a positive size") }
        guard hidden > 0 else { throw .invalidSetting(field: "hidden", value: Double(hidden), expected: "a positive size") }
        self.gates = gates
        self.peerWidth = peerWidth
        base = gates.gates.map { Parameter(Tensor.zeros([$0.width])) }
        condition = Linear(inputCount: peerWidth, outputCount: hidden, bias: true, using: &generator)
        let scale = headScale / Float(hidden).squareRoot()
        heads = gates.gates.map {
            Linear(weight: Tensor.randomNormal([$0.width, hidden], standardDeviation: scale, using: &generator), bias: nil)
        }
    }

    /// `base.<i>`.
    public var ownParameters: [(String, Parameter)] { base.enumerated().map { ("base.\($0.offset)", $0.element) } }

    /// `condition`, `heads.<i>`.
    public var children: [(String, any Module)] {
        [("condition", condition as any Module)] + heads.enumerated().map { ("heads.\($0.offset)", $0.element as any Module) }
    }

    /// One logit vector `[width_i]` per gate for the peer's gate vector `[peerWidth]`.
    ///
    /// - Throws: ``StructuralPruningError/conditionShapeMismatch(expected:actual:)``.
    public func logits(peer: Tensor) throws(StructuralPruningError) -> [Tensor] {
        guard peer.count == peerWidth else { throw .conditionShapeMismatch(expected: peerWidth, actual: peer.shape) }
        let code = condition(peer.reshaped(to: [1, peerWidth])).tanh()
        return zip(base, heads).map { base, head in base.value + head(code).reshaped(to: [head.outputCount]) }
    }
}
