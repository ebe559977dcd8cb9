import ModelZoo
import PruningCore

/// A channel-prunable classifier whose stage outputs an amortized explainer can read: the
/// encoder of ``SaliencySelector``. Gates on a block's inner channels leave every stage's output
/// width unchanged, so one selector decodes the original and every pruned network alike.
public protocol ExplainableClassifier: ChannelPrunable, Layer {
    /// The channels of each stage output, from the finest resolution to the coarsest.
    var stageWidths: [Int] { get }
    /// Every stage's output (finest first) and the logits, from one forward pass.
    func stageOutputsAndLogits(_ input: Tensor) -> (stages: [Tensor], logits: Tensor)
    /// A deep copy with the same architecture, weights and BatchNorm statistics.
    ///
    /// - Throws: when the weights do not fit the architecture (a network pruned in place).
    func replica() throws -> Self
}

extension ResNet: ExplainableClassifier {
    /// The stage widths of the configuration.
    public var stageWidths: [Int] { configuration.stageWidths }

    /// The stage outputs and the logits, from one forward pass.
    public func stageOutputsAndLogits(_ input: Tensor) -> (stages: [Tensor], logits: Tensor) {
        let stages = stageOutputs(input)
        return (stages, fc(stages[stages.count - 1].mean(alongAxes: [2, 3])))
    }

    /// A copy of a network of this configuration (not one pruned in place) with the same values.
    ///
    /// - Throws: `PruningCore/ModuleError` when the weights no longer fit the configuration.
    public func replica() throws -> ResNet {
        var generator = RandomGenerator(seed: 0)
        let copy = ResNet(configuration: configuration, using: &generator)
        try copy.load(stateDictionary())
        if !isTraining { copy.eval() } else { copy.train() }
        return copy
    }
}
