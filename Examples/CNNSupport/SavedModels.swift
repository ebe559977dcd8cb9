import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Where the example keeps every exported model, and the one timing pass over them.
public enum SavedModels {
    /// The folder of the exported model of `method` at the budget `ratio` inside `output`.
    public static func folder(output: String, method: String, ratio: Double) -> URL {
        let slug = method.replacingOccurrences(of: " ", with: "-").filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return URL(fileURLWithPath: output).appendingPathComponent("models/\(slug)-\(Int((100 * ratio).rounded()))")
    }

    /// The folder of the dense model inside `output`.
    public static func denseFolder(output: String) -> URL {
        URL(fileURLWithPath: output).appendingPathComponent("models/dense")
    }

    /// Loads a model saved by `ChannelMaskExport.save` with a ResNet base.
    public static func load(from folder: URL) throws -> ResNet {
        try ChannelMaskExport.load(from: folder) { configuration in
            var random = RandomGenerator(seed: 0)
            return ResNet(configuration: configuration, using: &random)
        }
    }

    /// Loads a model saved by `ChannelMaskExport.save` with a MobileNetV2 base.
    public static func loadMobileNetV2(from folder: URL) throws -> MobileNetV2 {
        try ChannelMaskExport.load(from: folder) { configuration in
            var random = RandomGenerator(seed: 0)
            return MobileNetV2(configuration: configuration, using: &random)
        }
    }

    /// Images/s of every model at batch 1 and 64 on one thread: `rounds` rounds that visit
    /// the models in turn, each model keeping its best round (so that a slow moment of the
    /// machine hits every model alike).
    public static func time(_ models: [any Layer], sample: Tensor, rounds: Int) -> [(batch1: Double, batch64: Double)] {
        BLAS.setThreadCount(1)
        ThreadPolicy.maximumThreads = 1
        var best = Array(repeating: (batch1: 0.0, batch64: 0.0), count: models.count)
        for _ in 0..<rounds {
            for (index, model) in models.enumerated() {
                best[index].batch1 = max(best[index].batch1, ImageClassificationEvaluation.imagesPerSecond(of: model, sample: sample, batchSize: 1, repeats: 20))
                best[index].batch64 = max(best[index].batch64, ImageClassificationEvaluation.imagesPerSecond(of: model, sample: sample, batchSize: 64, repeats: 3))
            }
        }
        return best
    }

    /// Times `dense` and `models` (one per row, in order) in one pass and writes into `rows`
    /// and `settings` every model's MACs and images/s and the dense model's.
    public static func measure(
        dense: any ChannelPrunable & Layer, models: [any ChannelPrunable & Layer], rows: inout [ResultRow], settings: inout [String: String],
        sample: Tensor, inputShape: [Int], rounds: Int
    ) {
        precondition(models.count == rows.count, "one model per row")
        let best = time(([dense] + models).map { $0 as any Layer }, sample: sample, rounds: rounds)
        for (index, model) in models.enumerated() {
            rows[index].macs = Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .macs)) / 1e6
            rows[index].imagesPerSecondBatch1 = best[index + 1].batch1
            rows[index].imagesPerSecondBatch64 = best[index + 1].batch64
            rows[index].denseImagesPerSecondBatch64 = best[0].batch64
        }
        settings["denseImagesPerSecondBatch1"] = String(format: "%.0f", best[0].batch1)
        settings["denseImagesPerSecondBatch64"] = String(format: "%.0f", best[0].batch64)
        settings["denseMACsMillions"] = String(format: "%.2f", Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .macs)) / 1e6)
    }
}
