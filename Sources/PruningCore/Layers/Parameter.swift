/// A named, mutable tensor owned by a module: a trainable weight, or a buffer (such as
/// BatchNorm's running statistics) that is saved and loaded but not trained.
///
/// Parameters are reference types so that a module, an optimizer and a gradient map can all
/// refer to the same weight. Layers read ``value`` in their forward pass.
public final class Parameter {
    /// The current value.
    public var value: Tensor

    /// Whether this is a buffer: saved and loaded with the model, never trained.
    public let isBuffer: Bool

    /// Whether training leaves this parameter unchanged (see ``Module/freeze()``).
    public var isFrozen: Bool

    /// Whether an optimizer updates this parameter.
    public var isTrainable: Bool { !isBuffer && !isFrozen }

    /// A trainable parameter (or a buffer when `isBuffer` is true) holding `value`.
    public init(_ value: Tensor, isBuffer: Bool = false) {
        self.value = value.detached()
        self.isBuffer = isBuffer
        self.isFrozen = false
    }

    /// The shape of the current value.
    public var shape: [Int] { value.shape }
}
