import Foundation

/// BERT's WordPiece tokenizer (Wu et al., 2016, "Google's Neural Machine Translation System",
/// https://arxiv.org/abs/1609.08144; Devlin et al., 2019, "BERT"), as Hugging Face's
/// `BertTokenizer`.
///
/// Text is split into words by a ``WordPiecePreTokenizer``; each word is then cut greedily into
/// the longest vocabulary entries, left to right, continuation pieces carrying the `##` prefix
/// (`"unaffable"` → `un ##aff ##able`). A word with a position no entry matches, or longer than
/// ``maximumCharactersPerWord`` Unicode scalars, becomes `[UNK]` as a whole.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(vocabulary: vocabularyURL)
/// let ids = tokenizer.encode("Hello, world!")          // [CLS] hello , world ! [SEP]
/// let batch = tokenizer.encode(["a", "longer text"])   // padded, with an attention mask
/// ```
public struct WordPieceTokenizer: Sendable {
    /// The vocabulary entries by id.
    public let tokens: [String]
    /// The id of each vocabulary entry, keyed by its UTF-8 bytes so that entries are matched
    /// scalar for scalar (Swift's `String` equality would merge canonically equivalent ones).
    private let idsByBytes: [[UInt8]: Int]
    /// How text is split into words.
    public let preTokenizer: WordPiecePreTokenizer
    /// The longest word, in Unicode scalars, that is cut into pieces rather than mapped to
    /// `[UNK]` (100, as BERT).
    public let maximumCharactersPerWord: Int
    /// The prefix of pieces that continue a word.
    public static let continuationPrefix = "##"

    /// The id of `[UNK]`.
    public let unknownID: Int
    /// The id of `[CLS]`, which starts every encoded sequence.
    public let classifierID: Int
    /// The id of `[SEP]`, which ends every encoded sequence.
    public let separatorID: Int
    /// The id of `[PAD]`, which fills batches to a common length.
    public let paddingID: Int

    /// The longest entry, in Unicode scalars: no piece of a word is longer.
    private let longestPiece: Int

    /// A tokenizer reading the vocabulary file `vocab.txt` (one entry per line; the line number,
    /// from 0, is the id).
    ///
    /// - Parameters:
    ///   - vocabulary: the vocabulary file.
    ///   - preTokenizer: how text is split into words (``WordPiecePreTokenizer/uncased`` by
    ///     default).
    ///   - maximumCharactersPerWord: the longest word cut into pieces.
    /// - Throws: ``WordPieceError`` when the file cannot be read, is empty, or lacks `[UNK]`,
    ///   `[CLS]`, `[SEP]` or `[PAD]`.
    public init(
        vocabulary: URL, preTokenizer: WordPiecePreTokenizer = .uncased, maximumCharactersPerWord: Int = 100
    ) throws(WordPieceError) {
        let data: Data
        do {
            data = try Data(contentsOf: vocabulary)
        } catch {
            throw .unreadableVocabulary(file: vocabulary.path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableVocabulary(file: vocabulary.path, reason: "the file is not UTF-8 text")
        }
        // Split on scalars: as a `Character`, "\r\n" is a single grapheme distinct from "\n".
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(String.UnicodeScalarView(line.last == "\r" ? line.dropLast() : line))
        }
        if lines.last == "" { lines.removeLast() }
        try self.init(
            tokens: lines, preTokenizer: preTokenizer, maximumCharactersPerWord: maximumCharactersPerWord,
            source: vocabulary.path)
    }

    /// A tokenizer over the vocabulary `tokens` (entry `i` has id `i`).
    ///
    /// When an entry appears twice, its later id wins, as in Hugging Face's `load_vocab`.
    ///
    /// - Parameters:
    ///   - tokens: the vocabulary, which must include `[UNK]`, `[CLS]`, `[SEP]` and `[PAD]`.
    ///   - preTokenizer: how text is split into words.
    ///   - maximumCharactersPerWord: the longest word cut into pieces.
    ///   - source: names the vocabulary in errors.
    /// - Throws: ``WordPieceError`` when `tokens` is empty or lacks a special token.
    public init(
        tokens: [String], preTokenizer: WordPiecePreTokenizer = .uncased, maximumCharactersPerWord: Int = 100,
        source: String = "(in memory)"
    ) throws(WordPieceError) {
        precondition(maximumCharactersPerWord > 0, "WordPieceTokenizer: maximumCharactersPerWord \(maximumCharactersPerWord) must be positive")
        guard !tokens.isEmpty else { throw .emptyVocabulary(file: source) }
        var ids: [[UInt8]: Int] = [:]
        ids.reserveCapacity(tokens.count)
        var longest = 0
        for (id, token) in tokens.enumerated() {
            ids[Array(token.utf8)] = id
            longest = max(longest, token.unicodeScalars.count)
        }
        func special(_ token: String) throws(WordPieceError) -> Int {
            guard let id = ids[Array(token.utf8)] else { throw .missingSpecialToken(file: source, token: token) }
            return id
        }
        unknownID = try special("[UNK]")
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        paddingID = try special("[PAD]")
        self.tokens = tokens
        idsByBytes = ids
        self.preTokenizer = preTokenizer
        self.maximumCharactersPerWord = maximumCharactersPerWord
        longestPiece = longest
    }

    /// The number of vocabulary entries.
    public var vocabularySize: Int { tokens.count }

    /// The id of the vocabulary entry `token` (compared scalar for scalar), or nil.
    public func id(of token: String) -> Int? { idsByBytes[Array(token.utf8)] }

    /// The word pieces of `text`, without `[CLS]` and `[SEP]`.
    public func tokenize(_ text: String) -> [String] {
        pieceIDs(of: text).map { tokens[$0] }
    }

    /// The ids of the word pieces of `text`, without `[CLS]` and `[SEP]`.
    public func pieceIDs(of text: String) -> [Int] {
        var result: [Int] = []
        for word in preTokenizer.words(in: text) { appendPieceIDs(of: word, to: &result) }
        return result
    }

    /// The ids of `text` as the model reads it: `[CLS]`, the pieces, `[SEP]`, at most `maxLength`
    /// in all (pieces beyond `maxLength − 2` are dropped).
    ///
    /// - Parameters:
    ///   - text: the text to encode.
    ///   - maxLength: the longest result; 256 by default, the sequence length
    ///     sentence-transformers uses for all-MiniLM-L6-v2 (the model has 512 positions).
    /// - Precondition: `maxLength >= 2`.
    public func encode(_ text: String, maxLength: Int = 256) -> [Int] {
        precondition(maxLength >= 2, "WordPieceTokenizer.encode: maxLength \(maxLength) leaves no room for [CLS] and [SEP]")
        let pieces = pieceIDs(of: text)
        return [classifierID] + pieces.prefix(maxLength - 2) + [separatorID]
    }

    /// Encodes each text as ``encode(_:maxLength:)`` and right-pads the sequences with `[PAD]`
    /// to the longest, with an attention mask of 1 on tokens and 0 on padding.
    public func encode(_ texts: [String], maxLength: Int = 256) -> BERTInput {
        BERTInput(sequences: texts.map { encode($0, maxLength: maxLength) }, paddingID: paddingID)
    }

    /// The vocabulary entries of `ids`, joined by spaces, with continuation pieces glued to
    /// their word (`un ##aff ##able` → `unaffable`); `[PAD]` is skipped.
    public func decode(_ ids: [Int]) -> String {
        var text = ""
        for id in ids where id != paddingID {
            precondition(id >= 0 && id < tokens.count, "WordPieceTokenizer.decode: id \(id) is outside 0..<\(tokens.count)")
            let token = tokens[id]
            if token.utf8.starts(with: Self.continuationPrefix.utf8) && !text.isEmpty {
                text += String(decoding: token.utf8.dropFirst(Self.continuationPrefix.utf8.count), as: UTF8.self)
            } else {
                if !text.isEmpty { text += " " }
                text += token
            }
        }
        return text
    }

    /// Appends the ids of the greedy longest-match-first pieces of `word`, or `[UNK]`.
    private func appendPieceIDs(of word: String, to result: inout [Int]) {
        let bytes = Array(word.utf8)
        // boundaries[i] is the byte offset of scalar i; the last entry is bytes.count.
        var boundaries: [Int] = [0]
        for scalar in word.unicodeScalars { boundaries.append(boundaries[boundaries.count - 1] + UTF8.width(scalar)) }
        let scalarCount = boundaries.count - 1
        guard scalarCount <= maximumCharactersPerWord else {
            result.append(unknownID)
            return
        }
        let firstPiece = result.count
        let prefix = Array(Self.continuationPrefix.utf8)
        var candidate: [UInt8] = []
        candidate.reserveCapacity(prefix.count + bytes.count)
        var start = 0
        while start < scalarCount {
            var end = min(scalarCount, start + longestPiece)
            var match: Int?
            while end > start {
                candidate.removeAll(keepingCapacity: true)
                if start > 0 { candidate += prefix }
                candidate += bytes[boundaries[start]..<boundaries[end]]
                if let id = idsByBytes[candidate] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let match else {
                result.removeSubrange(firstPiece...)
                result.append(unknownID)
                return
            }
            result.append(match)
            start = end
        }
    }
}
