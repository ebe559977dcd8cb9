import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// One expert of one method.
struct ExpertRow: Codable, Sendable {
    var code: Int
    /// Fractions of the training and held-out prompts routed to it.
    var trainingShare: Double
    var evaluationShare: Double
    var macs: Int
    var parameters: Int
    var shape: DiffusionUNet.Shape
    /// Denoiser forward passes per second at batch 64 on one thread (final timing pass).
    var imagesPerSecond: Double?
    /// Mean number of attribute words in its held-out prompts.
    var meanAttributeWords: Double?
    /// Its most frequent held-out classes, with counts.
    var topClasses: [String]
    /// The largest |Δ| between the expert and its saved-and-reloaded copy.
    var reloadDifference: Double
}

/// One row of the table.
struct APTPRow: Codable, Sendable {
    var method: String
    var title: String
    var scores: SampleScores
    /// MACs per denoiser call, averaged over the held-out prompts' experts.
    var averageMACs: Double
    var macsFraction: Double
    var averageParameters: Double
    /// Held-out prompts per expert.
    var codeUsage: [Int]
    /// The usage-weighted rate (1 / Σ share_k / rate_k), filled by the timing pass.
    var imagesPerSecond: Double?
    var experts: [ExpertRow]
    /// Mean MACs of the held-out prompts' experts per class and per number of attribute words (0, 1, 2).
    var macsByClass: [Double?]
    var macsByAttributeWords: [Double?]
    var seconds: Double
}

/// The result files of a run.
struct APTPDocument: Codable, Sendable {
    var settings: [String: String]
    var rows: [APTPRow]
    /// Per learned method, per update: the batch's mean MAC ratio and the largest code's share
    /// of the batch (routed updates).
    var curves: [String: [String: [Double?]]]
}

enum APTPResultWriter {
    static func write(_ document: APTPDocument, to folder: URL) throws {
        var files: [(name: String, text: String)] = [
            ("summary.md", markdown(document)), ("results.csv", csv(document.rows)), ("results.json", try ResultFiles.json(document)),
        ]
        if !document.curves.isEmpty {
            files.append(("mac-ratio.svg", plot(document, key: "meanRatio", title: "Mean kept MAC fraction of a batch during pruning", y: "kept MAC fraction")))
            files.append(("code-usage.svg", plot(document, key: "largestShare", title: "Largest code's share of a batch (routed updates)", y: "share of the batch")))
        }
        try ResultFiles.write(files, to: folder)
    }

    static func format(_ value: Double?, _ pattern: String, scale: Double = 1) -> String {
        value.map { String(format: pattern, $0 * scale) } ?? "–"
    }

    static func markdown(_ document: APTPDocument) -> String {
        var lines = ["# Prompt-routed pruning of the Fashion-MNIST diffusion U-Net", ""]
        lines.append("Settings: " + document.settings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".")
        lines.append("")
        lines.append("| method | experts used | MACs / call (M) | of teacher | params (k) | images/s | FD ↓ | KID×10³ ↓ | RBF-MMD ↓ | class prob ↑ | class acc ↑ | attribute acc ↑ | seconds |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for row in document.rows {
            let used = row.codeUsage.count { $0 > 0 }
            lines.append("| \(row.title) | \(used) of \(row.codeUsage.count) | \(format(row.averageMACs, "%.2f", scale: 1e-6)) | \(format(row.macsFraction, "%.1f %%", scale: 100)) | "
                + "\(format(row.averageParameters, "%.1f", scale: 1e-3)) | \(format(row.imagesPerSecond, "%.0f")) | \(format(row.scores.frechetDistance, "%.3f")) | "
                + "\(format(row.scores.kernelInceptionDistance, "%.2f", scale: 1000)) | \(format(row.scores.rbfMMD, "%.2f")) | "
                + "\(format(row.scores.classProbability, "%.3f")) | \(format(row.scores.classAccuracy, "%.3f")) | \(format(row.scores.attributeAccuracy, "%.3f")) | "
                + "\(format(row.seconds, "%.0f")) |")
        }
        for row in document.rows where row.experts.count > 1 {
            lines += ["", "## \(row.title): experts", ""]
            lines.append("| code | training prompts | held-out prompts | MACs (M) | inner channels per block | heads | images/s | attribute words | top classes |")
            lines.append("|---|---|---|---|---|---|---|---|---|")
            for expert in row.experts {
                lines.append("| \(expert.code) | \(format(expert.trainingShare, "%.1f %%", scale: 100)) | \(format(expert.evaluationShare, "%.1f %%", scale: 100)) | "
                    + "\(format(Double(expert.macs), "%.2f", scale: 1e-6)) | \(expert.shape.innerChannels.map(String.init).joined(separator: "/")) | \(expert.shape.heads) | "
                    + "\(format(expert.imagesPerSecond, "%.0f")) | \(format(expert.meanAttributeWords, "%.2f")) | \(expert.topClasses.joined(separator: ", ")) |")
            }
        }
        let routed = document.rows.filter { $0.experts.count > 1 }
        if !routed.isEmpty {
            lines += ["", "## Capacity by prompt (mean MACs of the chosen expert, M)", ""]
            lines.append("| method | 0 attribute words | 1 | 2 | " + FashionPrompts.nouns.joined(separator: " | ") + " |")
            lines.append("|---|---|---|---|" + String(repeating: "---|", count: FashionPrompts.nouns.count))
            for row in routed {
                lines.append("| \(row.title) | " + row.macsByAttributeWords.map { format($0, "%.2f", scale: 1e-6) }.joined(separator: " | ") + " | "
                    + row.macsByClass.map { format($0, "%.2f", scale: 1e-6) }.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csv(_ rows: [APTPRow]) -> String {
        var lines = ["method,experts_used,codes,average_macs,macs_fraction,average_parameters,images_per_second,fd,kid,rbf_mmd,class_probability,class_accuracy,attribute_accuracy,seconds"]
        for row in rows {
            lines.append([row.method, "\(row.codeUsage.count { $0 > 0 })", "\(row.codeUsage.count)", format(row.averageMACs, "%.0f"), format(row.macsFraction, "%.4f"),
                          format(row.averageParameters, "%.0f"), format(row.imagesPerSecond, "%.1f"), format(row.scores.frechetDistance, "%.4f"),
                          format(row.scores.kernelInceptionDistance, "%.6f"), format(row.scores.rbfMMD, "%.4f"), format(row.scores.classProbability, "%.4f"),
                          format(row.scores.classAccuracy, "%.4f"), format(row.scores.attributeAccuracy, "%.4f"), format(row.seconds, "%.1f")].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func plot(_ document: APTPDocument, key: String, title: String, y: String) -> String {
        let series = document.curves.sorted { $0.key < $1.key }.compactMap { method, curves -> SVGLinePlot.Series? in
            guard let values = curves[key], !values.isEmpty else { return nil }
            // Means of 20 updates.
            let window = 20
            let points = stride(from: 0, to: values.count, by: window).map { start -> (Double, Double?) in
                let slice = values[start..<min(start + window, values.count)].compactMap { $0 }
                return (Double(start + window / 2), slice.isEmpty ? nil : slice.reduce(0, +) / Double(slice.count))
            }
            return SVGLinePlot.Series(name: method, x: points.map(\.0), mean: points.map(\.1))
        }
        return SVGLinePlot(title: title, xLabel: "update", yLabel: y, series: series).render()
    }
}
