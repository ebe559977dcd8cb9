import Foundation
import ModelZoo
import PruningCore

/// The models and inputs the workloads share, each loaded once, on first use.
final class BenchmarkModels {
    private var llama: LlamaModel?
    private var llamaTokenizer: ByteLevelBPETokenizer?
    private var wikiText: [Int] = []
    private var encoder: SentenceEncoder?

    /// SmolLM2-135M-Instruct from its GGUF file, dequantized to `Float`.
    func languageModel() throws -> LlamaModel {
        if let llama { return llama }
        let start = Date()
        let file = try GGUFFile(contentsOf: ModelFiles.smolLM2())
        let model = try LlamaModel(gguf: file)
        model.eval()
        llama = model
        llamaTokenizer = try ByteLevelBPETokenizer(gguf: file)
        print("loaded SmolLM2-135M (\(model.parameterCount) parameters) in \(format(Date().timeIntervalSince(start), 1)) s\n")
        return model
    }

    /// The first `count` SmolLM2 tokens of the WikiText-2 test text, joined as the perplexity
    /// protocol joins it (``WikiText2Evaluation``).
    func wikiTextTokens(count: Int) throws -> [Int] {
        if wikiText.count >= count { return Array(wikiText.prefix(count)) }
        _ = try languageModel()
        let text = try WikiText2Evaluation.text(split: .test)
        // English runs at about 4 characters a token: 8 per token leaves a wide margin.
        let ids = llamaTokenizer!.encode(String(text.prefix(8 * count)), addingBOS: false, parsingSpecialTokens: false)
        guard ids.count >= count else {
            throw BenchmarkInputError.tooFewTokens(found: ids.count, needed: count)
        }
        wikiText = ids
        return Array(ids.prefix(count))
    }

    /// all-MiniLM-L6-v2, in evaluation mode.
    func sentenceEncoder() throws -> SentenceEncoder {
        if let encoder { return encoder }
        let loaded = try SentenceEncoder.miniLM()
        loaded.model.eval()
        encoder = loaded
        return loaded
    }

    /// The first `count` WikiText-2 test sentences whose MiniLM encoding (`[CLS]` and `[SEP]`
    /// included) has `tokenRange` tokens, in file order.
    ///
    /// Paragraphs are the raw file's lines that are not headings; the tokenized text separates a
    /// full stop by spaces, so sentences end at `" . "`.
    func wikiTextSentences(count: Int, tokenRange: ClosedRange<Int>) throws -> [String] {
        let encoder = try sentenceEncoder()
        let raw = try String(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw"), encoding: .utf8)
        var sentences: [String] = []
        for line in raw.split(separator: "\n") {
            let paragraph = line.trimmingCharacters(in: .whitespaces)
            if paragraph.isEmpty || paragraph.hasPrefix("=") { continue }
            for piece in paragraph.components(separatedBy: " . ") {
                let sentence = piece.hasSuffix(" .") ? piece : piece + " ."
                guard tokenRange.contains(encoder.tokenizer.encode(sentence).count) else { continue }
                sentences.append(sentence)
                if sentences.count == count { return sentences }
            }
        }
        throw BenchmarkInputError.tooFewSentences(found: sentences.count, needed: count, tokenRange: tokenRange)
    }
}

/// The benchmark text is too short for a workload.
enum BenchmarkInputError: Error, CustomStringConvertible {
    /// The WikiText-2 test text gave fewer SmolLM2 tokens than needed.
    case tooFewTokens(found: Int, needed: Int)
    /// The WikiText-2 test text has fewer sentences of the wanted MiniLM length than needed.
    case tooFewSentences(found: Int, needed: Int, tokenRange: ClosedRange<Int>)

    var description: String {
        switch self {
        case .tooFewTokens(let found, let needed):
            "wikitext-2-raw/wiki.test.raw gave \(found) SmolLM2 tokens, fewer than the \(needed) needed"
        case .tooFewSentences(let found, let needed, let range):
            "wikitext-2-raw/wiki.test.raw has \(found) sentences of \(range.lowerBound)–\(range.upperBound) MiniLM tokens, fewer than the \(needed) needed"
        }
    }
}
