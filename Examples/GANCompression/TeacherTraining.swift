import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// `--train-teachers`: trains the pix2pix teacher of each task and the label-map segmenter, and
/// writes them (with summaries and checksums) in the layout `ShippedTranslationModels` reads.
struct TeacherTraining {
    var steps: Int
    var segmenterSteps: Int
    var baseWidth: Int
    var discriminatorWidth: Int
    var seed: UInt64

    func run(tasks: [TranslationTaskData], output: URL, evaluation: (UNetGenerator, TranslationTaskData) throws -> [String: Double]) throws {
        var models: [(name: String, generator: UNetGenerator, discriminator: PatchDiscriminator?, summary: ShippedTranslationModels.Summary)] = []
        let began = ContinuousClock.now
        for data in tasks {
            var random = RandomGenerator(seed: seed)
            let generator = UNetGenerator(configuration: TranslationTaskData.generatorConfiguration(data.task, baseWidth: baseWidth), using: &random)
            let discriminator = PatchDiscriminator(configuration: TranslationTaskData.discriminatorConfiguration(data.task, baseWidth: discriminatorWidth), using: &random)
            var recipe = TranslationTraining(steps: steps)
            recipe.seed = seed
            writeLine("teacher \(data.task.rawValue): \(steps) steps at batch \(recipe.batchSize) on \(data.training.count) pairs")
            let start = ContinuousClock.now
            try recipe.train(generator, discriminator: discriminator, on: data.training) { record in
                if record.step % 250 == 0 || record.step == steps {
                    let seconds = (ContinuousClock.now - start) / .seconds(1)
                    writeLine(String(format: "  step %d/%d: D %.3f, G adv %.3f, L1 %.4f  [%.0f s, ETA %.0f s]", record.step, steps,
                                     record.discriminator, record.generatorAdversarial, record.reconstruction, seconds,
                                     seconds / Double(record.step) * Double(steps - record.step)))
                }
            }
            let metrics = try evaluation(generator, data)
            writeLine("  held-out: " + metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: ", "))
            models.append((data.task.rawValue, generator, discriminator, .init(
                generator: generator.configuration, discriminator: discriminator.configuration,
                recipe: "gan-compression --train-teachers --teacher-steps \(steps): pix2pix (λ_L1 = 100), Adam 2e-4 β = (0.5, 0.999), linear decay over the last half, batch \(recipe.batchSize), \(data.training.count) pairs, seed \(seed)",
                metrics: metrics)))
        }
        if let labels = tasks.first(where: { $0.task == .labelMaps }) {
            let segmenter = try trainSegmenter(on: labels.training)
            let miou = try SegmentationScore(
                predicted: SegmentationScore.classes(ofScores: TranslationTraining.outputs(of: segmenter, for: labels.evaluation.targets)),
                truth: labels.evaluation.labelMaps!, classCount: SyntheticLabelMaps.classCount)
            writeLine(String(format: "segmenter: mIoU %.4f, pixel accuracy %.4f on %d real held-out scenes", miou.meanIoU, miou.pixelAccuracy, labels.evaluation.count))
            models.append((ShippedTranslationModels.segmenterName, segmenter, nil, .init(
                generator: segmenter.configuration, discriminator: nil,
                recipe: "gan-compression --train-teachers --segmenter-steps \(segmenterSteps): per-pixel cross-entropy on real scenes, Adam 1e-3, batch 32, seed \(seed)",
                metrics: ["meanIoU": miou.meanIoU, "pixelAccuracy": miou.pixelAccuracy])))
        }
        try ShippedTranslationModels.write(models, to: output)
        writeLine(String(format: "wrote %@ in %.0f s", output.path, (ContinuousClock.now - began) / .seconds(1)))
    }

    /// A U-Net per-pixel classifier from scene images to their label maps.
    func trainSegmenter(on pairs: PairedImages) throws -> UNetGenerator {
        var random = RandomGenerator(seed: seed &+ 11)
        let model = UNetGenerator(configuration: .init(inputChannels: 1, outputChannels: SyntheticLabelMaps.classCount, baseWidth: 16,
                                                       levels: 3, outputActivation: .identity), using: &random)
        let optimizer = Adam(learningRate: 1e-3)
        var order = RandomGenerator(seed: seed &+ 12)
        let pixels = pairs.height * pairs.width
        let maps = pairs.labelMaps!
        model.train()
        for step in 1...segmenterSteps {
            let indices = (0..<32).map { _ in Int(order.nextUniformDouble() * Double(pairs.count)) % pairs.count }
            let images = pairs.targets.indexSelect(indices, alongAxis: 0)
            let labels = indices.flatMap { maps[($0 * pixels)..<(($0 + 1) * pixels)] }
            let (loss, gradients) = valueAndGradient(of: model) {
                let scores = model(images).permuted([0, 2, 3, 1]).reshaped(to: [indices.count * pixels, SyntheticLabelMaps.classCount])
                return crossEntropy(logits: scores, labels: labels)
            }
            optimizer.update(model, along: gradients)
            if step % 250 == 0 { writeLine(String(format: "  segmenter step %d/%d: loss %.4f", step, segmenterSteps, loss.scalars[0])) }
        }
        model.eval()
        return model
    }
}
