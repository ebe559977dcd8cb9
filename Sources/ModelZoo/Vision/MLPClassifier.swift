import PruningCore

/// A multilayer perceptron classifier: linear layers with ReLU between them.
///
/// Parameters are named `layers.0`, `layers.2`, … (the ReLUs take the odd positions, as in a
/// PyTorch `nn.Sequential`). Input `[batch, inputCount]` or any `[batch, ...]` whose trailing
/// dimensions multiply to `inputCount` (images are flattened), output logits
/// `[batch, classCount]`.
public final class MLPClassifier: Layer {
    /// The linear layers, hidden layers first, the classifier last.
    public let linearLayers: [Linear]
    private let sequence: Sequential
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An MLP `inputCount → hidden[0] → … → classCount` with PyTorch-default initialization.
    public init(inputCount: Int, hidden: [Int], classCount: Int, using generator: inout RandomGenerator) {
        precondition(inputCount > 0 && classCount > 0 && hidden.allSatisfy { $0 > 0 },
                     "MLPClassifier: sizes must be positive (input \(inputCount), hidden \(hidden), classes \(classCount))")
        let sizes = [inputCount] + hidden + [classCount]
        var linears: [Linear] = []
        var layers: [any Layer] = []
        for index in 0..<(sizes.count - 1) {
            let linear = Linear(inputCount: sizes[index], outputCount: sizes[index + 1], using: &generator)
            linears.append(linear)
            layers.append(linear)
            if index < sizes.count - 2 { layers.append(Activation(.relu)) }
        }
        linearLayers = linears
        sequence = Sequential(layers)
    }

    /// `layers`.
    public var children: [(String, any Module)] { [("layers", sequence)] }

    /// The logits `[batch, classCount]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let flat = input.rank > 2 ? input.flattened(from: 1) : input
        precondition(flat.rank == 2 && flat.shape[1] == linearLayers[0].inputCount,
                     "MLPClassifier: input \(input.shape) does not flatten to [batch, \(linearLayers[0].inputCount)]")
        return sequence(flat)
    }
}

extension MLPClassifier: ChannelPrunable {
    /// `layers.K.output` for every hidden layer `K` (0, 2, 4, …): its output rows and bias and
    /// the next layer's input columns.
    public var prunableGroups: [PrunableGroup] {
        (0..<(linearLayers.count - 1)).map { index in
            PrunableGroup(
                name: "layers.\(2 * index).output", size: linearLayers[index].outputCount,
                slices: GroupSlices.outputs(of: "layers.\(2 * index)", bias: linearLayers[index].bias != nil)
                    + GroupSlices.inputs(of: "layers.\(2 * index + 2)"))
        }
    }
}
