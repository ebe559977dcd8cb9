import PruningCore

/// A flat view of a module's trainable parameters: every trainable parameter's elements,
/// concatenated in `PruningCore/Module/trainableParameters()` order (row-major inside each).
///
/// Mirror maps and the BGPO recursions work on this vector; these helpers convert between it
/// and the module's `PruningCore/Parameter`s and `PruningCore/Gradients`.
extension Module {
    /// The length of the flat parameter vector.
    public var flatParameterCount: Int {
        trainableParameters().reduce(0) { $0 + $1.value.count }
    }

    /// The trainable parameters as one vector.
    public func flatParameters() -> [Float] {
        var flat: [Float] = []
        flat.reserveCapacity(flatParameterCount)
        for parameter in trainableParameters() {
            parameter.value.withUnsafeBufferPointer { flat.append(contentsOf: $0) }
        }
        return flat
    }

    /// Replaces the trainable parameters with the entries of `flat`.
    ///
    /// - Precondition: `flat.count == flatParameterCount`.
    public func setFlatParameters(_ flat: [Float]) {
        let parameters = trainableParameters()
        let expected = parameters.reduce(0) { $0 + $1.value.count }
        precondition(flat.count == expected, "setFlatParameters: \(flat.count) values for \(expected) parameters")
        var offset = 0
        for parameter in parameters {
            let count = parameter.value.count
            parameter.value = Tensor(shape: parameter.shape, scalars: Array(flat[offset..<(offset + count)]))
            offset += count
        }
    }

    /// The gradients of the trainable parameters as one vector (zeros where a parameter has no
    /// gradient).
    public func flatten(_ gradients: Gradients) -> [Float] {
        var flat: [Float] = []
        flat.reserveCapacity(flatParameterCount)
        for parameter in trainableParameters() {
            if let gradient = gradients[parameter] {
                precondition(gradient.shape == parameter.shape,
                             "flatten: gradient \(gradient.shape) for parameter \(parameter.shape)")
                gradient.withUnsafeBufferPointer { flat.append(contentsOf: $0) }
            } else {
                flat.append(contentsOf: repeatElement(0, count: parameter.value.count))
            }
        }
        return flat
    }

    /// Per-parameter gradients holding the entries of `flat` (the inverse of ``flatten(_:)``),
    /// to hand a flat direction to a `PruningCore/Optimizer`.
    public func gradients(fromFlat flat: [Float]) -> Gradients {
        let parameters = trainableParameters()
        let expected = parameters.reduce(0) { $0 + $1.value.count }
        precondition(flat.count == expected, "gradients(fromFlat:): \(flat.count) values for \(expected) parameters")
        var gradients = Gradients()
        var offset = 0
        for parameter in parameters {
            let count = parameter.value.count
            gradients[parameter] = Tensor(shape: parameter.shape, scalars: Array(flat[offset..<(offset + count)]))
            offset += count
        }
        return gradients
    }

    /// Runs `body` with the trainable parameters temporarily set to `flat`, then restores them.
    public func withFlatParameters<R>(_ flat: [Float], _ body: () throws -> R) rethrows -> R {
        let saved = trainableParameters().map(\.value)
        setFlatParameters(flat)
        defer { for (parameter, value) in zip(trainableParameters(), saved) { parameter.value = value } }
        return try body()
    }
}
