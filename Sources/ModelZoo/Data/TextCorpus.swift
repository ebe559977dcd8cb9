import Foundation

/// A text corpus read from a UTF-8 file with `\n` line endings.
public struct TextCorpus: Sendable, Equatable {
    /// The file's contents, unchanged.
    public let text: String
    /// The file's lines without their `\n` terminators (a final newline does not start an
    /// extra line).
    public let lines: [String]

    /// A corpus holding `text`.
    public init(text: String) {
        self.text = text
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if text.utf8.last == UInt8(ascii: "\n") { lines.removeLast() }
        self.lines = lines
    }

    /// Reads the UTF-8 file at `url`.
    ///
    /// - Throws: ``DataSetError/notUTF8(file:)``, or the file system's error.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else { throw DataSetError.notUTF8(file: url.path) }
        self.init(text: text)
    }

    /// The rows of the Hugging Face `wikitext` data sets: every line with its `\n`, and `""`
    /// for lines holding only whitespace.
    public var rows: [String] {
        lines.map { line in
            line.allSatisfy(\.isWhitespace) ? "" : line + "\n"
        }
    }

    /// The rows joined by blank lines, `"\n\n".join(rows)`: the usual input of perplexity
    /// evaluations on WikiText-2 (as in the GPTQ and SparseGPT evaluation scripts).
    public var joinedRows: String { rows.joined(separator: "\n\n") }
}
