import Foundation
import ModelZoo
import PruningCore

/// Fashion-MNIST images with their prompts ("a wide bright bag") and MiniLM embeddings.
struct PromptedImages {
    /// Images in [−1, 1], `[n, 1, 28, 28]`.
    var images: Tensor
    /// The prompt embeddings `[n, 384]`.
    var conditions: Tensor
    /// The prompt attributes (class, brightness, width) of every image.
    var attributes: [FashionPrompts.Attributes]

    var count: Int { attributes.count }

    /// The rows at `indices`.
    func subset(_ indices: [Int]) -> PromptedImages {
        PromptedImages(images: images.indexSelect(indices, alongAxis: 0), conditions: conditions.indexSelect(indices, alongAxis: 0),
                       attributes: indices.map { attributes[$0] })
    }
}

/// The data of an `aptp` run: the training split the router and experts learn from, the
/// held-out prompts every model draws, and the prompt encoder.
struct APTPData {
    var training: PromptedImages
    var evaluation: PromptedImages
    /// The attribute terciles the teacher was trained with.
    var thresholds: FashionPrompts.Thresholds
    var encoder: SentenceEncoder
    var distinctPrompts: Int

    static func load(trainingCount: Int, evaluationCount: Int, thresholds: FashionPrompts.Thresholds) throws -> APTPData {
        let train = try FashionMNIST.load(split: .train).prefix(trainingCount)
        let test = try FashionMNIST.load(split: .test).prefix(evaluationCount)
        let encoder = try SentenceEncoder.miniLM()
        let trainAttributes = FashionPrompts.attributes(of: train, thresholds: thresholds)
        let testAttributes = FashionPrompts.attributes(of: test, thresholds: thresholds)
        let unique = Array(Set((trainAttributes + testAttributes).map(\.prompt))).sorted()
        let embeddings = encoder.embed(unique)
        let row = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($0.element, $0.offset) })
        func prompted(_ set: ImageClassificationDataSet, _ attributes: [FashionPrompts.Attributes]) -> PromptedImages {
            PromptedImages(images: set.images * 2 - 1, conditions: embeddings.indexSelect(attributes.map { row[$0.prompt]! }, alongAxis: 0),
                           attributes: attributes)
        }
        return APTPData(training: prompted(train, trainAttributes), evaluation: prompted(test, testAttributes), thresholds: thresholds,
                        encoder: encoder, distinctPrompts: unique.count)
    }
}
