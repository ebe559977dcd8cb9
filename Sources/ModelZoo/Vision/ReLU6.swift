import PruningCore

/// `min(max(x, 0), 6)` elementwise (PyTorch's `nn.ReLU6`), the activation of MobileNetV2.
public final class ReLU6: Layer {
    /// Whether the module is in training mode.
    public var isTraining = true
    /// A ReLU6 layer.
    public init() {}
    /// Clamps `input` to `[0, 6]` (gradient 0 outside).
    public func callAsFunction(_ input: Tensor) -> Tensor { input.clamped(min: 0, max: 6) }
}
