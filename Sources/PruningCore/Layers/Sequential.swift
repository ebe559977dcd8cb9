/// Layers applied one after another; children are named `0`, `1`, ….
public final class Sequential: Layer {
    /// The layers in order.
    public let layers: [any Layer]
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A sequence of `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// The layers, named by position.
    public var children: [(String, any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element as any Module) }
    }

    /// Applies each layer in turn.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }
}

/// A parameter-free layer that applies an elementwise function.
public final class Activation: Layer {
    /// The available functions.
    public enum Kind: Sendable {
        /// `max(x, 0)`.
        case relu
        /// Exact GELU.
        case gelu
        /// GELU, tanh approximation.
        case geluTanh
        /// `x · sigmoid(x)`.
        case silu
        /// Hyperbolic tangent.
        case tanh
        /// Logistic sigmoid.
        case sigmoid
        /// Leaky ReLU with the given negative slope.
        case leakyReLU(Float)
    }

    /// The function applied.
    public let kind: Kind
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An activation layer of the given kind.
    public init(_ kind: Kind) { self.kind = kind }

    /// Applies the function elementwise.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch kind {
        case .relu: input.relu()
        case .gelu: input.gelu()
        case .geluTanh: input.gelu(approximate: true)
        case .silu: input.silu()
        case .tanh: input.tanh()
        case .sigmoid: input.sigmoid()
        case .leakyReLU(let slope): input.leakyReLU(negativeSlope: slope)
        }
    }
}

/// Flattens every dimension after the first (`[batch, ...] → [batch, features]`).
public final class Flatten: Layer {
    /// Whether the module is in training mode.
    public var isTraining = true
    /// A flattening layer.
    public init() {}
    /// Flattens from axis 1.
    public func callAsFunction(_ input: Tensor) -> Tensor { input.flattened(from: 1) }
}
