/// An n-dimensional array of `Float`, stored contiguously in row-major order.
///
/// `Tensor` is a value type: copies share one buffer until one of them is written
/// (copy-on-write), so passing tensors around is cheap and thread-safe. Reshaping never copies;
/// permuting materializes a new buffer.
///
/// A tensor may carry a gradient node: it then takes part in reverse-mode differentiation, and
/// every operation applied to it is recorded so that `Tensor/gradients(withRespectTo:)` can
/// compute derivatives. See ``Tensor/requiringGradient()``.
///
/// ```swift
/// let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let b = a.matmul(a.transposed())   // [2, 2]
/// ```
public struct Tensor: @unchecked Sendable {
    /// The size of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The autodiff node when this tensor takes part in differentiation.
    @usableFromInline var node: GradientNode?

    /// The number of elements (the product of `shape`).
    @inlinable public var count: Int { storage.count }

    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// Whether gradients flow back through this tensor.
    public var requiresGradient: Bool { node != nil }

    @usableFromInline
    init(shape: [Int], storage: TensorStorage, node: GradientNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`, and no dimension is negative.
    public init(shape: [Int], scalars: [Float]) {
        let count = Tensor.elementCount(of: shape)
        precondition(
            scalars.count == count,
            "Tensor(shape: \(shape)) needs \(count) scalars, got \(scalars.count)")
        let storage = TensorStorage(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { storage.pointer.initialize(from: base, count: count) }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A one-dimensional tensor of `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Float) {
        self.init(shape: [], storage: TensorStorage(count: 1, repeating: value))
    }

    /// A tensor of `shape` whose elements are written by `body` into an uninitialized buffer.
    ///
    /// `body` must initialize every element.
    public init(
        shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        let storage = TensorStorage(uninitializedCount: Tensor.elementCount(of: shape))
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        self.init(shape: shape, storage: storage)
    }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The single element of a tensor with one element.
    ///
    /// - Precondition: `count == 1`.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar needs exactly one element, shape is \(shape)")
        return storage.pointer[0]
    }

    /// The element at a multi-dimensional index.
    public subscript(index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            let offset = flatIndex(index)
            makeUnique()
            storage.pointer[offset] = newValue
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "Tensor index \(index) does not match shape \(shape)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            precondition(
                i >= 0 && i < shape[axis], "Tensor index \(index) is out of range for \(shape)")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// Calls `body` with read access to the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(
        _ body: (UnsafeBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Calls `body` with write access to the elements, copying the buffer first if it is shared.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Ensures this tensor owns its buffer alone.
    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) || !storage.isOwned { storage = storage.copy() }
    }

    /// The product of the dimensions of `shape`.
    ///
    /// - Precondition: no dimension is negative.
    @inlinable
    public static func elementCount(of shape: [Int]) -> Int {
        var count = 1
        for dimension in shape {
            precondition(dimension >= 0, "Negative dimension in shape \(shape)")
            count *= dimension
        }
        return count
    }

    /// This tensor with `shape` replaced; the element count must not change. Never copies.
    ///
    /// One dimension may be `-1`, meaning "whatever makes the count match".
    public func reshaped(to newShape: [Int]) -> Tensor {
        let resolved = Tensor.resolve(newShape, count: count)
        var result = Tensor(shape: resolved, storage: storage)
        let inputShape = shape
        result.node = recordNode(for: result.shape, inputs: [self]) { gradient in
            [gradient.reshaped(to: inputShape)]
        }
        return result
    }

    static func resolve(_ shape: [Int], count: Int) -> [Int] {
        var resolved = shape
        if let wildcard = shape.firstIndex(of: -1) {
            var known = 1
            for (i, d) in shape.enumerated() where i != wildcard { known *= d }
            precondition(
                known > 0 && count % known == 0,
                "Cannot reshape \(count) elements to \(shape)")
            resolved[wildcard] = count / known
        }
        precondition(
            Tensor.elementCount(of: resolved) == count,
            "Cannot reshape \(count) elements to \(shape)")
        return resolved
    }
}

extension Tensor: CustomStringConvertible {
    /// A short summary: the shape and the first elements.
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}
