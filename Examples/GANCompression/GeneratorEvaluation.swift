import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// What the table reports for one generator on one task.
struct GeneratorScores: Codable, Sendable {
    /// Fréchet distance between classifier features of generated and real images (edges task).
    var frechetDistance: Double?
    /// The unbiased KID on the same features (edges task).
    var kernelInceptionDistance: Double?
    /// Classifier accuracy on generated images against the source garment's class (edges task).
    var accuracy: Double?
    /// mIoU of the segmenter on generated scenes against the input label maps (label task).
    var meanIoU: Double?
    /// Mean |G(x) − y| on the evaluation pairs.
    var meanAbsoluteError: Double
    /// The generator's MACs per image.
    var macs: Int
    /// The generator's parameters.
    var parameters: Int
}

/// Scores generators: the shipped Fashion-MNIST ResNet-20 supplies features (the FID stand-in)
/// and accuracy; the shipped segmenter supplies mIoU.
struct GeneratorEvaluation {
    let classifier: ResNet
    let segmenter: UNetGenerator
    /// Real-image features of every task's evaluation pairs (edges task only).
    private var realFeatures: [ShippedTranslationModels.Task: Tensor] = [:]

    init(classifier: ResNet, segmenter: UNetGenerator) {
        self.classifier = classifier
        self.segmenter = segmenter
    }

    /// The classifier's pooled features and logits of images in [−1, 1] padded to 32.
    func classify(_ images: Tensor) -> (features: Tensor, logits: Tensor) {
        FashionMNISTImageScorer(classifier: classifier).classify(images)
    }

    /// The per-pixel classes the segmenter reads from images `[n, 1, H, W]`.
    func segment(_ images: Tensor) -> [Int] {
        SegmentationScore.classes(ofScores: TranslationTraining.outputs(of: segmenter, for: images))
    }

    /// Caches the real features of `data`'s evaluation pairs.
    mutating func prepare(_ data: TranslationTaskData) {
        if data.task == .fashionEdges { realFeatures[data.task] = classify(data.evaluation.targets).features }
    }

    /// The scores of `generator` on `data`'s evaluation pairs.
    func score(_ generator: UNetGenerator, on data: TranslationTaskData) throws -> GeneratorScores {
        let pairs = data.evaluation
        let generated = TranslationTraining.outputs(of: generator, for: pairs.inputs)
        let error = Double((generated - pairs.targets).abs().mean().scalars[0])
        let shape = [pairs.inputChannels, pairs.height, pairs.width]
        var scores = GeneratorScores(
            meanAbsoluteError: error,
            macs: ChannelCostModel.count(generator, inputShape: shape, measure: .macs),
            parameters: ChannelCostModel.count(generator, inputShape: shape, measure: .parameters))
        switch data.task {
        case .fashionEdges:
            let (features, logits) = classify(generated)
            guard let real = realFeatures[data.task] else { preconditionFailure("GeneratorEvaluation: prepare(_:) was not called") }
            scores.frechetDistance = try FrechetDistance.between(features, real)
            scores.kernelInceptionDistance = KernelInceptionDistance.between(features, real, subsetSize: 500, subsetCount: 20, seed: 0)
            scores.accuracy = PruningCore.accuracy(logits: logits, labels: pairs.labels)
        case .labelMaps:
            guard let truth = pairs.labelMaps else { preconditionFailure("GeneratorEvaluation: label-map pairs without maps") }
            scores.meanIoU = try SegmentationScore(predicted: segment(generated), truth: truth, classCount: pairs.labelMapClassCount).meanIoU
        }
        return scores
    }
}
