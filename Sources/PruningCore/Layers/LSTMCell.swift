/// The state of an LSTM: the hidden state `h` and the cell state `c`.
///
/// For an ``LSTMCell`` both are `[batch, hidden]`; for an ``LSTM`` stack both are
/// `[layers · directions, batch, hidden]`, as PyTorch's `(h_n, c_n)`.
public struct LSTMState: Sendable {
    /// The hidden state `h`.
    public var hidden: Tensor
    /// The cell state `c`.
    public var cell: Tensor

    /// A state made of `hidden` and `cell`.
    public init(hidden: Tensor, cell: Tensor) {
        precondition(hidden.shape == cell.shape, "LSTMState: hidden \(hidden.shape) and cell \(cell.shape) shapes differ")
        self.hidden = hidden
        self.cell = cell
    }
}

/// A long short-term memory cell (Hochreiter & Schmidhuber, 1997, with the forget gate of
/// Gers et al., 2000), with PyTorch's formulation and parameter names so that
/// `torch.nn.LSTMCell` weights load by name.
///
/// For input `x` and state `(h, c)`, with gate blocks stacked in the order i, f, g, o:
/// ```
/// i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
/// c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
/// ```
/// Parameters: `weight_ih` `[4·hidden, input]`, `weight_hh` `[4·hidden, hidden]`, and when
/// present `bias_ih`, `bias_hh` `[4·hidden]`.
public final class LSTMCell: Module {
    /// `weight_ih`, `[4·hidden, input]` (rows i, f, g, o).
    public let inputWeight: Parameter
    /// `weight_hh`, `[4·hidden, hidden]` (rows i, f, g, o).
    public let hiddenWeight: Parameter
    /// `bias_ih`, `[4·hidden]`, when the cell has biases.
    public let inputBias: Parameter?
    /// `bias_hh`, `[4·hidden]`, when the cell has biases.
    public let hiddenBias: Parameter?
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A cell initialized like PyTorch: every weight and bias uniform in ±1/√hiddenSize.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0, "LSTMCell: sizes must be positive (input \(inputSize), hidden \(hiddenSize))")
        let bound = 1 / Float(hiddenSize).squareRoot()
        func uniform(_ shape: [Int]) -> Parameter {
            Parameter(Tensor.randomUniform(shape, lower: -bound, upper: bound, using: &generator))
        }
        inputWeight = uniform([4 * hiddenSize, inputSize])
        hiddenWeight = uniform([4 * hiddenSize, hiddenSize])
        inputBias = bias ? uniform([4 * hiddenSize]) : nil
        hiddenBias = bias ? uniform([4 * hiddenSize]) : nil
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

    /// One step: the next state (each `[batch, hidden]`) from input `[batch, input]` and the
    /// current state (zeros when nil).
    public func callAsFunction(_ input: Tensor, state: LSTMState? = nil) -> LSTMState {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "LSTMCell: input \(input.shape) must be [batch, \(inputSize)]")
        let batch = input.shape[0]
        let zeros = Tensor.zeros([batch, hiddenSize])
        let projected = projectInput(input).reshaped(to: [batch, 1, 4 * hiddenSize])
        let steps = sequence(projected: projected, initial: state ?? LSTMState(hidden: zeros, cell: zeros), reverse: false)
            .reshaped(to: [batch, 2 * hiddenSize])
        return LSTMState(
            hidden: steps.sliced(alongAxis: 1, from: 0, count: hiddenSize),
            cell: steps.sliced(alongAxis: 1, from: hiddenSize, count: hiddenSize))
    }

    /// `x W_ihᵀ + b_ih` over the last dimension of `x` `[..., input]` → `[..., 4·hidden]`.
    func projectInput(_ x: Tensor) -> Tensor {
        let product = x.matmul(inputWeight.value, transposingOther: true)
        return inputBias.map { product + $0.value } ?? product
    }

    /// The recurrence over precomputed input projections `[batch, length, 4·hidden]` from
    /// `initial`: `[batch, length, 2·hidden]`, the hidden state then the cell state per step.
    func sequence(projected: Tensor, initial: LSTMState, reverse: Bool) -> Tensor {
        RecurrentKernels.lstm(
            projected: projected, weight: hiddenWeight.value, bias: hiddenBias?.value,
            initialHidden: initial.hidden, initialCell: initial.cell, reverse: reverse)
    }
}
