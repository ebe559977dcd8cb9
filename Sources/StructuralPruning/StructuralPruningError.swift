/// Why a structural-pruning call rejected its input. Every case names the field and the value
/// at fault.
public enum StructuralPruningError: Error, Equatable, CustomStringConvertible {
    /// A budget (kept fraction) outside (0, 1).
    case budgetOutOfRange(field: String, value: Double)
    /// A numeric setting outside its valid range.
    case invalidSetting(field: String, value: Double, expected: String)
    /// A gate set entry with a non-positive width or a repeated name.
    case invalidGate(name: String, reason: String)
    /// Masks or logits whose number or widths do not match the gate set.
    case maskShapeMismatch(gate: String, expected: Int, actual: Int)
    /// A hard mask that keeps nothing of a structure.
    case emptyStructure(gate: String)
    /// A model that is already pruned where a dense model is needed.
    case modelAlreadyPruned(layer: Int, field: String)
    /// Calibration or training text shorter than one window.
    case textTooShort(field: String, tokens: Int, needed: Int)
    /// A weight the cost model cannot account for: no convolution or linear layer used it in
    /// the recorded forward pass (a layer type the model runs by hand).
    case unsupportedLayer(parameter: String, shape: [Int])
    /// A condition vector of the wrong size for a conditional controller.
    case conditionShapeMismatch(expected: Int, actual: [Int])

    /// A sentence naming the field and the problem.
    public var description: String {
        switch self {
        case .budgetOutOfRange(let field, let value):
            "\(field) = \(value) is not a kept fraction in (0, 1)"
        case .invalidSetting(let field, let value, let expected):
            "\(field) = \(value) is invalid: expected \(expected)"
        case .invalidGate(let name, let reason):
            "gate '\(name)': \(reason)"
        case .maskShapeMismatch(let gate, let expected, let actual):
            "gate '\(gate)': expected \(expected) entries, got \(actual)"
        case .emptyStructure(let gate):
            "gate '\(gate)': the hard mask keeps no element (every structure must keep at least one)"
        case .modelAlreadyPruned(let layer, let field):
            "layer \(layer) already has \(field); start from a dense model"
        case .textTooShort(let field, let tokens, let needed):
            "\(field): \(tokens) tokens, but at least \(needed) are needed for one window"
        case .unsupportedLayer(let parameter, let shape):
            "parameter '\(parameter)' \(shape) was not used by any Conv2d or Linear layer in the forward pass; its cost cannot be counted (run it through those layers, or count it yourself)"
        case .conditionShapeMismatch(let expected, let actual):
            "condition \(actual) must be [batch, \(expected)]"
        }
    }
}
