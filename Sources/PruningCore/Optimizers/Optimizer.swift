/// Updates parameters from their gradients.
///
/// Conforming types keep per-parameter state (momentum, moments) keyed by parameter identity.
public protocol Optimizer: AnyObject {
    /// The learning rate used by the next step (schedules set it between steps).
    var learningRate: Float { get set }
    /// Applies one update to every parameter in `parameters` that has a gradient and is
    /// trainable.
    func update(_ parameters: [Parameter], along gradients: Gradients)
}

extension Optimizer {
    /// Applies one update to every trainable parameter of `model`.
    public func update(_ model: some Module, along gradients: Gradients) {
        update(model.trainableParameters(), along: gradients)
    }
}
