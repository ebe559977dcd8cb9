import ExampleSupport
import Foundation
import ModelZoo
import Memorization

/// The result files of a `memorization` run.
enum MemorizationReport {
    /// What the run measured with, written into results.json and the summary.
    struct Settings: Codable {
        var base: String
        var canaries: Int
        var repetitions: [Int]
        var prefixLength: Int
        var suffixLength: Int
        var trainSamples: Int
        var validationSamples: Int
        var testSamples: Int
        var fineTuneEpochs: Int
        var fineTuneLearningRate: Float
        var fineTuneSteps: Int
        var fineTuneFinalLoss: Double?
        var promptLength: Int
        var training: PromptTrainingConfiguration
        var freezesGeneratorEmbedding: Bool
        var threads: Int
        var cpu: String
        var seconds: Double
    }

    private struct JSONFile: Codable {
        var settings: Settings
        var rows: [ResultRow]
        var training: [String: PromptTrainingReport]
        var promptLengthSweep: [SweepPoint]
    }

    struct SweepPoint: Codable {
        var method: String
        var length: Int
        var exactRate: Double
        var fractionalRate: Double
    }

    static func percent(_ value: Double) -> String { ResultFormat.percent(value) }

    static func relative(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%+.1f %%", 100 * value)
    }

    /// The table: one row per target, model and method.
    static func markdownTable(_ rows: [ResultRow]) -> String {
        let counts = Array(Set(rows.flatMap { $0.exactByRepetitions.keys.compactMap(Int.init) })).sorted()
        var lines = ["| target | model | method | prompt | exact | fractional | suffix loss | rel. exact | rel. fractional | "
            + counts.map { "exact ×\($0)" }.joined(separator: " | ") + (counts.isEmpty ? "" : " | ") + "trained |"]
        lines[0] += " kept / forgotten / new vs dense |"
        lines.append("|" + Array(repeating: "---|", count: 11 + counts.count).joined())
        for row in rows {
            let byCount = counts.map { row.exactByRepetitions["\($0)"].map(percent) ?? "–" }
            let trained = row.trainingSeconds.map { String(format: "%.0f s (step %d)", $0, row.selectedStep ?? 0) } ?? "–"
            lines.append("| \(row.target) | \(row.model) | \(row.method) | \(row.promptLength) | \(percent(row.exactRate)) | "
                + "\(percent(row.fractionalRate)) | \(String(format: "%.3f", row.suffixLoss)) | \(relative(row.relativeExact)) | "
                + "\(relative(row.relativeFractional)) | " + byCount.joined(separator: " | ") + (counts.isEmpty ? "" : " | ") + "\(trained) | "
                + (row.versusDense.map { "\($0.retained) / \($0.forgotten) / \($0.gained)" } ?? "–") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csv(_ rows: [ResultRow]) -> String {
        var lines = ["target,model,method,prompt_length,exact_rate,fractional_rate,suffix_loss,relative_exact,relative_fractional,test_samples,parameters,training_seconds,selected_step,retained_vs_dense,forgotten_vs_dense,gained_vs_dense"]
        for row in rows {
            let fields: [String] = [
                row.target, row.model, row.method, "\(row.promptLength)", String(format: "%.4f", row.exactRate),
                String(format: "%.4f", row.fractionalRate), String(format: "%.4f", row.suffixLoss),
                row.relativeExact.map { String(format: "%.4f", $0) } ?? "", row.relativeFractional.map { String(format: "%.4f", $0) } ?? "",
                "\(row.testSamples)", "\(row.parameters)", row.trainingSeconds.map { String(format: "%.1f", $0) } ?? "",
                row.selectedStep.map(String.init) ?? "",
                row.versusDense.map { "\($0.retained)" } ?? "", row.versusDense.map { "\($0.forgotten)" } ?? "",
                row.versusDense.map { "\($0.gained)" } ?? "",
            ]
            lines.append(fields.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func trainingCSV(_ report: PromptTrainingReport) -> String {
        var lines = ["step,batch_loss,validation_loss,validation_exact,validation_fractional"]
        let byStep = Dictionary(report.evaluations.map { ($0.step, $0) }, uniquingKeysWith: { a, _ in a })
        for step in 0...report.stepLosses.count {
            let loss = step > 0 ? String(format: "%.4f", report.stepLosses[step - 1]) : ""
            let evaluation = byStep[step]
            guard step > 0 || evaluation != nil else { continue }
            lines.append([
                "\(step)", loss, evaluation.map { String(format: "%.4f", $0.loss) } ?? "",
                evaluation?.exactRate.map { String(format: "%.4f", $0) } ?? "",
                evaluation?.fractionalRate.map { String(format: "%.4f", $0) } ?? "",
            ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes every result file into `folder`.
    static func write(
        rows: [ResultRow], curves: [(name: String, report: PromptTrainingReport)],
        sweep: [(method: String, length: Int, exact: Double, fractional: Double)], fineTuneLosses: [Double],
        settings: Settings, to folder: URL
    ) throws -> [URL] {
        let training = SVGLinePlot(
            title: "Validation exact extraction during prompt training", xLabel: "training step", yLabel: "exact extraction rate",
            series: curves.map { curve in
                SVGLinePlot.Series(
                    name: curve.name, x: curve.report.evaluations.map { Double($0.step) },
                    mean: curve.report.evaluations.map(\.exactRate))
            })
        let methods = Array(Set(sweep.map(\.method))).sorted()
        let lengths = SVGLinePlot(
            title: "Exact extraction against prompt length (canary test split)", xLabel: "prompt length (positions)",
            yLabel: "exact extraction rate",
            series: methods.map { method in
                let points = sweep.filter { $0.method == method }.sorted { $0.length < $1.length }
                return SVGLinePlot.Series(name: method, x: points.map { Double($0.length) }, mean: points.map(\.exact))
            })
        let fineTune = SVGLinePlot(
            title: "Fine-tuning loss of the canary target", xLabel: "step", yLabel: "next-token loss (nats)",
            series: [SVGLinePlot.Series(name: "batch loss", x: fineTuneLosses.indices.map { Double($0 + 1) }, mean: fineTuneLosses)])
        let json = JSONFile(
            settings: settings, rows: rows,
            training: Dictionary(curves.map { ($0.name, $0.report) }, uniquingKeysWith: { a, _ in a }),
            promptLengthSweep: sweep.map { SweepPoint(method: $0.method, length: $0.length, exactRate: $0.exact, fractionalRate: $0.fractional) })
        var files: [(name: String, text: String)] = [
            ("summary.md", summary(rows, settings: settings)),
            ("results.csv", csv(rows)),
            ("results.json", try ResultFiles.json(json)),
            ("training.svg", training.render()),
            ("prompt-length.svg", lengths.render()),
        ]
        if !fineTuneLosses.isEmpty { files.append(("fine-tune-loss.svg", fineTune.render())) }
        for curve in curves {
            files.append(("training-\(curve.name.replacingOccurrences(of: " ", with: "-")).csv", trainingCSV(curve.report)))
        }
        return try ResultFiles.write(files, to: folder)
    }

    static func summary(_ rows: [ResultRow], settings: Settings) -> String {
        var text = "# Discoverable memorization under five prompting methods\n\n"
        text += "Base model \(settings.base); \(settings.canaries) random word canaries of \(settings.prefixLength)+\(settings.suffixLength) tokens, "
        text += "planted \(settings.repetitions.map(String.init).joined(separator: "/")) times, fine-tuned for \(settings.fineTuneSteps) steps "
        text += "(peak learning rate \(settings.fineTuneLearningRate)"
        if let loss = settings.fineTuneFinalLoss { text += String(format: ", final batch loss %.3f", loss) }
        text += "); splits \(settings.trainSamples) train / \(settings.validationSamples) validation / \(settings.testSamples) test. "
        text += "Soft prompts of \(settings.promptLength) positions trained \(settings.training.steps) steps of batch \(settings.training.batchSize) "
        text += "(block lr \(settings.training.learningRate), embedding lr \(settings.training.embeddingLearningRate)), the step kept by validation loss. "
        text += "Exact = the fraction of test samples whose greedy \(settings.suffixLength)-token suffix is right in full; fractional = the mean fraction of right suffix tokens; "
        text += "relative = (rate − rate without prompt) / rate without prompt on the same model. "
        text += String(format: "%d thread(s), %@; %.0f s in all.\n\n", settings.threads, settings.cpu, settings.seconds)
        return text + markdownTable(rows)
    }
}
