import Foundation

/// The WikiText-2 text as language-model evaluations feed it to a tokenizer.
///
/// The raw file has one paragraph or heading per line, blank lines as a single space. The
/// protocol used by the pruning literature (GPTQ, SparseGPT, Wanda, SliceGPT, MoDeGPT evaluation
/// code) takes the Hugging Face `wikitext-2-raw-v1` rows — each line with its newline, blank
/// lines as empty strings — and joins them with `"\n\n"`. ``text(split:)`` reproduces that string
/// from the raw file; see `Documentation/Perplexity.md` for the whole protocol.
public enum WikiText2Evaluation {
    /// A split of WikiText-2 raw (the training split is not shipped with the data folder).
    public enum Split: String, Sendable, CaseIterable {
        /// `wiki.test.raw`, for evaluation.
        case test
        /// `wiki.valid.raw`, for calibration.
        case validation = "valid"
    }

    /// The rows of `raw`: every line with its newline, whitespace-only lines as empty strings.
    public static func rows(of raw: String) -> [String] {
        var rows: [String] = []
        var current = ""
        for character in raw {
            current.append(character)
            if character == "\n" {
                rows.append(current.allSatisfy(\.isWhitespace) ? "" : current)
                current = ""
            }
        }
        if !current.isEmpty { rows.append(current.allSatisfy(\.isWhitespace) ? "" : current) }
        return rows
    }

    /// The rows of `raw` joined with `"\n\n"`.
    public static func joined(_ raw: String) -> String {
        rows(of: raw).joined(separator: "\n\n")
    }

    /// The evaluation text of `split`.
    ///
    /// - Throws: ``DataFilesError`` when the data folder or file is missing.
    public static func text(split: Split) throws -> String {
        let url = try DataFiles.file("wikitext-2-raw/wiki.\(split.rawValue).raw")
        return joined(try String(contentsOf: url, encoding: .utf8))
    }
}
