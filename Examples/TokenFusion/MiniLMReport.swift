import ExampleSupport
import Foundation
import ModelZoo

/// One row of the all-MiniLM-L6-v2 table.
struct MiniLMRow: Codable, Equatable {
    /// The method's name ("unreduced" for the model as it is).
    var method: String
    /// The tokens removed per layer.
    var r: Int
    /// The real tokens per passage after each layer.
    var tokensAfterEachLayer: [Int]
    /// The mean cosine between each document's reduced and unreduced embedding.
    var meanCosine: Double
    /// The smallest of those cosines.
    var minimumCosine: Double
    /// The retrieval check: nearest-neighbour agreement with the unreduced model, recall@1 and
    /// recall@5 of each query's own document.
    var retrieval: RetrievalCheck.Scores
    /// Passages per CPU-second.
    var passagesPerSecond: Double
    /// Throughput relative to the unreduced model's in the same run.
    var speedup: Double
    /// The speed-up the multiply–add count predicts.
    var predictedSpeedup: Double
}

/// The settings recorded with the results.
struct MiniLMSettings: Codable {
    var model: String
    var passages: Int
    var length: Int
    var minimumQueryWords: Int
    var batchSize: Int
    var timingRounds: Int
    var threads: Int
    var rValues: [Int]
    /// ToFu's per-layer nonlinearity for each r, when the probe ran (keys are r).
    var probedNonlinearity: [String: [Double]]?
    /// The first merging layer the probe implies for each r (keys are r).
    var probedSplits: [String: Int]?
}

/// The table, CSV and JSON of `token-fusion minilm`.
enum MiniLMReport {
    /// The markdown table.
    static func markdown(_ rows: [MiniLMRow]) -> String {
        var lines = ["| method | r | tokens after each layer | mean cos | min cos | top-1 agreement | R@1 | R@5 | passages / CPU-s | speed-up | predicted |",
                     "|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in rows {
            lines.append(String(
                format: "| %@ | %d | %@ | %.4f | %.4f | %.1f %% | %.1f %% | %.1f %% | %.2f | %.2f× | %.2f× |", row.method, row.r,
                row.tokensAfterEachLayer.map(String.init).joined(separator: ", "), row.meanCosine, row.minimumCosine,
                100 * row.retrieval.top1Agreement, 100 * row.retrieval.recallAt1, 100 * row.retrieval.recallAt5,
                row.passagesPerSecond, row.speedup, row.predictedSpeedup))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Comma-separated values with a header; the token counts are joined by spaces, fractions
    /// are in [0, 1].
    static func csv(_ rows: [MiniLMRow]) -> String {
        var lines = ["method,r,tokens_after_each_layer,mean_cosine,min_cosine,top1_agreement,recall_at_1,recall_at_5,"
                     + "passages_per_second,speedup,predicted_speedup"]
        for row in rows {
            lines.append([
                ViTReport.quoted(row.method), "\(row.r)", row.tokensAfterEachLayer.map(String.init).joined(separator: " "),
                "\(row.meanCosine)", "\(row.minimumCosine)", "\(row.retrieval.top1Agreement)", "\(row.retrieval.recallAt1)",
                "\(row.retrieval.recallAt5)", "\(row.passagesPerSecond)", "\(row.speedup)", "\(row.predictedSpeedup)",
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `summary.md`, `results.csv` and `results.json` into `folder`; returns their URLs.
    @discardableResult
    static func write(
        _ rows: [MiniLMRow], settings: MiniLMSettings, normCheck: NormCheck?, summary: String, to folder: URL
    ) throws -> [URL] {
        struct Document: Codable { var settings: MiniLMSettings; var rows: [MiniLMRow]; var normCheck: NormCheck? }
        let json = try ResultFiles.json(Document(settings: settings, rows: rows, normCheck: normCheck))
        return try ResultFiles.write([("summary.md", summary), ("results.csv", csv(rows)), ("results.json", json)], to: folder)
    }
}
