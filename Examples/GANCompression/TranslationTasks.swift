import Foundation
import ModelZoo
import PruningCore

/// The two paired tasks of the example, with the pairs each stage uses.
struct TranslationTaskData {
    /// Which task.
    let task: ShippedTranslationModels.Task
    /// The pairs the teachers are trained on.
    let training: PairedImages
    /// The pool the compression methods train on (a prefix of the training pairs).
    let pool: PairedImages
    /// Held-out pairs every model is evaluated on.
    let evaluation: PairedImages

    /// A short name for tables.
    var label: String { task == .fashionEdges ? "edges → garment" : "labels → scene" }

    /// The task's data: Fashion-MNIST's training split (first `trainingCount`) and test split
    /// (first `evaluationCount`) for the edges task; synthetic scenes from seeds 1 (training)
    /// and 2 (evaluation) for the label-map task.
    static func load(_ task: ShippedTranslationModels.Task, trainingCount: Int, poolCount: Int, evaluationCount: Int) throws -> TranslationTaskData {
        let training: PairedImages, evaluation: PairedImages
        switch task {
        case .fashionEdges:
            training = FashionMNISTEdges.pairs(from: try FashionMNIST.load(split: .train).prefix(trainingCount))
            evaluation = FashionMNISTEdges.pairs(from: try FashionMNIST.load(split: .test).prefix(evaluationCount))
        case .labelMaps:
            training = SyntheticLabelMaps.pairs(count: trainingCount, seed: 1)
            evaluation = SyntheticLabelMaps.pairs(count: evaluationCount, seed: 2)
        }
        return TranslationTaskData(task: task, training: training, pool: training.prefix(poolCount), evaluation: evaluation)
    }

    /// A fresh generator of the task's teacher architecture.
    static func generatorConfiguration(_ task: ShippedTranslationModels.Task, baseWidth: Int) -> UNetGenerator.Configuration {
        UNetGenerator.Configuration(
            inputChannels: task == .fashionEdges ? 1 : SyntheticLabelMaps.classCount, outputChannels: 1, baseWidth: baseWidth, levels: 3)
    }

    /// The discriminator architecture of the task.
    static func discriminatorConfiguration(_ task: ShippedTranslationModels.Task, baseWidth: Int) -> PatchDiscriminator.Configuration {
        PatchDiscriminator.Configuration(
            inputChannels: (task == .fashionEdges ? 1 : SyntheticLabelMaps.classCount) + 1, baseWidth: baseWidth, stridedLayers: 2)
    }
}
