import Foundation
import ModelZoo
import Testing

@Suite struct WordPieceTests {
    /// A small vocabulary: ids 0–4 are the special tokens.
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "u", "un", "##a", "##aff", "##able", "run", "runn", "##ing", "hello", "world", ",", "!", "$",
        "cafe", "我", "爱", "a", "##b", "b", "é", "한국어", "##s",
    ]

    static func tokenizer(_ preTokenizer: WordPiecePreTokenizer = .uncased, maximumCharactersPerWord: Int = 100) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(tokens: vocabulary, preTokenizer: preTokenizer, maximumCharactersPerWord: maximumCharactersPerWord)
    }

    // MARK: WordPiece

    @Test("the longest vocabulary entry wins at each position, continuations carry ##")
    func longestMatch() throws {
        let tokenizer = try Self.tokenizer()
        // "u" and "un" both match at 0; "##a" and "##aff" both match after "un".
        #expect(tokenizer.tokenize("unaffable") == ["un", "##aff", "##able"])
        // "run" and "runn" match; greedy takes "runn" and continues with "##ing".
        #expect(tokenizer.tokenize("running") == ["runn", "##ing"])
        #expect(tokenizer.pieceIDs(of: "unaffable") == [6, 8, 9])
    }

    @Test("a word with an unmatched position becomes a single [UNK]")
    func unknownWord() throws {
        let tokenizer = try Self.tokenizer()
        // "un ##aff ##able" would match, then "x" has no continuation entry: the whole word is [UNK].
        #expect(tokenizer.tokenize("unaffablex hello") == ["[UNK]", "hello"])
        #expect(tokenizer.tokenize("zzz") == ["[UNK]"])
        // A continuation piece is never matched at the start of a word.
        #expect(tokenizer.tokenize("able") == ["[UNK]"])
    }

    @Test("words longer than the limit become [UNK]; at the limit they are cut")
    func wordLengthLimit() throws {
        let tokenizer = try Self.tokenizer(maximumCharactersPerWord: 10)
        #expect(tokenizer.tokenize(String(repeating: "a", count: 11)) == ["[UNK]"])
        #expect(tokenizer.tokenize(String(repeating: "a", count: 10)) == ["a"] + Array(repeating: "##a", count: 9))
        let standard = try Self.tokenizer()
        #expect(standard.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
        #expect(standard.tokenize(String(repeating: "a", count: 100)).count == 100)
    }

    @Test("entries are matched scalar for scalar, not by canonical equivalence")
    func exactScalarMatching() throws {
        // The cased pre-tokenizer keeps accents: the precomposed "é" is an entry, the decomposed
        // "e" + U+0301 is not (Swift's String equality would treat them as equal).
        let tokenizer = try Self.tokenizer(.cased)
        #expect(tokenizer.tokenize("\u{E9}") == ["é"])
        #expect(tokenizer.tokenize("e\u{301}") == ["[UNK]"])
        #expect(tokenizer.id(of: "\u{E9}") == 24)
        #expect(tokenizer.id(of: "e\u{301}") == nil)
    }

    // MARK: Basic tokenization

    @Test("lower-casing and accent stripping (uncased) versus keeping both (cased)")
    func caseAndAccents() throws {
        #expect(WordPiecePreTokenizer.uncased.words(in: "Héllo WÖRLD Café Ångström") == ["hello", "world", "cafe", "angstrom"])
        #expect(WordPiecePreTokenizer.cased.words(in: "Héllo WÖRLD") == ["Héllo", "WÖRLD"])
        // Decomposed input loses its combining marks too.
        #expect(WordPiecePreTokenizer.uncased.words(in: "Cafe\u{301}") == ["cafe"])
        // Accents stripped without lower-casing.
        #expect(WordPiecePreTokenizer(lowercases: false, stripsAccents: true).words(in: "Café") == ["Cafe"])
        // Capital sigma lower-cases to σ everywhere (character by character, as Rust tokenizers).
        #expect(WordPiecePreTokenizer.uncased.words(in: "ΟΔΟΣ") == ["οδοσ"])
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.tokenize("Héllo, CAFÉ!") == ["hello", ",", "cafe", "!"])
    }

    @Test("punctuation: ASCII symbols and Unicode P* characters become words")
    func punctuation() {
        let words = WordPiecePreTokenizer.uncased.words(in: "hello,world! a$b^c`d ¿qué? «x» a—b e.g.")
        #expect(words == ["hello", ",", "world", "!", "a", "$", "b", "^", "c", "`", "d", "¿", "que", "?", "«", "x", "»",
                          "a", "—", "b", "e", ".", "g", "."])
        // Symbols outside the ASCII ranges and the P* categories stay inside words.
        #expect(WordPiecePreTokenizer.uncased.words(in: "2×3 €5") == ["2×3", "€5"])
    }

    @Test("CJK ideographs are isolated; kana and Hangul are not")
    func cjk() throws {
        #expect(WordPiecePreTokenizer.uncased.words(in: "我爱you") == ["我", "爱", "you"])
        #expect(WordPiecePreTokenizer(splitsCJKCharacters: false).words(in: "我爱you") == ["我爱you"])
        #expect(WordPiecePreTokenizer.cased.words(in: "東京は日本") == ["東", "京", "は", "日", "本"])
        #expect(WordPiecePreTokenizer.cased.words(in: "한국어") == ["한국어"])
        // An extension-B ideograph (outside the Basic Multilingual Plane) is isolated too.
        #expect(WordPiecePreTokenizer.uncased.words(in: "a\u{20000}b") == ["a", "\u{20000}", "b"])
        let tokenizer = try Self.tokenizer(.cased)
        #expect(tokenizer.tokenize("我爱한국어") == ["我", "爱", "한국어"])
    }

    @Test("white space splits, control and format characters vanish")
    func cleaning() {
        let text = "\thello\u{200B}there\r\n\u{00A0}world\u{0007}\u{2028}a\u{0000}b\u{FFFD}c"
        #expect(WordPiecePreTokenizer.uncased.words(in: text) == ["hellothere", "world", "abc"])
        #expect(WordPiecePreTokenizer.uncased.words(in: "   ").isEmpty)
        #expect(WordPiecePreTokenizer.uncased.words(in: "").isEmpty)
    }

    // MARK: Encoding

    @Test("encode adds [CLS] and [SEP] and truncates the pieces to fit maxLength")
    func encodeAndTruncate() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.encode("hello world") == [2, 13, 14, 3])
        #expect(tokenizer.encode("a b a b a", maxLength: 4) == [2, 21, 23, 3])
        #expect(tokenizer.encode("a b a b a", maxLength: 2) == [2, 3])
        #expect(tokenizer.encode("") == [2, 3])
    }

    @Test("batch encoding pads with [PAD] to the longest and masks the padding")
    func batchEncoding() throws {
        let tokenizer = try Self.tokenizer()
        let batch = tokenizer.encode(["hello world !", "a", "unaffable"], maxLength: 5)
        #expect(batch.batchSize == 3 && batch.length == 5)
        #expect(batch.tokenIDs == [2, 13, 14, 16, 3, 2, 21, 3, 0, 0, 2, 6, 8, 9, 3])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1])
        #expect(batch.tokenTypeIDs == [Int](repeating: 0, count: 15))
        #expect(batch.validLengths == [5, 3, 5])
        #expect(batch.sequence(at: 1) == [2, 21, 3])
        #expect(!batch.isUnpadded)
    }

    @Test("decode joins pieces and skips padding")
    func decode() throws {
        let tokenizer = try Self.tokenizer()
        #expect(tokenizer.decode([2, 6, 8, 9, 15, 13, 3, 0, 0]) == "[CLS] unaffable , hello [SEP]")
    }

    // MARK: Vocabulary files

    @Test("a vocabulary file assigns ids by line, accepting CRLF line ends")
    func vocabularyFile() throws {
        let url = try Self.temporaryFile(Self.vocabulary.joined(separator: "\r\n") + "\r\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let tokenizer = try WordPieceTokenizer(vocabulary: url)
        #expect(tokenizer.vocabularySize == Self.vocabulary.count)
        #expect(tokenizer.tokens == Self.vocabulary)
        #expect((tokenizer.unknownID, tokenizer.classifierID, tokenizer.separatorID, tokenizer.paddingID) == (1, 2, 3, 0))
        #expect(tokenizer.tokenize("unaffable") == ["un", "##aff", "##able"])
    }

    @Test("unusable vocabularies throw errors naming the file and the problem")
    func vocabularyErrors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/vocab.txt")
        let error = #expect(throws: WordPieceError.self) { try WordPieceTokenizer(vocabulary: missing) }
        guard case .unreadableVocabulary(let file, _)? = error else {
            Issue.record("expected unreadableVocabulary, got \(String(describing: error))")
            return
        }
        #expect(file == missing.path)
        let noSeparator = try Self.temporaryFile("[PAD]\n[UNK]\n[CLS]\nhello\n")
        defer { try? FileManager.default.removeItem(at: noSeparator) }
        #expect(throws: WordPieceError.missingSpecialToken(file: noSeparator.path, token: "[SEP]")) {
            try WordPieceTokenizer(vocabulary: noSeparator)
        }
        let empty = try Self.temporaryFile("")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: WordPieceError.emptyVocabulary(file: empty.path)) { try WordPieceTokenizer(vocabulary: empty) }
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Data([0xFF, 0xFE, 0x00, 0x80]).write(to: binary)
        defer { try? FileManager.default.removeItem(at: binary) }
        #expect(throws: WordPieceError.unreadableVocabulary(file: binary.path, reason: "the file is not UTF-8 text")) {
            try WordPieceTokenizer(vocabulary: binary)
        }
        #expect(WordPieceError.missingSpecialToken(file: "v.txt", token: "[SEP]").description.contains("v.txt"))
    }

    static func temporaryFile(_ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
