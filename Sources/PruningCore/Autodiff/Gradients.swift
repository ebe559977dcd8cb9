/// Gradients of a loss with respect to a model's parameters, keyed by parameter identity.
///
/// Returned by `valueAndGradient(of:_:)`; read with a subscript, combine across micro-batches
/// with ``accumulate(_:)``, and hand to an optimizer.
public struct Gradients {
    private var storage: [ObjectIdentifier: Tensor] = [:]

    /// Empty gradients.
    public init() {}

    /// The gradient of `parameter`, if it received one.
    public subscript(parameter: Parameter) -> Tensor? {
        get { storage[ObjectIdentifier(parameter)] }
        set { storage[ObjectIdentifier(parameter)] = newValue }
    }

    /// The number of parameters with a gradient.
    public var count: Int { storage.count }

    /// Adds `other` into these gradients (gradient accumulation over micro-batches).
    public mutating func accumulate(_ other: Gradients) {
        withoutGradients {
            for (key, gradient) in other.storage {
                if let existing = storage[key] { storage[key] = existing + gradient } else { storage[key] = gradient }
            }
        }
    }

    /// Multiplies every gradient by `factor`.
    public mutating func scale(by factor: Float) {
        withoutGradients {
            for key in Array(storage.keys) { storage[key] = storage[key]! * factor }
        }
    }

    /// The Euclidean norm of all gradients together.
    public var globalNorm: Float {
        var total: Double = 0
        for gradient in storage.values {
            gradient.withUnsafeBufferPointer { g in
                var s: Float = 0
                for v in g { s += v * v }
                total += Double(s)
            }
        }
        return Float(total.squareRoot())
    }

    /// Rescales all gradients so that their global norm is at most `maximumNorm`; returns the
    /// norm before clipping.
    @discardableResult
    public mutating func clipGlobalNorm(to maximumNorm: Float) -> Float {
        let norm = globalNorm
        if norm > maximumNorm && norm > 0 { scale(by: maximumNorm / norm) }
        return norm
    }
}

/// Evaluates `loss` and its gradient with respect to every trainable parameter of `model`.
///
/// While `loss` runs, each trainable parameter's value is a differentiation leaf, so every
/// operation on it is recorded; afterwards the values are plain tensors again. This is the one
/// way to train a module; for gradients with respect to arbitrary tensors use
/// ``Tensor/requiringGradient()`` and ``Tensor/gradients(withRespectTo:seed:)``.
///
/// ```swift
/// let (loss, gradients) = valueAndGradient(of: model) {
///     crossEntropy(logits: model(images), labels: labels)
/// }
/// optimizer.update(model, along: gradients)
/// ```
public func valueAndGradient(of model: some Module, _ loss: () throws -> Tensor) rethrows -> (value: Tensor, gradients: Gradients) {
    try valueAndGradient(of: model.trainableParameters(), loss)
}

/// Evaluates `loss` and its gradient with respect to `parameters`.
public func valueAndGradient(of parameters: [Parameter], _ loss: () throws -> Tensor) rethrows -> (value: Tensor, gradients: Gradients) {
    var leaves: [(Parameter, Tensor)] = []
    for parameter in parameters {
        let leaf = parameter.value.requiringGradient()
        parameter.value = leaf
        leaves.append((parameter, leaf))
    }
    defer { for (parameter, leaf) in leaves { parameter.value = leaf.detached() } }
    let value = try GradientMode.$isDisabled.withValue(false) { try loss() }
    let all = value.backpropagate(seed: nil)
    var gradients = Gradients()
    for (parameter, leaf) in leaves {
        gradients[parameter] = leaf.node.flatMap { all[ObjectIdentifier($0)] } ?? Tensor.zeros(leaf.shape)
    }
    return (value.detached(), gradients)
}
