import ExampleSupport
import Foundation
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
        for method in methods {
            let history = histories[method]!
            let x = history.map { Double($0.epoch) }
            rewardSeries.append(.init(name: "\(method): accuracy (test subset)", x: x, mean: history.map { 100 * $0.validationAccuracy }))
            rewardSeries.append(.init(name: "\(method): mean episode reward", x: x, mean: history.map { $0.meanReward.map { 100 * $0 } }))
            rewardSeries.append(.init(name: "\(method): best sub-network's reward", x: x, mean: history.map { $0.incumbentReward.map { 100 * $0 } }))
            let search = history.filter { $0.phase == .search }
            let sx = search.map { Double($0.epoch) }
            errorSeries.append(.init(name: "\(method): fit over the buffer", x: sx, mean: search.map { $0.decoderFitError.map { 100 * $0 } }))
            errorSeries.append(.init(name: "\(method): on the epoch's new episodes", x: sx, mean: search.map { $0.decoderPredictionError.map { 100 * $0 } }))
        }
        if !rewardSeries.isEmpty {
            files.append(("rewards.svg", SVGLinePlot(
                title: "Rewards and accuracy over the run", xLabel: "epoch", yLabel: "accuracy (%)", series: rewardSeries).render()))
            files.append(("decoder-error.svg", SVGLinePlot(
                title: "Reward-prediction error of the decoder (RMSE)", xLabel: "epoch", yLabel: "RMSE (accuracy points)",
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
