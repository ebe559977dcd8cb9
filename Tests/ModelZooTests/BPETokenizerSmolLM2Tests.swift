import Foundation
import ModelZoo
import Testing

/// Checks the SmolLM2 tokenizer built from the GGUF file against Hugging Face `tokenizers`
/// (fixture `smollm2_bpe_reference.json`, written by `Fixtures/make_bpe_fixture.py`).
@Suite(.enabled(if: SmolLM2File.isAvailable && DataFiles.directory != nil))
struct BPETokenizerSmolLM2Tests {
    struct Reference: Decodable {
        struct Tricky: Decodable {
            let text: String
            let ids: [Int]
            let pre_tokens: [String]
            let decoded: String
        }
        let line_indices: [Int]
        let full_ids: [[Int]]
        let counts: [Int]
        let hashes: [String]
        let tricky: [Tricky]
    }

    static let tokenizer: ByteLevelBPETokenizer? = SmolLM2File.file.flatMap { try? ByteLevelBPETokenizer(gguf: $0) }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: GGUFTestFiles.fixture("smollm2_bpe_reference.json")))
    }

    /// The lines of WikiText-2 test, split on "\n".
    static func wikiLines() throws -> [Substring] {
        let text = try String(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// FNV-1a over the ids, each as 4 little-endian bytes.
    static func hash(_ ids: [Int]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in ids {
            for shift in stride(from: 0, to: 32, by: 8) {
                h ^= UInt64((id >> shift) & 0xFF)
                h = h &* 0x100_0000_01B3
            }
        }
        return h
    }

    @Test("vocabulary and special tokens from the GGUF file")
    func vocabulary() throws {
        let tokenizer = try #require(Self.tokenizer)
        #expect(tokenizer.vocabularySize == 49152 && tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.bosTokenID == 1 && tokenizer.eosTokenID == 2 && tokenizer.unknownTokenID == 0 && tokenizer.paddingTokenID == 2)
        #expect(!tokenizer.addsBOS)
        #expect(tokenizer.specialTokenIDs == Set(0..<17))
        #expect(tokenizer.encode("<|im_start|>user\nHello!") == [1, 4093, 198, 19556, 17])
    }

    @Test("tricky strings: ids, pre-tokens and decoding match the reference")
    func tricky() throws {
        let tokenizer = try #require(Self.tokenizer)
        for entry in try Self.reference().tricky {
            let ids = tokenizer.encode(entry.text)
            #expect(ids == entry.ids, "\(entry.text.debugDescription)")
            let decoded = tokenizer.decode(ids)
            #expect(Array(decoded.utf8) == Array(entry.text.utf8), "\(entry.text.debugDescription)")
            #expect(Array(decoded.utf8) == Array(entry.decoded.utf8))
            if !entry.text.contains("<") {  // the reference pre-tokens ignore special tokens
                #expect(tokenizer.preTokenize(entry.text) == entry.pre_tokens, "\(entry.text.debugDescription)")
            }
        }
    }

    /// The 2,000 reference lines in four chunks, so the chunks run in parallel.
    @Test("WikiText-2 test lines: ids match the reference and decode back exactly", arguments: [0, 500, 1000, 1500])
    func wikiText(firstLine: Int) throws {
        let tokenizer = try #require(Self.tokenizer)
        let reference = try Self.reference()
        let lines = try Self.wikiLines()
        #expect(reference.line_indices.count == 2000 && reference.full_ids.count == 300)
        for position in firstLine..<(firstLine + 500) {
            let lineIndex = reference.line_indices[position]
            let text = String(lines[lineIndex]) + "\n"
            let ids = tokenizer.encode(text)
            if position < reference.full_ids.count {
                #expect(ids == reference.full_ids[position], "line \(lineIndex)")
            }
            #expect(ids.count == reference.counts[position], "line \(lineIndex)")
            #expect(String(Self.hash(ids)) == reference.hashes[position], "line \(lineIndex)")
            #expect(Array(tokenizer.decode(ids).utf8) == Array(text.utf8), "line \(lineIndex)")
        }
    }
}
