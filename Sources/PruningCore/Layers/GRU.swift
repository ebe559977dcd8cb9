/// A multi-layer, optionally bidirectional GRU over whole sequences, with PyTorch's
/// parameter names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`,
/// `weight_ih_l0_reverse`, …) so that `torch.nn.GRU` weights load by name.
///
/// Each layer and direction is a ``GRUCell``; layer `l > 0` reads the concatenated outputs of
/// both directions of layer `l − 1`. The input projections of all steps are one matrix product,
/// and each direction runs as one fused recurrence with a hand-written backward pass (see
/// ``GRUCell`` for the equations).
///
/// Input `[batch, length, input]` (or `[length, batch, input]` when `batchFirst` is false);
/// output `[batch, length, directions · hidden]` (same layout as the input) and the final state
/// `[layers · directions, batch, hidden]`. All sequences of a batch have the full length (there
/// is no packed-sequence input), and PyTorch's dropout between layers is not provided.
public final class GRU: Module {
    /// The cells, indexed `[layer][direction]` (direction 1 runs backwards in time).
    public let cells: [[GRUCell]]
    /// Whether inputs and outputs are `[batch, length, features]` (else `[length, batch, features]`).
    public let batchFirst: Bool
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A GRU stack initialized like PyTorch (uniform in ±1/√hiddenSize).
    ///
    /// - Parameters:
    ///   - inputSize: features per input step.
    ///   - hiddenSize: features of the hidden state of each direction.
    ///   - layerCount: the number of stacked layers.
    ///   - bidirectional: whether each layer also runs backwards in time.
    ///   - batchFirst: whether sequences are `[batch, length, features]`. (PyTorch's default is
    ///     `false`; this library is batch-first throughout.)
    ///   - bias: whether the cells have biases.
    ///   - generator: the source of the initial weights.
    public init(
        inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bidirectional: Bool = false,
        batchFirst: Bool = true, bias: Bool = true, using generator: inout RandomGenerator
    ) {
        precondition(layerCount > 0, "GRU: layerCount \(layerCount) must be positive")
        let directions = bidirectional ? 2 : 1
        cells = (0..<layerCount).map { layer in
            (0..<directions).map { _ in
                GRUCell(inputSize: layer == 0 ? inputSize : directions * hiddenSize, hiddenSize: hiddenSize,
                        bias: bias, using: &generator)
            }
        }
        self.batchFirst = batchFirst
    }

    /// The number of stacked layers.
    public var layerCount: Int { cells.count }
    /// Whether each layer also runs backwards in time.
    public var isBidirectional: Bool { cells[0].count == 2 }
    /// Features per input step.
    public var inputSize: Int { cells[0][0].inputSize }
    /// Features of the hidden state of each direction.
    public var hiddenSize: Int { cells[0][0].hiddenSize }

    /// Every cell's parameters under PyTorch's names.
    public var ownParameters: [(String, Parameter)] { RecurrentLayout.namedParameters(cells) }

    /// Runs the stack over `input`.
    ///
    /// - Parameters:
    ///   - input: `[batch, length, input]` (`[length, batch, input]` unless ``batchFirst``).
    ///   - initialState: `[layers · directions, batch, hidden]` (PyTorch's `h_0`); zeros when nil.
    /// - Returns: the top layer's outputs `[batch, length, directions · hidden]` (laid out like
    ///   the input) and the final hidden state of every layer and direction
    ///   `[layers · directions, batch, hidden]` (PyTorch's `h_n`).
    public func callAsFunction(_ input: Tensor, initialState: Tensor? = nil) -> (output: Tensor, finalState: Tensor) {
        var x = RecurrentLayout.batchMajor(input, batchFirst: batchFirst, features: inputSize, module: "GRU")
        let (batch, length) = (x.shape[0], x.shape[1])
        let directions = cells[0].count
        RecurrentLayout.checkState(initialState, count: layerCount * directions, batch: batch, hidden: hiddenSize, module: "GRU")
        var finals: [Tensor] = []
        for (layer, layerCells) in cells.enumerated() {
            var outputs: [Tensor] = []
            for (direction, cell) in layerCells.enumerated() {
                let initial = RecurrentLayout.initialState(
                    initialState, index: layer * directions + direction, batch: batch, hidden: hiddenSize)
                let reverse = direction == 1
                let states = cell.sequence(projected: cell.projectInput(x), initial: initial, reverse: reverse)
                outputs.append(states)
                finals.append(states.sliced(alongAxis: 1, from: reverse ? 0 : length - 1, count: 1).reshaped(to: [batch, hiddenSize]))
            }
            x = outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, alongAxis: 2)
        }
        return (batchFirst ? x : x.permuted([1, 0, 2]), Tensor.stack(finals, alongAxis: 0))
    }
}
