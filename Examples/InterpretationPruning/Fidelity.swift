import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// One model's explanation fidelity against the original on the fidelity images.
struct FidelityRow: Codable {
    /// The method (`dense` for the original itself).
    var method: String
    /// The fraction of prunable FLOPs removed (0 for the original).
    var targetRemoved: Double
    /// Mean IoU of the top 10 % pixels of the model's RBF saliency against the original's.
    var rbfIoU: Double
    /// Mean distance in pixels between the model's and the original's RBF centres.
    var centreDistance: Double
    /// Mean absolute difference of the RBF widths σ (pixels).
    var widthDifference: Double
    /// Mean IoU of the top 10 % pixels of the model's gradient saliency against the original's.
    var gradientIoU: Double
    /// Deletion and insertion areas under the original's gradient ranking (probability of the class).
    var deletion: Double, insertion: Double
    /// The fraction of images on which the model predicts what the original predicts.
    var agreement: Double
    /// The deletion and insertion curves.
    var deletionCurve: [Double], insertionCurve: [Double]

    static func markdown(_ rows: [FidelityRow]) -> String {
        var lines = ["| Method | FLOPs target | RBF IoU@10 % | centre shift (px) | |Δσ| (px) | gradient IoU@10 % | deletion AUC ↓ | insertion AUC ↑ | agreement |",
                     "|---|---|---|---|---|---|---|---|---|"]
        for row in rows {
            lines.append("| \(row.method) | \(row.targetRemoved > 0 ? "−\(Int((100 * row.targetRemoved).rounded())) %" : "—") | "
                + String(format: "%.3f | %.2f | %.2f | %.3f | %.3f | %.3f | %.1f %% |", row.rbfIoU, row.centreDistance, row.widthDifference,
                         row.gradientIoU, row.deletion, row.insertion, 100 * row.agreement))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csv(_ rows: [FidelityRow]) -> String {
        var lines = ["method,target_removed,rbf_iou,centre_distance,width_difference,gradient_iou,deletion_auc,insertion_auc,agreement"]
        for row in rows {
            lines.append("\(row.method),\(row.targetRemoved),\(row.rbfIoU),\(row.centreDistance),\(row.widthDifference),\(row.gradientIoU),\(row.deletion),\(row.insertion),\(row.agreement)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The original's explanations on the fidelity images, computed once.
struct FidelityReference {
    let pipeline: InterpretationSteeredPruning<ResNet>
    let data: ImageClassificationDataSet
    let rbf: Tensor, masks: Tensor, gradient: Tensor, predictions: [Int]

    init(pipeline: InterpretationSteeredPruning<ResNet>, data: ImageClassificationDataSet) throws {
        self.pipeline = pipeline
        self.data = data
        let parameters = pipeline.saliencyParameters(of: pipeline.original, images: data.images, labels: data.labels)
        rbf = parameters
        masks = withoutGradients { pipeline.saliency.masks(raw: parameters) }
        gradient = ExplanationFidelity.gradientSaliency(of: pipeline.original, images: data.images, classes: data.labels)
        predictions = Self.predictions(of: pipeline.original, data.images)
    }

    static func predictions(of model: ResNet, _ images: Tensor) -> [Int] {
        model.eval()
        return withoutGradients {
            var result: [Int] = []
            for start in stride(from: 0, to: images.shape[0], by: 256) {
                let length = min(256, images.shape[0] - start)
                result += model(images.sliced(alongAxis: 0, from: start, count: length)).max(alongAxis: 1).indices
            }
            return result
        }
    }

    func row(method: String, ratio: Double, model: ResNet) throws -> FidelityRow {
        let raw = pipeline.saliencyParameters(of: model, images: data.images, labels: data.labels)
        let masks = withoutGradients { pipeline.saliency.masks(raw: raw) }
        let (r0, c0, s0) = withoutGradients { pipeline.saliency.geometry(rbf) }
        let (r1, c1, s1) = withoutGradients { pipeline.saliency.geometry(raw) }
        var shift = 0.0, width = 0.0
        for i in 0..<data.count {
            shift += Double(hypotf(r1.scalars[i] - r0.scalars[i], c1.scalars[i] - c0.scalars[i]))
            width += Double(abs(s1.scalars[i] - s0.scalars[i]))
        }
        let gradient = ExplanationFidelity.gradientSaliency(of: model, images: data.images, classes: data.labels)
        let curves = ExplanationFidelity.deletionAndInsertion(of: model, images: data.images, classes: data.labels, order: self.gradient, steps: 16)
        let predicted = Self.predictions(of: model, data.images)
        let agreement = Double(zip(predicted, predictions).filter { $0 == $1 }.count) / Double(max(data.count, 1))
        return FidelityRow(
            method: method, targetRemoved: ratio, rbfIoU: ExplanationFidelity.topFractionIoU(masks, self.masks, fraction: 0.1),
            centreDistance: shift / Double(data.count), widthDifference: width / Double(data.count),
            gradientIoU: ExplanationFidelity.topFractionIoU(gradient, self.gradient, fraction: 0.1),
            deletion: curves.deletion, insertion: curves.insertion, agreement: agreement,
            deletionCurve: curves.deletionCurve, insertionCurve: curves.insertionCurve)
    }
}

/// The run's extra files: fidelity tables, curves, stage histories and the saliency grid.
enum InterpretationFigures {
    static func files(
        fidelity: [FidelityRow], stages: [InterpretationStageRecord], controllers: [String: [InterpretationControllerEpoch]]
    ) throws -> [(name: String, text: String)] {
        struct Stages: Codable { var stages: [InterpretationStageRecord]; var controllers: [String: [InterpretationControllerEpoch]] }
        var files: [(name: String, text: String)] = [
            ("fidelity.md", FidelityRow.markdown(fidelity)), ("fidelity.csv", FidelityRow.csv(fidelity)),
            ("fidelity.json", try ResultFiles.json(fidelity)),
            ("stages.json", try ResultFiles.json(Stages(stages: stages, controllers: controllers))),
        ]
        let curves = fidelity.flatMap { row -> [SVGLinePlot.Series] in
            let name = row.targetRemoved > 0 ? "\(row.method) −\(Int((100 * row.targetRemoved).rounded())) %" : row.method
            let x = row.deletionCurve.indices.map { 100 * Double($0) / Double(max(row.deletionCurve.count - 1, 1)) }
            return [.init(name: "\(name) deletion", x: x, mean: row.deletionCurve.map { 100 * $0 }),
                    .init(name: "\(name) insertion", x: x, mean: row.insertionCurve.map { 100 * $0 })]
        }
        if !curves.isEmpty {
            files.append(("deletion.svg", SVGLinePlot(
                title: "Probability of the class as the original's most salient pixels are deleted / inserted",
                xLabel: "pixels deleted or inserted (%)", yLabel: "probability (%)", series: curves).render()))
        }
        let signal = controllers.keys.sorted().map { key in
            SVGLinePlot.Series(name: key, x: controllers[key]!.map { Double($0.epoch) }, mean: controllers[key]!.map { 100 * $0.prunableRatio })
        }
        if !signal.isEmpty {
            files.append(("controller.svg", SVGLinePlot(
                title: "Prunable FLOPs kept by the controllers' noise-free masks", xLabel: "controller epoch", yLabel: "prunable FLOPs kept (%)",
                series: signal).render()))
        }
        return files
    }

    /// A PNG grid: one row per image; the image, then each model's RBF saliency over it (×3).
    static func saliencyGrid(
        models: [(String, ResNet)], pipeline: InterpretationSteeredPruning<ResNet>, data: ImageClassificationDataSet, to url: URL
    ) throws {
        let (h, w, scale) = (data.height, data.width, 3)
        func upscaled(_ values: ArraySlice<Float>) -> [Float] {
            let base = values.startIndex
            return (0..<(h * scale)).flatMap { r in (0..<(w * scale)).map { c in values[base + (r / scale) * w + c / scale] } }
        }
        let maps = models.map { _, model in
            withoutGradients { pipeline.saliency.masks(raw: pipeline.saliencyParameters(of: model, images: data.images, labels: data.labels)) }.scalars
        }
        let pixels = h * w
        var rows: [[PNGImage]] = []
        for i in 0..<data.count {
            let image = upscaled(data.images.scalars[(i * pixels)..<((i + 1) * pixels)])
            var tiles = [try PNGImage(grayscale: image, width: w * scale, height: h * scale)]
            for map in maps {
                tiles.append(try PNGImage.overlay(grayscale: image, heat: upscaled(map[(i * pixels)..<((i + 1) * pixels)]),
                                                  width: w * scale, height: h * scale))
            }
            rows.append(tiles)
        }
        try PNGImage.grid(rows, padding: 3).write(to: url)
    }
}
