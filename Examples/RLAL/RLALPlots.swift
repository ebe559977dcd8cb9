import ExampleSupport
import Foundation
import ModelZoo
import StructuralPruning

/// The run's histories and figures: rewards and accuracy over epochs, the decoder's error with
/// and without the environment code, and the per-layer ratios each method chose.
enum RLALPlots {
    /// `histories.json`, `rewards.svg`, `decoder-error.svg` and `ratios.svg`.
    static func files(histories: [String: [RLALEpoch]], layerRatios: [String: [Double]]) throws -> [(name: String, text: String)] {
        struct Histories: Codable { var histories: [String: [RLALEpoch]]; var layerRatios: [String: [Double]] }
        var files: [(name: String, text: String)] = [("histories.json", try ResultFiles.json(Histories(histories: histories, layerRatios: layerRatios)))]
        let methods = histories.keys.sorted()
        var rewardSeries: [SVGLinePlot.Series] = []
        var errorSeries: [SVGLinePlot.Series] = []
        // The joint runs (RLAL and its ablation) change the reward over epochs; AMC's does not.
        for method in methods where method.hasPrefix("rlal") {
            let history = histories[method]!
            let x = history.map { Double($0.epoch) }
            rewardSeries.append(.init(name: "\(method): accuracy", x: x, mean: history.map { 100 * $0.validationAccuracy }))
            rewardSeries.append(.init(name: "\(method): best reward", x: x, mean: history.map { $0.incumbentReward.map { 100 * $0 } }))
            let search = history.filter { $0.phase == .search }
            let sx = search.map { Double($0.epoch) }
            errorSeries.append(.init(name: "\(method): buffer", x: sx, mean: search.map { $0.decoderFitError.map { 100 * $0 } }))
            errorSeries.append(.init(name: "\(method): new", x: sx, mean: search.map { $0.decoderPredictionError.map { 100 * $0 } }))
        }
        if !rewardSeries.isEmpty {
            files.append(("rewards.svg", SVGLinePlot(
                title: "Masked accuracy (test subset) and the best sub-network's reward", xLabel: "epoch", yLabel: "accuracy (%)",
                series: rewardSeries).render()))
            files.append(("decoder-error.svg", SVGLinePlot(
                title: "Decoder RMSE: over the buffer after fitting, on new episodes before", xLabel: "epoch",
                yLabel: "RMSE (accuracy points)",
                series: errorSeries).render()))
        }
        let ratioSeries = layerRatios.keys.sorted().map { method in
            SVGLinePlot.Series(name: method, x: layerRatios[method]!.indices.map { Double($0 + 1) }, mean: layerRatios[method]!.map { 100 * $0 })
        }
        if !ratioSeries.isEmpty {
            files.append(("ratios.svg", SVGLinePlot(
                title: "Channels removed per block", xLabel: "block", yLabel: "inner channels removed (%)", series: ratioSeries).render()))
        }
        return files
    }
}
