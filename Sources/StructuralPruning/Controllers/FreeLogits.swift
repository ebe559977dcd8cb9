import PruningCore

/// A controller whose logits are free parameters, one vector per gate (interpretation-steered
/// pruning's `Simplified_Gate`; DISP-LLM's "no hypernetwork" ablation).
///
/// Parameters are named `logits.<gate index>`.
public final class FreeLogits: MaskController {
    /// The gates.
    public let gates: GateSet
    /// One parameter `[width]` per gate.
    public let values: [Parameter]
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// Logits initialized to `initialValue` plus `standardDeviation` times standard normal noise
    /// (interpretation-steered pruning: 0 and 1; 0 and 0 start every gate at the relaxation's
    /// offset alone).
    public init(gates: GateSet, initialValue: Float = 0, standardDeviation: Float = 0, using generator: inout RandomGenerator) {
        self.gates = gates
        values = gates.gates.map { gate in
            Parameter(Tensor.randomNormal([gate.width], mean: initialValue, standardDeviation: standardDeviation, using: &generator))
        }
    }

    /// `logits.0`, `logits.1`, …
    public var ownParameters: [(String, Parameter)] { values.enumerated().map { ("logits.\($0.offset)", $0.element) } }

    /// The parameter values.
    public func logits() -> [Tensor] { values.map(\.value) }
}
