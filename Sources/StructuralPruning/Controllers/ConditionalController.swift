import PruningCore

/// A controller that maps a condition vector to logits for every gate through one linear map
/// (with bias) per gate — APTP's architecture predictor, which reads a prompt embedding and
/// proposes an architecture for that prompt.
///
/// Parameters are named `heads.<i>.weight` and `heads.<i>.bias`.
public final class ConditionalController: ConditionalMaskController {
    /// The gates.
    public let gates: GateSet
    /// The size of one condition vector.
    public let conditionSize: Int
    /// One linear head per gate, `[width_i, conditionSize]`.
    public let heads: [Linear]
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A controller for `gates` reading conditions of `conditionSize` values.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive condition size.
    public init(gates: GateSet, conditionSize: Int, using generator: inout RandomGenerator) throws(StructuralPruningError) {
        guard conditionSize > 0 else {
            throw .invalidSetting(field: "conditionSize", value: Double(conditionSize), expected: "a positive size")
        }
        self.gates = gates
        self.conditionSize = conditionSize
        heads = gates.gates.map { Linear(inputCount: conditionSize, outputCount: $0.width, bias: true, using: &generator) }
    }

    /// `heads.<i>`.
    public var children: [(String, any Module)] { heads.enumerated().map { ("heads.\($0.offset)", $0.element as any Module) } }

    /// One logit tensor `[batch, width_i]` per gate.
    public func logits(condition: Tensor) throws(StructuralPruningError) -> [Tensor] {
        guard condition.rank == 2, condition.shape[1] == conditionSize else {
            throw .conditionShapeMismatch(expected: conditionSize, actual: condition.shape)
        }
        return heads.map { $0(condition) }
    }
}
