import Foundation

/// The WikiText-2 text as language-model evaluations feed it to a tokenizer.
///
/// The protocol used by the pruning literature (GPTQ, SparseGPT, Wanda, SliceGPT, MoDeGPT
/// evaluation code) takes the Hugging Face `wikitext-2-raw-v1` rows — each line with its newline,
/// blank lines as empty strings — and joins them with `"\n\n"` (``TextCorpus/joinedRows``). See
/// `Documentation/Perplexity.md` for the whole protocol.
public enum WikiText2Evaluation {
    /// The splits that ship with the data folder.
    public enum Split: Sendable, CaseIterable {
        /// `wiki.test.raw`, for evaluation.
        case test
        /// `wiki.valid.raw`, for calibration.
        case validation

        var corpusSplit: WikiText2.Split { self == .test ? .test : .validation }
    }

    /// The rows of `raw` (``TextCorpus/rows``).
    public static func rows(of raw: String) -> [String] { TextCorpus(text: raw).rows }

    /// The rows of `raw` joined with `"\n\n"`.
    public static func joined(_ raw: String) -> String { TextCorpus(text: raw).joinedRows }

    /// The evaluation text of `split`.
    ///
    /// - Throws: ``DataFilesError`` when the data folder or file is missing.
    public static func text(split: Split) throws -> String {
        try WikiText2.load(split: split.corpusSplit).joinedRows
    }

    /// What an LLM evaluation reads: the raw test text (for ``NextSentenceTask``) and the token
    /// streams of the test split (to score) and the validation split (to calibrate or train on),
    /// each the joined rows encoded by `encode`.
    ///
    /// - Parameter encode: the tokenizer, e.g. a BPE tokenizer without BOS.
    /// - Throws: ``DataFilesError`` when the data folder or a file is missing.
    public static func tokens(encode: (String) -> [Int]) throws -> (testRaw: String, test: [Int], validation: [Int]) {
        let raw = try WikiText2.load(split: .test).text
        return (raw, encode(joined(raw)), encode(try text(split: .validation)))
    }
}
