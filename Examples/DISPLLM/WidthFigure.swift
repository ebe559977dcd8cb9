import ExampleSupport
import Foundation
import ModelZoo

/// The figure of the paper's visual argument: the kept width of each of the five structures in
/// every block, one panel per structure, one line per pruning ratio. Dependent pruning would
/// draw five flat, identical lines; DISP-LLM's differ by block and by structure.
enum WidthFigure {
    /// The learned widths of one DISP-LLM model.
    struct Run: Codable, Sendable {
        /// The method label.
        var method: String
        /// The fraction of block parameters removed.
        var ratio: Double
        /// Kept widths `[layer][S1 … S5]`.
        var keptWidths: [[Int]]
        /// Dense widths `[S1 … S5]`.
        var denseWidths: [Int]
    }

    static let structureNames = ["S1 attention input", "S2 attention output", "S3 MLP input", "S4 MLP neurons", "S5 MLP output"]

    /// One SVG with the five panels stacked.
    static func render(_ runs: [Run]) -> String {
        let panelHeight = 300.0
        var body = ""
        for (structure, name) in structureNames.enumerated() {
            let series = runs.map { run in
                SVGLinePlot.Series(
                    name: "\(run.method) \(Int((100 * run.ratio).rounded())) %",
                    x: run.keptWidths.indices.map(Double.init),
                    mean: run.keptWidths.map { 100 * Double($0[structure]) / Double(run.denseWidths[structure]) })
            }
            var plot = SVGLinePlot(title: name, xLabel: "block", yLabel: "kept width (%)", series: series)
            plot.height = panelHeight
            let svg = plot.render()
            // Nest each panel's document as an <svg> element at its offset.
            let inner = svg.replacingOccurrences(of: "<svg ", with: "<svg y=\"\(Double(structure) * panelHeight)\" ", options: [], range: svg.range(of: "<svg "))
            body += inner.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "") + "\n"
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="820" height="\(Int(panelHeight) * structureNames.count)">
            \(body)</svg>

            """
    }

    /// `method,ratio,layer,s1,…,s5` (kept widths).
    static func csv(_ runs: [Run]) -> String {
        var lines = ["method,ratio,layer,s1,s2,s3,s4,s5"]
        for run in runs {
            for (layer, widths) in run.keptWidths.enumerated() {
                lines.append("\"\(run.method)\",\(run.ratio),\(layer)," + widths.map(String.init).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
