/// One recorded operation in the autodiff graph.
///
/// A node knows the nodes of its differentiable inputs and a closure that maps the gradient of
/// the operation's output to the gradients of those inputs. A leaf (a tensor created by
/// ``Tensor/requiringGradient()``) has no inputs and no closure. Nodes refer only to their
/// inputs, never to their outputs, so a graph is freed as soon as the last tensor holding it goes.
@usableFromInline
final class GradientNode: @unchecked Sendable {
    /// The nodes this one was computed from; emptied only while the node is being freed.
    private(set) var inputs: [GradientNode?]
    /// Maps the output's gradient to the inputs' gradients; `nil` for a leaf (and while the
    /// node is being freed).
    private(set) var backward: ((Tensor) -> [Tensor?])?
    let shape: [Int]

    init(shape: [Int], inputs: [GradientNode?], backward: ((Tensor) -> [Tensor?])?) {
        self.shape = shape
        self.inputs = inputs
        self.backward = backward
    }

    var isLeaf: Bool { backward == nil }

    /// Frees a long chain of nodes with a loop instead of nested releases, so that a graph of
    /// any depth is freed without overflowing the stack: inputs held by nothing else are taken
    /// over by a work list and emptied before they are released.
    ///
    /// The backward closure goes first: it may hold the inputs' tensors, and with them a second
    /// reference to the input nodes.
    deinit {
        guard !inputs.isEmpty else { return }
        backward = nil
        var pending = inputs.compactMap { $0 }
        inputs = []
        while var node = pending.popLast() {
            guard isKnownUniquelyReferenced(&node) else { continue }
            node.backward = nil
            guard isKnownUniquelyReferenced(&node) else { continue }
            pending.append(contentsOf: node.inputs.compactMap { $0 })
            node.inputs = []
        }
    }
}

/// Whether operations are being recorded for differentiation in the current task.
///
/// Recording is on by default and happens only for operations with at least one input that
/// requires a gradient. ``withoutGradients(_:)`` turns it off for a scope.
public enum GradientMode {
    @TaskLocal static var isDisabled = false

    /// Whether new operations are recorded right now.
    public static var isEnabled: Bool { !isDisabled }
}

/// Runs `body` without recording any operation for differentiation (inference, optimizer
/// updates, metric computations).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isDisabled.withValue(true) { try body() }
}

extension Tensor {
    /// Returns the node that records an operation producing a tensor of `shape` from `inputs`,
    /// or `nil` when nothing needs recording.
    ///
    /// `backward` receives the gradient of the output (same shape) and returns one gradient per
    /// input, in order, shaped like that input (`nil` where an input gets none).
    @usableFromInline
    func recordNode(
        for shape: [Int], inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) -> GradientNode? {
        Tensor.record(shape: shape, inputs: inputs, backward: backward)
    }

    @usableFromInline
    static func record(
        shape: [Int], inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) -> GradientNode? {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.node != nil }) else {
            return nil
        }
        return GradientNode(shape: shape, inputs: inputs.map(\.node), backward: backward)
    }

    /// Returns `output` with a recorded node, when any of `inputs` requires a gradient.
    @usableFromInline
    static func recorded(
        _ output: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        var result = output
        result.node = record(shape: output.shape, inputs: inputs, backward: backward)
        return result
    }

    /// This tensor as a new leaf of differentiation: operations on the result are recorded, and
    /// `gradients(withRespectTo:)` can return the gradient with respect to it.
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, storage: storage, node: GradientNode(shape: shape, inputs: [], backward: nil))
    }

    /// The same values cut off from differentiation: no gradient flows back through the result.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, node: nil)
    }

    /// A tensor whose value is `self` but whose gradient flows to `surrogate` (the
    /// straight-through estimator: `value.straightThrough(surrogate)` differentiates as
    /// `surrogate`).
    ///
    /// - Precondition: both have the same shape.
    public func straightThrough(_ surrogate: Tensor) -> Tensor {
        precondition(shape == surrogate.shape, "straightThrough: shapes \(shape) and \(surrogate.shape) differ")
        return Tensor.recorded(detached(), inputs: [surrogate]) { gradient in [gradient] }
    }
}
