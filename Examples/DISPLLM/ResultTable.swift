import ExampleSupport
import Foundation
import ModelZoo

/// One evaluated model of the table.
struct ResultRow: Codable, Sendable {
    /// The method ("dense", "DISP-LLM", "dependent, activation energy", ...).
    var method: String
    /// The requested fraction of block parameters removed (0 for the dense model).
    var targetRatio: Double
    /// The fraction of block parameters removed, counted from the model's tensors.
    var blockRatio: Double
    /// All parameters, embeddings included.
    var parameters: Int
    /// WikiText-2 test perplexity.
    var perplexity: Double
    /// Next-sentence multiple-choice accuracy.
    var zeroShotAccuracy: Double
    /// Seconds to produce the model (training, calibration, scoring, slicing; nil for dense).
    var pruningSeconds: Double?
    /// Controller training steps (DISP-LLM rows).
    var steps: Int?
    /// Prefill tokens per second.
    var prefillTokensPerSecond: Double
    /// Cached decoding tokens per second (nil for factorized models, which have no cache).
    var decodeTokensPerSecond: Double?
    /// Prefill throughput relative to the dense model in the same run.
    var prefillSpeedup: Double
    /// Decoding throughput relative to the dense model in the same run.
    var decodeSpeedup: Double?
}

/// The run's settings, recorded next to the rows.
struct RunSettings: Codable, Sendable {
    var model: String
    var evaluationTokens: Int
    var windowLength: Int
    var zeroShotItems: Int
    var steps: Int
    var sequenceLength: Int
    var regularizationWeight: Float
    var learningRate: Float
    var calibrationSequences: Int
    var calibrationLength: Int
    var taylorSamples: Int
    var threads: Int
    var cpu: String
}

/// Writes the table as markdown, CSV, JSON and SVG plots.
enum ResultTable {
    /// The markdown table, one row per model in run order.
    static func markdown(_ rows: [ResultRow]) -> String {
        var lines = [
            "| Method | Target | Block params removed | Params | Perplexity | Next-sentence acc. | Pruning s (steps) | Prefill tok/s (×dense) | Decode tok/s (×dense) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let decode = row.decodeTokensPerSecond.map { "\(fixed($0, 1)) (\(fixed(row.decodeSpeedup ?? 0, 2))×)" } ?? "–"
            let time = row.pruningSeconds.map { fixed($0, 0) + (row.steps.map { " (\($0))" } ?? "") } ?? "–"
            lines.append(
                "| \(row.method) | \(percent(row.targetRatio)) | \(percent(row.blockRatio)) | \(millions(row.parameters)) "
                    + "| \(perplexity(row.perplexity)) | \(percent(row.zeroShotAccuracy)) | \(time) "
                    + "| \(fixed(row.prefillTokensPerSecond, 0)) (\(fixed(row.prefillSpeedup, 2))×) | \(decode) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Perplexity (next-sentence accuracy) with one row per method and one column per ratio.
    static func pivot(_ rows: [ResultRow]) -> String {
        let ratios = Array(Set(rows.filter { $0.targetRatio > 0 }.map(\.targetRatio))).sorted()
        var lines = [
            "| Method | " + ratios.map { percent($0) }.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: ratios.count),
        ]
        if let dense = rows.first(where: { $0.targetRatio == 0 }) {
            lines.append("| dense: \(perplexity(dense.perplexity)) (\(percent(dense.zeroShotAccuracy))) |"
                + String(repeating: " |", count: ratios.count))
        }
        for method in methods(rows) {
            let cells = ratios.map { ratio in
                rows.first { $0.method == method && $0.targetRatio == ratio }
                    .map { "\(perplexity($0.perplexity)) (\(percent($0.zeroShotAccuracy)))" } ?? "–"
            }
            lines.append("| \(method) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Comma-separated values with a header.
    static func csv(_ rows: [ResultRow]) -> String {
        var lines = ["method,target_ratio,block_ratio,parameters,perplexity,zero_shot_accuracy,pruning_seconds,steps,prefill_tokens_per_second,decode_tokens_per_second,prefill_speedup,decode_speedup"]
        for row in rows {
            let fields: [String] = [
                "\"\(row.method)\"", "\(row.targetRatio)", "\(row.blockRatio)", "\(row.parameters)", "\(row.perplexity)",
                "\(row.zeroShotAccuracy)", row.pruningSeconds.map { "\($0)" } ?? "", row.steps.map { "\($0)" } ?? "",
                "\(row.prefillTokensPerSecond)", row.decodeTokensPerSecond.map { "\($0)" } ?? "", "\(row.prefillSpeedup)",
                row.decodeSpeedup.map { "\($0)" } ?? "",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Perplexity against the removed fraction, one line per method, logarithmic y axis.
    static func plot(_ rows: [ResultRow]) -> SVGLinePlot {
        let dense = rows.first { $0.targetRatio == 0 }
        let series = methods(rows).map { method in
            let points = rows.filter { $0.method == method }.sorted { $0.targetRatio < $1.targetRatio }
            return SVGLinePlot.Series(
                name: method, x: points.map { 100 * $0.targetRatio }, mean: points.map { $0.perplexity.isFinite ? $0.perplexity : nil })
        }
        return SVGLinePlot(
            title: "SmolLM2-135M: WikiText-2 perplexity against pruning ratio", xLabel: "block parameters removed (%)",
            yLabel: "perplexity (log scale)", series: series,
            reference: dense.map { ($0.perplexity, "dense") }, logarithmicY: true)
    }

    /// Writes `summary.md`, `results.csv`, `results.json`, `perplexity.svg` and, when DISP-LLM
    /// ran, `widths.svg` and `widths.csv` into `folder` (each atomically).
    @discardableResult
    static func write(_ rows: [ResultRow], widths: [WidthFigure.Run], settings: RunSettings, to folder: URL) throws -> [URL] {
        struct Document: Codable { var settings: RunSettings; var rows: [ResultRow]; var widths: [WidthFigure.Run] }
        var files = [
            ("summary.md", markdown(rows) + "\n" + pivot(rows)), ("results.csv", csv(rows)),
            ("results.json", try ResultFiles.json(Document(settings: settings, rows: rows, widths: widths))),
            ("perplexity.svg", plot(rows).render()),
        ]
        if !widths.isEmpty {
            files.append(("widths.svg", WidthFigure.render(widths)))
            files.append(("widths.csv", WidthFigure.csv(widths)))
        }
        return try ResultFiles.write(files, to: folder)
    }

    static func methods(_ rows: [ResultRow]) -> [String] {
        var methods: [String] = []
        for row in rows where row.targetRatio > 0 && !methods.contains(row.method) { methods.append(row.method) }
        return methods
    }

    static func percent(_ value: Double) -> String { ResultFormat.percent(value) }
    static func fixed(_ value: Double, _ decimals: Int) -> String { ResultFormat.fixed(value, decimals) }
    static func millions(_ value: Int) -> String { ResultFormat.millions(value) }
    static func perplexity(_ value: Double) -> String { ResultFormat.perplexity(value) }
}
