import ExampleSupport
import Foundation
import ModelZoo
import PruningCore

/// One row of a pruned-CNN table: one method at one budget.
public struct ResultRow: Codable, Sendable {
    /// The method.
    public var method: String
    /// The requested fraction of prunable FLOPs removed.
    public var targetRemoved: Double
    /// Accuracy of the dense base model (the trained model the baselines start from; methods
    /// that train from scratch are compared with the same model).
    public var baseAccuracy: Double
    /// Accuracy of the exported pruned model, after whatever fine-tuning the method does.
    public var prunedAccuracy: Double
    /// FLOPs (papers' count) removed from the whole network.
    public var flopsReduction: Double
    /// Parameters removed from the whole network.
    public var parameterReduction: Double
    /// Multiply-accumulates of the exported model (convolutions and the classifier), in
    /// millions (nil in files written before the column existed; `--retime` fills it).
    public var macs: Double?
    /// The kept fraction of prunable FLOPs.
    public var prunableRatio: Double
    /// Measured images/s of the exported model at batch 1, 1 thread (nil until the timing pass).
    public var imagesPerSecondBatch1: Double?
    /// Measured images/s of the exported model at batch 64, 1 thread.
    public var imagesPerSecondBatch64: Double?
    /// The dense model's images/s at batch 64, measured in the same timing pass.
    public var denseImagesPerSecondBatch64: Double?
    /// The largest absolute difference between the exported model's logits and those of the
    /// same model saved and reloaded from disk (on 256 test images).
    public var reloadMaximumDifference: Double
    /// Training epochs of the whole method (pre-training + fine-tuning, or a from-scratch
    /// method's epochs).
    public var totalEpochs: Int
    /// Wall-clock seconds of the method (excluding the shared pre-training).
    public var seconds: Double

    /// A row; the timing fields are filled by the timing pass.
    public init(
        method: String, targetRemoved: Double, baseAccuracy: Double, prunedAccuracy: Double, flopsReduction: Double,
        parameterReduction: Double, macs: Double?, prunableRatio: Double, imagesPerSecondBatch1: Double? = nil,
        imagesPerSecondBatch64: Double? = nil, denseImagesPerSecondBatch64: Double? = nil, reloadMaximumDifference: Double,
        totalEpochs: Int, seconds: Double
    ) {
        self.method = method
        self.targetRemoved = targetRemoved
        self.baseAccuracy = baseAccuracy
        self.prunedAccuracy = prunedAccuracy
        self.flopsReduction = flopsReduction
        self.parameterReduction = parameterReduction
        self.macs = macs
        self.prunableRatio = prunableRatio
        self.imagesPerSecondBatch1 = imagesPerSecondBatch1
        self.imagesPerSecondBatch64 = imagesPerSecondBatch64
        self.denseImagesPerSecondBatch64 = denseImagesPerSecondBatch64
        self.reloadMaximumDifference = reloadMaximumDifference
        self.totalEpochs = totalEpochs
        self.seconds = seconds
    }
}

/// The table of pruned CNNs every CNN example writes: Markdown, CSV, JSON and an accuracy plot.
public enum ResultTable {
    /// The Markdown table.
    public static func markdown(_ rows: [ResultRow]) -> String {
        var lines = [
            "| Method | FLOPs target | Base acc. | Pruned acc. | Δ | FLOPs ↓ | Params ↓ | MACs (M) | images/s b=1 | images/s b=64 (× dense) | Epochs | Seconds |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let batch1 = row.imagesPerSecondBatch1.map { String(format: "%.0f", $0) } ?? "–"
            var batch64 = "–"
            if let speed = row.imagesPerSecondBatch64, let dense = row.denseImagesPerSecondBatch64 {
                batch64 = String(format: "%.0f (%.2f×)", speed, speed / dense)
            }
            lines.append(String(
                format: "| %@ | −%.0f %% | %.2f %% | %.2f %% | %+.2f | %.1f %% | %.1f %% | %@ | %@ | %@ | %d | %.0f |",
                row.method, 100 * row.targetRemoved, 100 * row.baseAccuracy, 100 * row.prunedAccuracy,
                100 * (row.prunedAccuracy - row.baseAccuracy), 100 * row.flopsReduction, 100 * row.parameterReduction,
                row.macs.map { String(format: "%.2f", $0) } ?? "–", batch1, batch64, row.totalEpochs, row.seconds))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The CSV file.
    public static func csv(_ rows: [ResultRow]) -> String {
        var lines = ["method,target_removed,base_accuracy,pruned_accuracy,flops_reduction,parameter_reduction,macs_millions,prunable_ratio,images_per_second_b1,images_per_second_b64,dense_images_per_second_b64,reload_max_difference,total_epochs,seconds"]
        for r in rows {
            lines.append("\"\(r.method)\",\(r.targetRemoved),\(r.baseAccuracy),\(r.prunedAccuracy),\(r.flopsReduction),\(r.parameterReduction),\(optional(r.macs)),\(r.prunableRatio),\(optional(r.imagesPerSecondBatch1)),\(optional(r.imagesPerSecondBatch64)),\(optional(r.denseImagesPerSecondBatch64)),\(r.reloadMaximumDifference),\(r.totalEpochs),\(r.seconds)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func optional(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }

    /// Accuracy against FLOPs removed, one line per method.
    public static func plot(_ rows: [ResultRow], title: String) -> SVGLinePlot {
        var methods: [String] = []
        for row in rows where !methods.contains(row.method) { methods.append(row.method) }
        let series = methods.map { method in
            let points = rows.filter { $0.method == method }.sorted { $0.flopsReduction < $1.flopsReduction }
            return SVGLinePlot.Series(name: method, x: points.map { 100 * $0.flopsReduction }, mean: points.map { 100 * $0.prunedAccuracy })
        }
        return SVGLinePlot(
            title: title, xLabel: "FLOPs removed (%)", yLabel: "test accuracy (%)", series: series,
            reference: rows.first.map { (100 * $0.baseAccuracy, "dense") })
    }

    /// The JSON file's content.
    public struct Document: Codable {
        /// The run's settings and shared measurements.
        public var settings: [String: String]
        /// The rows.
        public var rows: [ResultRow]
    }

    /// Reads `results.json` from `folder`.
    public static func read(from folder: URL) throws -> Document {
        let url = folder.appendingPathComponent("results.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw FormatError.fileNotFound(file: url.path) }
        return try JSONDecoder().decode(Document.self, from: data)
    }

    /// Writes `summary.md`, `results.csv`, `results.json` and `accuracy.svg` (and `extraFiles`)
    /// into `folder`, each atomically.
    @discardableResult
    public static func write(
        _ rows: [ResultRow], settings: [String: String], title: String, to folder: URL, extraFiles: [(name: String, text: String)] = []
    ) throws -> [URL] {
        try ResultFiles.write([
            ("summary.md", markdown(rows)), ("results.csv", csv(rows)),
            ("results.json", try ResultFiles.json(Document(settings: settings, rows: rows))),
            ("accuracy.svg", plot(rows, title: title).render()),
        ] + extraFiles, to: folder)
    }
}
