import ExampleSupport
import Foundation
import ModelZoo

/// The harness's result files: one table per family, the rows as CSV and JSON, and one plot of
/// quality kept against cost kept over every family.
struct ComparisonReport: Codable {
    /// What the run was.
    var settings: [String: String]
    /// Every row, in the order measured.
    var rows: [ComparisonRow]

    /// The families in order of first appearance.
    var families: [String] {
        var seen: [String] = []
        for row in rows where !seen.contains(row.family) { seen.append(row.family) }
        return seen
    }

    /// The dense row of `family`.
    func dense(of family: String) -> ComparisonRow? {
        rows.first { $0.family == family && $0.method == "dense" }
    }

    /// The table of one family.
    func table(of family: String) -> ReportTable {
        let members = rows.filter { $0.family == family }
        guard let first = members.first else { return ReportTable(columns: []) }
        var columns = ["Method", "Budget", first.qualityName + (first.higherIsBetter ? " ↑" : " ↓")]
        if let secondary = first.secondaryName { columns.append(secondary + " ↑") }
        columns += ["Params", "MMACs", first.speedName + " (× dense)"]
        if let extra = first.extraSpeedName { columns.append(extra + " (× dense)") }
        columns += ["Time to prune", "Training"]
        var table = ReportTable(columns: columns)
        for row in members {
            var cells = [row.method, row.budget, Self.format(row.quality, name: row.qualityName)]
            if first.secondaryName != nil { cells.append(row.secondary.map { Self.format($0, name: row.secondaryName ?? "") } ?? "–") }
            cells += [
                row.parameters >= 1_000_000 ? ResultFormat.millions(row.parameters) : String(format: "%.1f k", Double(row.parameters) / 1e3), String(format: "%.2f", row.megaMACs),
                Self.speed(row.speed, row.speedup),
            ]
            if first.extraSpeedName != nil { cells.append(row.extraSpeed.map { Self.speed($0, row.extraSpeedup ?? 0) } ?? "–") }
            cells += [
                row.secondsToPrune.map { String(format: "%.0f s", $0) } ?? "–", row.training,
            ]
            table.append(cells)
        }
        return table
    }

    /// A speed with its ratio to the dense model's.
    static func speed(_ value: Double, _ ratio: Double) -> String {
        String(format: value >= 100 ? "%.0f (%.2f×)" : "%.1f (%.2f×)", value, ratio)
    }

    /// A quality figure: percentages for accuracies and probabilities, otherwise a number.
    static func format(_ value: Double, name: String) -> String {
        if name.contains("accuracy") { return ResultFormat.percent(value) }
        if name.contains("perplexity") { return ResultFormat.perplexity(value) }
        return String(format: value.magnitude >= 100 ? "%.1f" : "%.3f", value)
    }

    /// The plot: quality kept (dense = 100) against MACs kept (dense = 100), one colour per family.
    func plot() -> SVGScatterPlot {
        var points: [SVGScatterPlot.Point] = []
        for family in families {
            guard let dense = dense(of: family) else { continue }
            for row in rows where row.family == family && row.method != "dense" {
                points.append(.init(
                    group: "\(family): \(dense.model)", label: row.method,
                    x: 100 * row.megaMACs / dense.megaMACs, y: row.qualityKept(dense: dense)))
            }
        }
        return SVGScatterPlot(
            title: "Quality kept against compute kept, every method at its family's budget",
            xLabel: "MACs per sample kept (% of the dense model)",
            yLabel: "quality kept (dense = 100; perplexity and FD inverted)",
            points: points, xReference: 100, yReference: 100)
    }

    /// The Markdown summary: settings, then one table per family.
    func markdown() -> String {
        var text = "# Method comparison\n\n"
        text += settings.sorted { $0.key < $1.key }.map { "- \($0.key): \($0.value)" }.joined(separator: "\n") + "\n"
        for family in families {
            let model = dense(of: family)?.model ?? rows.first { $0.family == family }?.model ?? ""
            text += "\n## \(family): \(model)\n\n" + table(of: family).markdown()
        }
        text += "\n![Quality kept against compute kept](comparison.svg)\n"
        return text
    }

    /// Every row as CSV.
    func csv() -> String {
        var table = ReportTable(columns: [
            "family", "model", "method", "budget", "quality_name", "higher_is_better", "quality", "secondary_name", "secondary",
            "parameters", "mega_macs", "speed_name", "speed", "speedup", "extra_speed_name", "extra_speed", "extra_speedup",
            "seconds_to_prune", "training",
        ])
        for row in rows {
            table.append([
                row.family, row.model, row.method, row.budget, row.qualityName, "\(row.higherIsBetter)", "\(row.quality)",
                row.secondaryName ?? "", row.secondary.map { "\($0)" } ?? "", "\(row.parameters)", "\(row.megaMACs)",
                row.speedName, "\(row.speed)", "\(row.speedup)", row.extraSpeedName ?? "", row.extraSpeed.map { "\($0)" } ?? "",
                row.extraSpeedup.map { "\($0)" } ?? "", row.secondsToPrune.map { "\($0)" } ?? "", row.training,
            ])
        }
        return table.csv()
    }

    /// Writes summary.md, results.csv, results.json and comparison.svg into `folder`, each
    /// replaced atomically.
    func write(to folder: URL) throws {
        try ResultFiles.write([
            ("summary.md", markdown()), ("results.csv", csv()), ("results.json", try ResultFiles.json(self)),
            ("comparison.svg", plot().render()),
        ], to: folder)
    }
}
