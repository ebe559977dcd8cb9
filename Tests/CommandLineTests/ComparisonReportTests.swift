import Foundation
import Testing
@testable import compare

/// The harness's report: one table per family, quality kept oriented so that larger is better.
@Suite struct ComparisonReportTests {
    static func row(_ family: String, _ method: String, quality: Double, higherIsBetter: Bool, macs: Double) -> ComparisonRow {
        ComparisonRow(
            family: family, model: "m-\(family)", method: method, budget: "b", qualityName: higherIsBetter ? "test accuracy" : "perplexity",
            higherIsBetter: higherIsBetter, quality: quality, secondaryName: nil, secondary: nil, parameters: 1_500_000,
            megaMACs: macs, speedName: "images/s", speed: 200, speedup: 1.5, secondsToPrune: method == "dense" ? nil : 12, training: "none")
    }

    @Test("tables per family, perplexity inverted in quality kept, the plot's points relative to dense")
    func report() throws {
        let report = ComparisonReport(settings: ["mode": "quick"], rows: [
            Self.row("LLM", "dense", quality: 40, higherIsBetter: false, macs: 100),
            Self.row("LLM", "MoDeGPT", quality: 80, higherIsBetter: false, macs: 70),
            Self.row("CNN", "dense", quality: 0.9, higherIsBetter: true, macs: 30),
            Self.row("CNN", "ATO", quality: 0.81, higherIsBetter: true, macs: 9),
        ])
        #expect(report.families == ["LLM", "CNN"])
        let dense = try #require(report.dense(of: "LLM"))
        #expect(report.rows[1].qualityKept(dense: dense) == 50)
        #expect(abs(report.rows[3].qualityKept(dense: report.rows[2]) - 90) < 1e-9)
        let llm = report.table(of: "LLM").markdown()
        #expect(llm.contains("| MoDeGPT | b | 80.00 | 1.5 M | 70.00 | 200 (1.50×) | 12 s | none |"), "\(llm)")
        #expect(report.table(of: "CNN").markdown().contains("| ATO | b | 81.0 % |"))
        let points = report.plot().points
        #expect(points.map(\.label) == ["MoDeGPT", "ATO"])
        #expect(points.map(\.x) == [70, 30] && points[0].y == 50)
        #expect(report.csv().split(separator: "\n").count == 5)
        let markdown = report.markdown()
        #expect(markdown.contains("## LLM: m-LLM") && markdown.contains("## CNN: m-CNN") && markdown.contains("- mode: quick"))
    }
}
