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

/// WikiText-2, raw version (Merity et al., 2016, "Pointer Sentinel Mixture Models",
/// arXiv:1609.07843): Wikipedia articles, `wiki.{train,valid,test}.raw`.
public enum WikiText2 {
    /// The splits.
    public enum Split: String, Sendable, CaseIterable {
        /// `wiki.train.raw` (not shipped in the data folder; loads when present).
        case train
        /// `wiki.valid.raw`: 3,760 lines.
        case validation
        /// `wiki.test.raw`: 4,358 lines.
        case test

        /// The validation split (the file's own abbreviation).
        public static var valid: Split { .validation }

        /// The file name.
        public var fileName: String {
            switch self {
            case .train: "wiki.train.raw"
            case .validation: "wiki.valid.raw"
            case .test: "wiki.test.raw"
            }
        }
    }

    /// The split from `wikitext-2-raw/` in the data folder (see ``DataFiles``).
    ///
    /// - Throws: ``DataFilesError`` naming `PRUNING_DATA_DIR` when the file is missing;
    ///   ``DataSetError/notUTF8(file:)``.
    public static func load(split: Split) throws -> TextCorpus {
        try TextCorpus(contentsOf: DataFiles.file("wikitext-2-raw/\(split.fileName)"))
    }

    /// The split from `folder` (holding the `wiki.*.raw` files).
    public static func load(split: Split, from folder: URL) throws -> TextCorpus {
        try TextCorpus(contentsOf: folder.appendingPathComponent(split.fileName))
    }
}

/// Tiny Shakespeare (Karpathy's `char-rnn` corpus): 40,000 lines of Shakespeare's plays,
/// 1,115,394 ASCII characters.
public enum TinyShakespeare {
    /// The text of `tinyshakespeare/input.txt` in the data folder (see ``DataFiles``).
    ///
    /// - Throws: ``DataFilesError`` naming `PRUNING_DATA_DIR` when the file is missing.
    public static func load() throws -> String {
        try TextCorpus(contentsOf: DataFiles.file("tinyshakespeare/input.txt")).text
    }
}
