import PruningCore

/// A module that produces one logit vector per gate of a ``GateSet``: the thing every learned
/// structural method trains. Each paper is a different signal (language-model loss, saliency
/// match, reward, distillation) that reaches the same controller through its logits.
///
/// Conforming types: ``FreeLogits`` (one free vector per gate), ``HyperStructure`` (the
/// bidirectional-GRU hypernetwork of DISP-LLM, Auto-Train-Once and interpretation-steered
/// pruning); ``ConditionalController`` produces logits from a condition vector instead.
public protocol MaskController: Module {
    /// The gates the logits are for.
    var gates: GateSet { get }
    /// One logit vector `[width]` per gate, in gate order (differentiable in the controller's
    /// parameters).
    func logits() -> [Tensor]
}

/// A module that maps a batch of condition vectors (a prompt embedding, say) to logits for
/// every gate, as APTP's prompt-routed architecture predictor does.
public protocol ConditionalMaskController: Module {
    /// The gates the logits are for.
    var gates: GateSet { get }
    /// The size of one condition vector.
    var conditionSize: Int { get }
    /// One logit tensor `[batch, width]` per gate for conditions `[batch, conditionSize]`.
    ///
    /// - Throws: ``StructuralPruningError/conditionShapeMismatch(expected:actual:)``.
    func logits(condition: Tensor) throws(StructuralPruningError) -> [Tensor]
}
