import PruningCore

/// A fully connected layer without bias whose weight is either dense or a product of two
/// factors, `W ≈ B · A` with `A` `[rank, in]` and `B` `[out, rank]` — the layer the truncated-SVD
/// baselines (``TruncatedSVDCompression``) produce. A factorized layer holds `rank · (in + out)`
/// weights instead of `in · out` and computes `y = B (A x)`.
///
/// Parameters are named `weight` (dense) or `input_factor` (`A`) and `output_factor` (`B`).
/// Input `[..., in]`, output `[..., out]`.
public final class LowRankLinear: Layer {
    /// The dense weight `[out, in]`, when the layer is not factorized.
    public let weight: Parameter?
    /// `A`, `[rank, in]`, when factorized.
    public let inputFactor: Parameter?
    /// `B`, `[out, rank]`, when factorized.
    public let outputFactor: Parameter?
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A dense layer holding `weight` `[out, in]`.
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "LowRankLinear: weight must be [out, in], got \(weight.shape)")
        self.weight = Parameter(weight)
        inputFactor = nil
        outputFactor = nil
    }

    /// A factorized layer `W = outputFactor · inputFactor`.
    ///
    /// - Parameters:
    ///   - outputFactor: `B`, `[out, rank]`.
    ///   - inputFactor: `A`, `[rank, in]`.
    public init(outputFactor: Tensor, inputFactor: Tensor) {
        precondition(
            outputFactor.rank == 2 && inputFactor.rank == 2 && outputFactor.shape[1] == inputFactor.shape[0],
            "LowRankLinear: factors \(outputFactor.shape) · \(inputFactor.shape) do not chain")
        weight = nil
        self.inputFactor = Parameter(inputFactor)
        self.outputFactor = Parameter(outputFactor)
    }

    /// The number of input features.
    public var inputCount: Int { weight?.shape[1] ?? inputFactor!.shape[1] }
    /// The number of output features.
    public var outputCount: Int { weight?.shape[0] ?? outputFactor!.shape[0] }
    /// The inner dimension of a factorized layer (nil when dense).
    public var rank: Int? { inputFactor?.shape[0] }

    /// The weight or the two factors.
    public var ownParameters: [(String, Parameter)] {
        if let weight { return [("weight", weight)] }
        return [("input_factor", inputFactor!), ("output_factor", outputFactor!)]
    }

    /// The weight as one `[out, in]` matrix (the product of the factors when factorized).
    public var effectiveWeight: Tensor {
        if let weight { return weight.value }
        return outputFactor!.value.matmul(inputFactor!.value)
    }

    /// `x Wᵀ`, or `(x Aᵀ) Bᵀ` when factorized, over the last dimension of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == inputCount, "LowRankLinear: input \(input.shape) does not end in \(inputCount)")
        if let weight { return Tensor.linear(input, weight: weight.value, bias: nil) }
        let inner = Tensor.linear(input, weight: inputFactor!.value, bias: nil)
        return Tensor.linear(inner, weight: outputFactor!.value, bias: nil)
    }
}
