/// A gated recurrent unit cell (Cho et al., 2014), with PyTorch's formulation and parameter
/// names so that `torch.nn.GRUCell` weights load by name.
///
/// For input `x` and state `h`, with gate blocks stacked in the order r, z, n:
/// ```
/// r  = σ(W_ir x + b_ir + W_hr h + b_hr)
/// z  = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h' = (1 − z) ⊙ n + z ⊙ h
/// ```
/// Parameters: `weight_ih` `[3·hidden, input]`, `weight_hh` `[3·hidden, hidden]`, and when
/// present `bias_ih`, `bias_hh` `[3·hidden]`.
public final class GRUCell: Module {
    /// `weight_ih`, `[3·hidden, input]` (rows r, z, n).
    public let inputWeight: Parameter
    /// `weight_hh`, `[3·hidden, hidden]` (rows r, z, n).
    public let hiddenWeight: Parameter
    /// `bias_ih`, `[3·hidden]`, when the cell has biases.
    public let inputBias: Parameter?
    /// `bias_hh`, `[3·hidden]`, when the cell has biases.
    public let hiddenBias: Parameter?
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A cell initialized like PyTorch: every weight and bias uniform in ±1/√hiddenSize.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRUCell: sizes must be positive (input \(inputSize), hidden \(hiddenSize))")
        let bound = 1 / Float(hiddenSize).squareRoot()
        func uniform(_ shape: [Int]) -> Parameter {
            Parameter(Tensor.randomUniform(shape, lower: -bound, upper: bound, using: &generator))
        }
        inputWeight = uniform([3 * hiddenSize, inputSize])
        hiddenWeight = uniform([3 * hiddenSize, hiddenSize])
        inputBias = bias ? uniform([3 * hiddenSize]) : nil
        hiddenBias = bias ? uniform([3 * hiddenSize]) : nil
    }

    /// The number of input features.
    public var inputSize: Int { inputWeight.shape[1] }
    /// The number of hidden features.
    public var hiddenSize: Int { hiddenWeight.shape[1] }

    /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (PyTorch's names and order).
    public var ownParameters: [(String, Parameter)] {
        var result = [("weight_ih", inputWeight), ("weight_hh", hiddenWeight)]
        if let inputBias, let hiddenBias { result += [("bias_ih", inputBias), ("bias_hh", hiddenBias)] }
        return result
    }

    /// One step: the next hidden state `[batch, hidden]` from input `[batch, input]` and the
    /// current state `[batch, hidden]` (zeros when nil).
    public func callAsFunction(_ input: Tensor, state: Tensor? = nil) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "GRUCell: input \(input.shape) must be [batch, \(inputSize)]")
        let batch = input.shape[0]
        let projected = projectInput(input).reshaped(to: [batch, 1, 3 * hiddenSize])
        return sequence(projected: projected, initial: state ?? Tensor.zeros([batch, hiddenSize]), reverse: false)
            .reshaped(to: [batch, hiddenSize])
    }

    /// `x W_ihᵀ + b_ih` over the last dimension of `x` `[..., input]` → `[..., 3·hidden]`.
    func projectInput(_ x: Tensor) -> Tensor {
        let product = x.matmul(inputWeight.value, transposingOther: true)
        return inputBias.map { product + $0.value } ?? product
    }

    /// The hidden states `[batch, length, hidden]` of the recurrence over precomputed input
    /// projections `[batch, length, 3·hidden]` from `initial` `[batch, hidden]`.
    func sequence(projected: Tensor, initial: Tensor, reverse: Bool) -> Tensor {
        RecurrentKernels.gru(
            projected: projected, weight: hiddenWeight.value, bias: hiddenBias?.value, initial: initial, reverse: reverse)
    }
}
