import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// One row of the result files: one generator on one task.
struct GANResultRow: Codable, Sendable {
    /// The task's raw name.
    var task: String
    /// The method's key (`teacher`, `mggc`, …).
    var method: String
    /// The table's name for the method.
    var title: String
    /// The quality and size figures.
    var scores: GeneratorScores
    /// Images per second at batch 64 on one thread (filled by the final timing pass).
    var imagesPerSecond: Double?
    /// The standard deviation of the discriminator's loss over the second half of the pruning
    /// phase (learned-gate methods) or of the training (the others).
    var discriminatorLossDeviation: Double?
    /// The same for the generator's adversarial term.
    var generatorLossDeviation: Double?
    /// The mean discriminator loss over the same window.
    var discriminatorLossMean: Double?
    /// The mean generator adversarial term over the same window.
    var generatorLossMean: Double?
    /// The discriminator's MACs at the end (pruned or dense).
    var discriminatorMACs: Int?
    /// The largest |Δ| between the generator and its saved-and-reloaded copy on evaluation inputs.
    var reloadDifference: Double?
    /// Seconds spent compressing (pruning, fine-tuning or training).
    var seconds: Double
}

/// The result files of a run.
struct GANResultDocument: Codable, Sendable {
    var settings: [String: String]
    var rows: [GANResultRow]
    /// Per task and method: the discriminator's and generator's adversarial losses over the
    /// pruning phase (learned-gate methods), for the dynamics plot.
    var dynamics: [String: [String: [[Double]]]]
}

enum GANResultWriter {
    /// `summary.md`, `results.csv`, `results.json` and one `dynamics-<task>.svg` per task.
    static func write(_ document: GANResultDocument, to folder: URL) throws {
        var files: [(name: String, text: String)] = [
            ("summary.md", markdown(document)), ("results.csv", csv(document.rows)), ("results.json", try ResultFiles.json(document)),
        ]
        for (task, methods) in document.dynamics.sorted(by: { $0.key < $1.key }) where !methods.isEmpty {
            files.append(("dynamics-\(task).svg", dynamicsPlot(task: task, methods: methods)))
        }
        try ResultFiles.write(files, to: folder)
    }

    static func format(_ value: Double?, _ pattern: String, scale: Double = 1) -> String {
        value.map { String(format: pattern, $0 * scale) } ?? "–"
    }

    /// One table with both tasks: FD, KID and accuracy on the edges task, mIoU on the label task.
    static func markdown(_ document: GANResultDocument) -> String {
        let rows = document.rows
        let methods = rows.reduce(into: [String]()) { list, row in if !list.contains(row.method) { list.append(row.method) } }
        func row(_ method: String, _ task: ShippedTranslationModels.Task) -> GANResultRow? {
            rows.first { $0.method == method && $0.task == task.rawValue }
        }
        var lines = [
            "| method | FD ↓ | KID ×10³ ↓ | accuracy ↑ | mIoU ↑ | MACs (M) | params (k) | images/s | D loss mean ± sd | G adv mean ± sd | seconds |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for method in methods {
            let edges = row(method, .fashionEdges), labels = row(method, .labelMaps)
            let any = edges ?? labels!
            let macs = [edges, labels].compactMap { $0.map { String(format: "%.2f", Double($0.scores.macs) / 1e6) } }.joined(separator: " / ")
            let parameters = [edges, labels].compactMap { $0.map { String(format: "%.1f", Double($0.scores.parameters) / 1e3) } }.joined(separator: " / ")
            let speed = [edges, labels].compactMap { $0.map { format($0.imagesPerSecond, "%.0f") } }.joined(separator: " / ")
            func spread(_ mean: Double?, _ deviation: Double?) -> String {
                guard let mean, let deviation else { return "–" }
                return String(format: "%.2f ± %.2f", mean, deviation)
            }
            let dLoss = [edges, labels].compactMap { $0.map { spread($0.discriminatorLossMean, $0.discriminatorLossDeviation) } }.joined(separator: " / ")
            let gLoss = [edges, labels].compactMap { $0.map { spread($0.generatorLossMean, $0.generatorLossDeviation) } }.joined(separator: " / ")
            let seconds = [edges, labels].compactMap { $0.map { String(format: "%.0f", $0.seconds) } }.joined(separator: " / ")
            lines.append("| \(any.title) | \(format(edges?.scores.frechetDistance, "%.3f")) | \(format(edges?.scores.kernelInceptionDistance, "%.2f", scale: 1000)) | "
                + "\(format(edges?.scores.accuracy, "%.2f %%", scale: 100)) | \(format(labels?.scores.meanIoU, "%.4f")) | \(macs) | \(parameters) | \(speed) | \(dLoss) | \(gLoss) | \(seconds) |")
        }
        let settings = document.settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        return """
            # GAN compression on two paired tasks

            FD, KID and accuracy: edges → garment (Fashion-MNIST test edges; features and classes of the shipped ResNet-20). \
            mIoU: labels → scene (the shipped segmenter on generated scenes against the input label maps). \
            Where two values are given they are edges / labels. D loss and G adv: the discriminator's loss and the generator's \
            adversarial term (mean ± standard deviation over the second half of the pruning phase for the learned-gate rows, \
            of the training for the others).

            \(lines.joined(separator: "\n"))

            Settings: \(settings).

            """
    }

    static func csv(_ rows: [GANResultRow]) -> String {
        var lines = ["task,method,fd,kid,accuracy,miou,mae,macs,parameters,images_per_second,d_loss_sd,g_loss_sd,d_loss_mean,g_loss_mean,d_macs,reload_difference,seconds"]
        for row in rows {
            let s = row.scores
            let fields: [String] = [
                row.task, row.method, format(s.frechetDistance, "%.6g"), format(s.kernelInceptionDistance, "%.6g"), format(s.accuracy, "%.6g"),
                format(s.meanIoU, "%.6g"), String(format: "%.6g", s.meanAbsoluteError), "\(s.macs)", "\(s.parameters)",
                format(row.imagesPerSecond, "%.1f"), format(row.discriminatorLossDeviation, "%.6g"), format(row.generatorLossDeviation, "%.6g"),
                format(row.discriminatorLossMean, "%.6g"), format(row.generatorLossMean, "%.6g"), row.discriminatorMACs.map { "\($0)" } ?? "", format(row.reloadDifference, "%.3g"),
                String(format: "%.1f", row.seconds),
            ]
            lines.append(fields.map { $0 == "–" ? "" : $0 }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The moving average of `values` over `window` steps.
    static func smoothed(_ values: [Double], window: Int = 25) -> [Double] {
        var result: [Double] = []
        var sum = 0.0
        for (index, value) in values.enumerated() {
            sum += value
            if index >= window { sum -= values[index - window] }
            result.append(sum / Double(min(index + 1, window)))
        }
        return result
    }

    static func dynamicsPlot(task: String, methods: [String: [[Double]]]) -> String {
        var series: [SVGLinePlot.Series] = []
        for (method, curves) in methods.sorted(by: { $0.key < $1.key }) where curves.count == 2 {
            let x = curves[0].indices.map { Double($0 + 1) }
            series.append(.init(name: "D loss: \(method)", x: x, mean: smoothed(curves[0]).map { Optional($0) }))
            series.append(.init(name: "G adv: \(method)", x: x, mean: smoothed(curves[1]).map { Optional($0) }))
        }
        return SVGLinePlot(title: "Loss dynamics while pruning (\(task), 25-step moving average)", xLabel: "update",
                           yLabel: "loss", series: series).render()
    }

    /// The standard deviation and mean of the second half of `values`.
    static func secondHalfStatistics(_ values: [Double]) -> (deviation: Double, mean: Double)? {
        let half = Array(values.dropFirst(values.count / 2))
        guard half.count >= 2 else { return nil }
        let mean = half.reduce(0, +) / Double(half.count)
        let variance = half.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(half.count - 1)
        return (variance.squareRoot(), mean)
    }

    /// A grid: one row per generator (inputs, targets, teacher, methods), one column per sample.
    static func sampleGrid(inputs: Tensor, rows: [(String, Tensor)], to url: URL) throws {
        func tile(_ images: Tensor, _ index: Int) throws -> PNGImage {
            let (c, h, w) = (images.shape[1], images.shape[2], images.shape[3])
            let image = images.sliced(alongAxis: 0, from: index, count: 1).reshaped(to: [c, h * w])
            var values = image.sliced(alongAxis: 0, from: 0, count: 1).scalars
            if c > 1 {
                // A one-hot label map: show the class index as a gray level.
                let all = image.scalars
                values = (0..<(h * w)).map { p in Float((0..<c).max { all[$0 * h * w + p] < all[$1 * h * w + p] }!) / Float(c - 1) * 2 - 1 }
            }
            return try PNGImage(grayscale: values, width: w, height: h, range: -1...1)
        }
        let count = inputs.shape[0]
        var grid: [[PNGImage]] = [try (0..<count).map { try tile(inputs, $0) }]
        for (_, images) in rows { grid.append(try (0..<count).map { try tile(images, $0) }) }
        try PNGImage.grid(grid).write(to: url)
    }
}
