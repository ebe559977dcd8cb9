import ExampleSupport
import Foundation
import ModelZoo
import TokenFusion

/// One row of the ViT table.
struct ViTRow: Codable, Equatable {
    /// The method's name ("unmodified" for the model as trained).
    var method: String
    /// The tokens removed per layer.
    var r: Int
    /// The real tokens per image after each block.
    var tokensAfterEachLayer: [Int]
    /// Top-1 accuracy on the evaluated test images, in [0, 1].
    var accuracy: Double
    /// Images per CPU-second at the timing batch size.
    var imagesPerSecond: Double
    /// Throughput relative to the unmodified model's in the same run.
    var speedup: Double
    /// The speed-up of the blocks that the multiply–add count predicts.
    var predictedSpeedup: Double
}

/// The settings recorded with the results.
struct ViTSettings: Codable {
    var checkpoint: String
    var checkpointTraining: String
    var testImages: Int
    var timingImages: Int
    var timingRounds: Int
    var batchSize: Int
    var threads: Int
    var rValues: [Int]
    var tokenCount: Int
    var layerCount: Int
    var fineTuning: ViTFineTuning?
    var fineTuningLosses: [String: [Double]]
}

/// The table, CSV, JSON and plot of `token-fusion vit`.
enum ViTReport {
    /// The markdown table.
    static func markdown(_ rows: [ViTRow]) -> String {
        var lines = ["| method | r | tokens after each block | top-1 accuracy | images / CPU-s | speed-up | predicted |",
                     "|---|---|---|---|---|---|---|"]
        for row in rows {
            lines.append(String(format: "| %@ | %d | %@ | %.2f %% | %.0f | %.2f× | %.2f× |", row.method, row.r,
                                row.tokensAfterEachLayer.map(String.init).joined(separator: ", "), 100 * row.accuracy,
                                row.imagesPerSecond, row.speedup, row.predictedSpeedup))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Comma-separated values with a header; the token counts are joined by spaces.
    static func csv(_ rows: [ViTRow]) -> String {
        var lines = ["method,r,tokens_after_each_layer,accuracy,images_per_second,speedup,predicted_speedup"]
        for row in rows {
            lines.append([quoted(row.method), "\(row.r)", row.tokensAfterEachLayer.map(String.init).joined(separator: " "),
                          "\(row.accuracy)", "\(row.imagesPerSecond)", "\(row.speedup)", "\(row.predictedSpeedup)"]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field in double quotes, inner quotes doubled.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Accuracy (%) against throughput, one line per method over r, each starting from the
    /// unmodified model; rows whose method has a single point are drawn as dots.
    static func plot(_ rows: [ViTRow], title: String) -> SVGLinePlot {
        let base = rows.first { $0.r == 0 && $0.method == "unmodified" }
        var methods: [String] = []
        for row in rows where row.method != "unmodified" && !methods.contains(row.method) { methods.append(row.method) }
        let series = methods.map { method in
            var points = rows.filter { $0.method == method }.sorted { $0.r < $1.r }
            if let base, points.count > 1 { points.insert(base, at: 0) }
            return SVGLinePlot.Series(
                name: method, x: points.map(\.imagesPerSecond), mean: points.map { 100 * $0.accuracy })
        }
        return SVGLinePlot(
            title: title, xLabel: "images per CPU-second (batch of 64)", yLabel: "top-1 accuracy (%)",
            series: series, reference: base.map { (100 * $0.accuracy, "unmodified") })
    }

    /// Writes `summary.md`, `results.csv`, `results.json` and `accuracy-throughput.svg` into
    /// `folder`; returns their URLs.
    @discardableResult
    static func write(
        _ rows: [ViTRow], settings: ViTSettings, normCheck: NormCheck?, summary: String, to folder: URL
    ) throws -> [URL] {
        struct Document: Codable { var settings: ViTSettings; var rows: [ViTRow]; var normCheck: NormCheck? }
        let json = try ResultFiles.json(Document(settings: settings, rows: rows, normCheck: normCheck))
        let files = [
            ("summary.md", summary), ("results.csv", csv(rows)), ("results.json", json),
            ("accuracy-throughput.svg", plot(rows, title: "Fashion-MNIST ViT: accuracy against throughput").render()),
        ]
        return try ResultFiles.write(files, to: folder)
    }
}
