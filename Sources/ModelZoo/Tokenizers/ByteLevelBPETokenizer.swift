import Foundation

/// A GPT-2-style byte-level BPE tokenizer, as used by SmolLM2 and other LLaMA-architecture
/// models distributed in GGUF files.
///
/// Encoding first cuts out control and user-defined tokens written literally in the text (such as
/// `<|im_start|>`, matched leftmost-longest), then splits the rest into pre-tokens (see
/// ``PreTokenizer``), then applies the BPE merges to the UTF-8 bytes of each pre-token. Every
/// byte has a token, so any text encodes, and decoding concatenates the tokens' bytes: for any
/// string `s`, `decode(encode(s)) == s` byte for byte.
///
/// ```swift
/// let tokenizer = try ByteLevelBPETokenizer(gguf: GGUFFile(contentsOf: ModelFiles.smolLM2()))
/// let ids = tokenizer.encode("<|im_start|>user\nHello!")   // [1, 4093, 198, 19556, 17]
/// let text = tokenizer.decode(ids)
/// ```
///
/// Encoded pre-tokens of up to 16 bytes are cached; the tokenizer is safe to use from several
/// threads at once.
public final class ByteLevelBPETokenizer: @unchecked Sendable {
    /// How text is split into pre-tokens before BPE.
    public enum PreTokenizer: String, Sendable, CaseIterable {
        /// The GPT-2 expression
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
        case gpt2
        /// SmolLM: every `\p{N}` scalar is a pre-token on its own, then the GPT-2 expression
        /// splits the text between them.
        case smollm
    }

    /// Token types as stored in GGUF files (llama.cpp's `llama_token_type`).
    public enum TokenType: Int, Sendable {
        /// An ordinary vocabulary token.
        case normal = 1
        /// The unknown token.
        case unknown = 2
        /// A control token such as `<|im_start|>`: matched whole in text.
        case control = 3
        /// A token added by the user: matched whole in text.
        case userDefined = 4
        /// An unused slot.
        case unused = 5
        /// A byte token (SentencePiece vocabularies).
        case byte = 6
    }

    /// The token strings, by id, as spelled in the vocabulary (bytes mapped to printable scalars).
    public let tokens: [String]
    /// The pre-tokenizer.
    public let preTokenizer: PreTokenizer
    /// The beginning-of-sequence token, if any.
    public let bosTokenID: Int?
    /// The end-of-sequence token, if any.
    public let eosTokenID: Int?
    /// The unknown token, if any.
    public let unknownTokenID: Int?
    /// The padding token, if any.
    public let paddingTokenID: Int?
    /// Whether ``encode(_:addingBOS:parsingSpecialTokens:)`` prepends ``bosTokenID`` by default.
    public let addsBOS: Bool
    /// The ids of the tokens matched whole in text (control and user-defined tokens).
    public let specialTokenIDs: Set<Int>

    private let tokenIDs: [String: Int]
    private let tokenBytes: [[UInt8]]
    private let merges: ByteLevelBPEMerges
    /// Special tokens by first byte, longest first.
    private let specialsByFirstByte: [[(bytes: [UInt8], id: Int)]]
    private let cache = ByteLevelBPECache()

    /// The number of tokens.
    public var vocabularySize: Int { tokens.count }

    /// Builds a tokenizer from a vocabulary and merges.
    ///
    /// - Parameters:
    ///   - tokens: the token strings, by id, spelled in GPT-2's byte alphabet (`Ġ` for a space).
    ///   - merges: the merges in rank order, each two tokens separated by one space (`"Ġ t"`).
    ///   - tokenTypes: one ``TokenType`` raw value per token, or `nil` (all normal); control
    ///     (3) and user-defined (4) tokens are matched whole in text.
    ///   - preTokenizer: how text is split before BPE.
    ///   - bosTokenID: the beginning-of-sequence id, or `nil`.
    ///   - eosTokenID: the end-of-sequence id, or `nil`.
    ///   - unknownTokenID: the unknown-token id, or `nil`.
    ///   - paddingTokenID: the padding id, or `nil`.
    ///   - addsBOS: whether encoding prepends `bosTokenID` by default.
    /// - Throws: ``ByteLevelBPEError`` for a malformed merge, a merge whose parts or result are
    ///   not tokens, a token-type list of the wrong length, or a special id out of range.
    public init(
        tokens: [String], merges: [String], tokenTypes: [Int]? = nil, preTokenizer: PreTokenizer = .gpt2,
        bosTokenID: Int? = nil, eosTokenID: Int? = nil, unknownTokenID: Int? = nil, paddingTokenID: Int? = nil,
        addsBOS: Bool = false
    ) throws {
        if let tokenTypes, tokenTypes.count != tokens.count {
            throw ByteLevelBPEError.tokenTypeCountMismatch(types: tokenTypes.count, tokens: tokens.count)
        }
        for (field, id) in [("bos", bosTokenID), ("eos", eosTokenID), ("unknown", unknownTokenID), ("padding", paddingTokenID)] {
            if let id, !(0..<tokens.count).contains(id) {
                throw ByteLevelBPEError.tokenIDOutOfRange(field: field, id: id, vocabularySize: tokens.count)
            }
        }
        self.tokens = tokens
        self.preTokenizer = preTokenizer
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.unknownTokenID = unknownTokenID
        self.paddingTokenID = paddingTokenID
        self.addsBOS = addsBOS

        var ids = [String: Int](minimumCapacity: tokens.count)
        for (id, token) in tokens.enumerated() { ids[token] = id }
        tokenIDs = ids
        tokenBytes = tokens.map { ByteLevelBPEByteMapping.bytes(ofSpelling: $0) ?? Array($0.utf8) }

        var specials = Set<Int>()
        var byFirstByte = [[(bytes: [UInt8], id: Int)]](repeating: [], count: 256)
        for (id, type) in (tokenTypes ?? []).enumerated()
        where type == TokenType.control.rawValue || type == TokenType.userDefined.rawValue {
            let bytes = Array(tokens[id].utf8)
            guard let first = bytes.first else { continue }
            specials.insert(id)
            byFirstByte[Int(first)].append((bytes, id))
        }
        specialsByFirstByte = byFirstByte.map { $0.sorted { $0.bytes.count > $1.bytes.count } }
        specialTokenIDs = specials

        let byteTokens = (0..<256).map { byte in
            Int32(ids[ByteLevelBPEByteMapping.spelling(of: [UInt8(byte)])] ?? -1)
        }
        self.merges = ByteLevelBPEMerges(
            table: try Self.mergeTable(merges, tokenIDs: ids), byteTokens: byteTokens,
            unknownToken: unknownTokenID.map(Int32.init))
    }

    /// `(left << 32) | right` → `(rank << 32) | merged` for each merge; the first occurrence of
    /// a pair sets its rank.
    private static func mergeTable(_ merges: [String], tokenIDs: [String: Int]) throws -> [UInt64: UInt64] {
        var table = [UInt64: UInt64](minimumCapacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ByteLevelBPEError.invalidMerge(index: rank, merge: merge, reason: "expected two tokens separated by one space")
            }
            guard let left = tokenIDs[String(parts[0])], let right = tokenIDs[String(parts[1])] else {
                throw ByteLevelBPEError.invalidMerge(index: rank, merge: merge, reason: "a part is not in the vocabulary")
            }
            guard let merged = tokenIDs[String(parts[0]) + String(parts[1])] else {
                throw ByteLevelBPEError.invalidMerge(index: rank, merge: merge, reason: "the merged token is not in the vocabulary")
            }
            let key = UInt64(left) << 32 | UInt64(right)
            if table[key] == nil { table[key] = UInt64(rank) << 32 | UInt64(merged) }
        }
        return table
    }

    /// The id of the token spelled `token`, or `nil`.
    public func id(of token: String) -> Int? { tokenIDs[token] }

    /// Encodes `text` to token ids.
    ///
    /// - Parameters:
    ///   - text: the text to encode.
    ///   - addingBOS: whether to prepend ``bosTokenID``; `nil` follows ``addsBOS``.
    ///   - parsingSpecialTokens: whether control and user-defined tokens written in the text are
    ///     matched whole (`true`, the default) or encoded as ordinary text.
    public func encode(_ text: String, addingBOS: Bool? = nil, parsingSpecialTokens: Bool = true) -> [Int] {
        var output = [Int32]()
        var scratch = EncodingScratch(isolatesDigits: preTokenizer == .smollm)
        if addingBOS ?? addsBOS, let bosTokenID { output.append(Int32(bosTokenID)) }
        Array(text.utf8).withUnsafeBufferPointer { bytes in
            var segmentStart = 0
            var position = 0
            while position < bytes.count {
                if parsingSpecialTokens, let (length, id) = specialMatch(bytes, at: position) {
                    encodeOrdinary(bytes, segmentStart..<position, into: &output, &scratch)
                    output.append(Int32(id))
                    position += length
                    segmentStart = position
                } else {
                    position += 1
                }
            }
            encodeOrdinary(bytes, segmentStart..<bytes.count, into: &output, &scratch)
        }
        return output.map(Int.init)
    }

    /// The UTF-8 bytes the tokens stand for.
    ///
    /// - Precondition: every id is in `0..<vocabularySize`.
    public func bytes(of ids: [Int]) -> [UInt8] {
        var bytes = [UInt8]()
        for id in ids {
            precondition(id >= 0 && id < tokenBytes.count, "ByteLevelBPETokenizer.decode: token id \(id) is outside the vocabulary of \(tokenBytes.count)")
            bytes.append(contentsOf: tokenBytes[id])
        }
        return bytes
    }

    /// The text the tokens stand for; byte sequences that are not valid UTF-8 (a multi-byte
    /// character cut between tokens at the end of `ids`) decode to U+FFFD.
    ///
    /// - Precondition: every id is in `0..<vocabularySize`.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: bytes(of: ids), as: UTF8.self)
    }

    /// The pre-tokens of `text` (without special-token matching), for inspection.
    public func preTokenize(_ text: String) -> [String] {
        var splitter = ByteLevelBPEPreTokenizer(isolatesDigits: preTokenizer == .smollm)
        var pieces = [Range<Int>]()
        let utf8 = Array(text.utf8)
        utf8.withUnsafeBufferPointer { splitter.split($0, 0..<$0.count, into: &pieces) }
        return pieces.map { String(decoding: utf8[$0], as: UTF8.self) }
    }

    /// The longest special token starting at `position`, as (byte length, id).
    private func specialMatch(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (Int, Int)? {
        let candidates = specialsByFirstByte[Int(bytes[position])]
        if candidates.isEmpty { return nil }
        let remaining = bytes.count - position
        for candidate in candidates where candidate.bytes.count <= remaining {
            var matches = true
            for k in 1..<candidate.bytes.count where bytes[position + k] != candidate.bytes[k] {
                matches = false
                break
            }
            if matches { return (candidate.bytes.count, candidate.id) }
        }
        return nil
    }

    /// Pre-tokenizes `bytes[range]` and appends the BPE tokens of each pre-token.
    private func encodeOrdinary(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into output: inout [Int32], _ scratch: inout EncodingScratch
    ) {
        guard !range.isEmpty else { return }
        scratch.pieces.removeAll(keepingCapacity: true)
        scratch.splitter.split(bytes, range, into: &scratch.pieces)
        for piece in scratch.pieces {
            let pieceBytes = UnsafeBufferPointer(rebasing: bytes[piece])
            let key = ByteLevelBPECache.Key(pieceBytes)
            if let key, cache.append(key, to: &output) { continue }
            let start = output.count
            merges.encode(pieceBytes, into: &output, scratch: &scratch.merge)
            if let key { cache.store(key, output[start...]) }
        }
    }

    /// Buffers reused across the pre-tokens of one ``encode(_:addingBOS:parsingSpecialTokens:)`` call.
    private struct EncodingScratch {
        var splitter: ByteLevelBPEPreTokenizer
        var pieces: [Range<Int>] = []
        var merge = ByteLevelBPEMerges.Scratch()

        init(isolatesDigits: Bool) {
            splitter = ByteLevelBPEPreTokenizer(isolatesDigits: isolatesDigits)
        }
    }
}
