import Foundation
import PruningCore

/// The amortized saliency explainer of interpretation-steered pruning (the official
/// `RealTimeSaliencyRBF`): it reads a classifier's stage outputs and the class to explain and
/// returns three numbers per image, the raw parameters of an RBF saliency mask
/// (``RBFSaliencyMap``).
///
/// The coarsest stage is gated by a class-conditioned spatial attention
/// `σ(Σ_c f_c ⊙ e_y,c)` (`e_y` a learnt embedding of the class), then ``SubpixelUpsampleBlock``s
/// climb back to the finest stage's resolution taking each stage as a skip connection, and a
/// linear map of the whole finest feature map — the official convolution whose kernel covers
/// the image — gives the three parameters. The classifier (the encoder) is not part of this
/// module: it is frozen, and during pruning the gated classifier's own stage outputs feed it.
public final class SaliencySelector: Module {
    /// The class embeddings `[classes, coarsest width]`.
    public let embedding: Embedding
    /// The decoder blocks, from the coarsest stage to the finest.
    public let upsampling: [SubpixelUpsampleBlock]
    /// The map from the finest decoded features to the three parameters.
    public let head: Linear
    /// The widths of the stages it reads, finest first.
    public let stageWidths: [Int]
    /// The finest stage's height and width.
    public let finestSize: (height: Int, width: Int)
    /// Training or evaluation mode.
    public var isTraining = true

    /// A selector for stages of `stageWidths` (finest first, each halving the resolution) whose
    /// finest stage is `finestSize`, explaining `classCount` classes.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for fewer than
    ///   two stages, a non-positive width or class count, or a size that does not halve evenly.
    ///
    /// The head starts with weights 100 × smaller than the default initialization and a bias
    /// that gives every image a centred mask of width `initialWidth` pixels.
    public init(stageWidths: [Int], finestSize: (height: Int, width: Int), classCount: Int, initialWidth: Float = 5,
                using generator: inout RandomGenerator) throws(StructuralPruningError) {
        guard initialWidth > 0, initialWidth.isFinite else {
            throw .invalidSetting(field: "initialWidth", value: Double(initialWidth), expected: "a positive finite width in pixels")
        }
        guard stageWidths.count >= 2 else {
            throw .invalidSetting(field: "stageWidths.count", value: Double(stageWidths.count), expected: "at least 2 stages")
        }
        if let bad = stageWidths.first(where: { $0 <= 0 }) {
            throw .invalidSetting(field: "stageWidths", value: Double(bad), expected: "positive widths")
        }
        guard classCount > 0 else { throw .invalidSetting(field: "classCount", value: Double(classCount), expected: "at least 1") }
        let factor = 1 << (stageWidths.count - 1)
        guard finestSize.height > 0, finestSize.width > 0, finestSize.height % factor == 0, finestSize.width % factor == 0 else {
            throw .invalidSetting(field: "finestSize", value: Double(finestSize.height),
                                  expected: "a height and width divisible by \(factor) (each stage halves the resolution)")
        }
        embedding = Embedding(count: classCount, dimension: stageWidths[stageWidths.count - 1], using: &generator)
        var blocks: [SubpixelUpsampleBlock] = []
        for level in stride(from: stageWidths.count - 1, to: 0, by: -1) {
            blocks.append(SubpixelUpsampleBlock(
                inputChannels: stageWidths[level], outputChannels: stageWidths[level - 1], skipChannels: stageWidths[level - 1],
                using: &generator))
        }
        upsampling = blocks
        let inputs = stageWidths[0] * finestSize.height * finestSize.width
        let initial = Linear(inputCount: inputs, outputCount: 3, using: &generator)
        // Ours: small weights and a bias that starts every mask centred with width
        // `initialWidth` (softplus⁻¹), so that training does not begin from masks of a pixel
        // that the area term cannot grow out of, nor from saturated ones.
        let bias = Tensor([0, 0, Float(Foundation.log(Foundation.expm1(Double(initialWidth))))])
        head = Linear(weight: initial.weight.value * 0.01, bias: bias)
        self.stageWidths = stageWidths
        self.finestSize = finestSize
    }

    /// `embedding`, `up0` … , `head`.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = [("embedding", embedding)]
        for (index, block) in upsampling.enumerated() { result.append(("up\(index)", block)) }
        result.append(("head", head))
        return result
    }

    /// The raw parameters `[batch, 3]` for stage outputs `stages` (finest first) and the classes
    /// `labels` to explain.
    public func callAsFunction(stages: [Tensor], labels: [Int]) -> Tensor {
        precondition(stages.count == stageWidths.count && zip(stages, stageWidths).allSatisfy { $0.rank == 4 && $0.shape[1] == $1 },
                     "SaliencySelector: stages \(stages.map(\.shape)) do not have the widths \(stageWidths)")
        let coarsest = stages[stages.count - 1]
        let batch = coarsest.shape[0]
        precondition(labels.count == batch, "SaliencySelector: \(labels.count) labels for a batch of \(batch)")
        let code = embedding(labels).reshaped(to: [batch, coarsest.shape[1], 1, 1])
        let attention = (coarsest * code).sum(alongAxes: [1], keepingDimensions: true).sigmoid()
        var x = coarsest * attention
        for (index, block) in upsampling.enumerated() {
            x = block(x, skip: stages[stages.count - 2 - index])
        }
        return head(x.reshaped(to: [batch, -1]))
    }
}
