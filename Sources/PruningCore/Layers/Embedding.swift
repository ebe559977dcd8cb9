/// A lookup table of learned vectors, as PyTorch's `nn.Embedding(count, dimension)`.
///
/// `weight` is `[count, dimension]`; looking up ids of shape `[...]` gives `[..., dimension]`.
/// The lookup is an ``Tensor/indexSelect(_:alongAxis:)``, so the weight gradient accumulates
/// over repeated ids.
public final class Embedding: Layer {
    /// The table `[count, dimension]`.
    public let weight: Parameter
    /// Whether the module is in training mode (an embedding behaves the same in both modes).
    public var isTraining = true

    /// A table of `count` vectors of `dimension` entries, drawn from N(0, 1) like PyTorch's.
    public init(count: Int, dimension: Int, using generator: inout RandomGenerator) {
        precondition(count > 0 && dimension > 0, "Embedding: count \(count) and dimension \(dimension) must be positive")
        weight = Parameter(Tensor.randomNormal([count, dimension], using: &generator))
    }

    /// A table holding `weight` `[count, dimension]`.
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding: weight must be [count, dimension], got \(weight.shape)")
        self.weight = Parameter(weight)
    }

    /// The number of vectors.
    public var count: Int { weight.shape[0] }
    /// The length of each vector.
    public var dimension: Int { weight.shape[1] }

    /// The weight.
    public var ownParameters: [(String, Parameter)] { [("weight", weight)] }

    /// The vectors of `ids` (row-major, in `0..<count`) arranged as `[shape..., dimension]`.
    ///
    /// - Precondition: `ids.count` is the product of `shape`.
    public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(of: shape) == ids.count,
                     "Embedding: \(ids.count) ids do not fill shape \(shape)")
        for id in ids {
            precondition(id >= 0 && id < count, "Embedding: id \(id) is out of range 0..<\(count)")
        }
        return weight.value.indexSelect(ids, alongAxis: 0).reshaped(to: shape + [dimension])
    }

    /// The vectors of `ids`, `[ids.count, dimension]`.
    public func callAsFunction(_ ids: [Int]) -> Tensor {
        callAsFunction(ids, shape: [ids.count])
    }

    /// The vectors of the ids held (as whole numbers) in `input` `[...]`, giving
    /// `[..., dimension]`; no gradient flows to `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let ids = input.scalars.map { value -> Int in
            precondition(value == value.rounded(), "Embedding: id \(value) is not a whole number")
            return Int(value)
        }
        return callAsFunction(ids, shape: input.shape)
    }
}
