import Foundation

/// A table of text cells written as Markdown or CSV, the form every result table of the
/// examples and the comparison harness takes.
public struct ReportTable: Sendable, Equatable {
    /// The column headers.
    public var columns: [String]
    /// The rows, each with one cell per column.
    public private(set) var rows: [[String]] = []

    /// An empty table with `columns`.
    public init(columns: [String]) {
        self.columns = columns
    }

    /// Appends a row.
    ///
    /// - Parameter cells: one cell per column; missing cells are written empty, extra ones are
    ///   dropped.
    public mutating func append(_ cells: [String]) {
        rows.append((0..<columns.count).map { $0 < cells.count ? cells[$0] : "" })
    }

    /// The table in GitHub Markdown; `|` inside cells is escaped.
    public func markdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var lines = [line(columns), "|" + String(repeating: "---|", count: columns.count)]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table as CSV (RFC 4180: cells holding a comma, quote or line break are quoted, quotes
    /// doubled), with a header line.
    public func csv() -> String {
        func cell(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([columns] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
