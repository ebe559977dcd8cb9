import Foundation
import ModelZoo
import ReaderFuzzing
import Testing

@Suite struct BPETokenizerTests {
    /// A vocabulary of the 256 byte tokens followed by `extra`, with merges producing them.
    static func smallTokenizer(
        extra: [String] = [], merges: [String] = [], specials: [String] = [], preTokenizer: ByteLevelBPETokenizer.PreTokenizer = .gpt2
    ) throws -> ByteLevelBPETokenizer {
        let bytes = (0..<256).map { spell([UInt8($0)]) }
        let tokens = bytes + extra + specials
        let types = [Int](repeating: 1, count: bytes.count + extra.count) + [Int](repeating: 3, count: specials.count)
        return try ByteLevelBPETokenizer(tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: preTokenizer)
    }

    /// GPT-2's byte alphabet, written independently of the implementation.
    static func spell(_ bytes: [UInt8]) -> String {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        var map = [Int: Int]()
        for b in printable { map[b] = b }
        var next = 256
        for b in 0..<256 where map[b] == nil {
            map[b] = next
            next += 1
        }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar(UInt32(map[Int($0)]!))! }))
    }

    @Test("byte alphabet: space is Ġ, newline Ċ, printable bytes stand for themselves")
    func alphabet() throws {
        let tokenizer = try Self.smallTokenizer()
        #expect(tokenizer.tokens[32] == "Ġ" && tokenizer.tokens[10] == "Ċ" && tokenizer.tokens[65] == "A")
        #expect(tokenizer.encode(" \nA") == [32, 10, 65])
        #expect(tokenizer.encode("é") == [0xC3, 0xA9])
    }

    @Test("merges apply lowest rank first, leftmost first among equal pairs")
    func mergeOrder() throws {
        // Ranks: "l l" before "h e"; "he ll" needs both; "hell o" last.
        let tokenizer = try Self.smallTokenizer(
            extra: ["ll", "he", "hell", "hello", "aa", "aaaa", "Ġw"],
            merges: ["l l", "h e", "he ll", "hell o", "a a", "aa aa", "Ġ w"])
        let id = { (token: String) in tokenizer.id(of: token)! }
        #expect(tokenizer.encode("hello") == [id("hello")])
        #expect(tokenizer.encode("hellx") == [id("hell"), 120])
        #expect(tokenizer.encode("helo") == [id("he"), 108, 111])
        #expect(tokenizer.encode("aaa") == [id("aa"), 97])
        #expect(tokenizer.encode("aaaaa") == [id("aaaa"), 97])
        #expect(tokenizer.encode(" world") == [id("Ġw"), 111, 114, 108, 100])
    }

    @Test("long pieces (heap-based merging) agree with short ones")
    func longPieces() throws {
        let tokenizer = try Self.smallTokenizer(extra: ["aa", "aaaa", "ab", "abab"], merges: ["a a", "aa aa", "a b", "ab ab"])
        let aaaa = tokenizer.id(of: "aaaa")!, a = 97
        for count in [1, 2, 3, 7, 8, 95, 96, 97, 200, 201, 1003] {
            let ids = tokenizer.encode(String(repeating: "a", count: count))
            #expect(ids == [Int](repeating: aaaa, count: count / 4) + (count % 4 >= 2 ? [tokenizer.id(of: "aa")!] : []) + (count % 2 == 1 ? [a] : []), "\(count) a's")
        }
        let abab = tokenizer.id(of: "abab")!
        #expect(tokenizer.encode(String(repeating: "ab", count: 300)) == [Int](repeating: abab, count: 150))
        #expect(tokenizer.encode(String(repeating: "ab", count: 301)) == [Int](repeating: abab, count: 150) + [tokenizer.id(of: "ab")!])
    }

    @Test("GPT-2 and SmolLM pre-tokenization")
    func preTokenization() throws {
        let gpt2 = try Self.smallTokenizer()
        let smollm = try Self.smallTokenizer(preTokenizer: .smollm)
        let text = "I'll pay 100 dollars  now,\tok?\n\nDON'T x's"
        #expect(gpt2.preTokenize(text) == ["I", "'ll", " pay", " 100", " dollars", " ", " now", ",", "\t", "ok", "?", "\n", "\n", "DON", "'", "T", " x", "'s"])
        #expect(smollm.preTokenize(text) == ["I", "'ll", " pay", " ", "1", "0", "0", " dollars", " ", " now", ",", "\t", "ok", "?", "\n", "\n", "DON", "'", "T", " x", "'s"])
        #expect(gpt2.preTokenize("a   ") == ["a", "   "])
        #expect(gpt2.preTokenize("  \u{3000}b") == ["  ", "\u{3000}", "b"])
        #expect(gpt2.preTokenize(" \u{3000}b") == [" ", "\u{3000}", "b"])
        #expect(gpt2.preTokenize("Straße ½x ٣") == ["Straße", " ½", "x", " ٣"])
        #expect(smollm.preTokenize("x²y") == ["x", "²", "y"])
        #expect(gpt2.preTokenize("'re're'") == ["'re", "'re", "'"])
        #expect(gpt2.preTokenize("") == [])
    }

    @Test("control tokens are matched whole, longest first, and can be turned off")
    func specialTokens() throws {
        let tokenizer = try Self.smallTokenizer(specials: ["<a>", "<ab>", "<a"])
        let a = tokenizer.id(of: "<a>")!, ab = tokenizer.id(of: "<ab>")!, open = tokenizer.id(of: "<a")!
        #expect(tokenizer.specialTokenIDs == [a, ab, open])
        #expect(tokenizer.encode("x<a>y<ab><a") == [120, a, 121, ab, open])
        #expect(tokenizer.encode("<a>", parsingSpecialTokens: false) == [60, 97, 62])
        #expect(tokenizer.decode([a, 120, ab]) == "<a>x<ab>")
    }

    @Test("decode inverts encode byte for byte on arbitrary text")
    func roundTrip() throws {
        let tokenizer = try Self.smallTokenizer(extra: ["ĠĠ", "Ġt", "he"], merges: ["Ġ Ġ", "Ġ t", "h e"], specials: ["<s>"])
        let texts = ["", " ", "the   quick\n\n brown 🦊 jumps", "naïve café 日本語 🙂 e\u{301}", "\0\u{1}\u{7F}\u{85}\u{A0}\u{AD}",
                     "<s>x<s", String(repeating: "ab c ", count: 50)]
        for text in texts {
            #expect(Array(tokenizer.decode(tokenizer.encode(text)).utf8) == Array(text.utf8), "\(text.debugDescription)")
        }
        #expect(tokenizer.decode([0xC3]) == "\u{FFFD}")
    }

    @Test("invalid vocabularies throw ByteLevelBPEError")
    func invalidVocabulary() throws {
        let bytes = (0..<256).map { Self.spell([UInt8($0)]) }
        #expect(throws: ByteLevelBPEError.invalidMerge(index: 0, merge: "ab", reason: "expected two tokens separated by one space")) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: ["ab"])
        }
        #expect(throws: ByteLevelBPEError.invalidMerge(index: 1, merge: "a  b", reason: "expected two tokens separated by one space")) {
            try ByteLevelBPETokenizer(tokens: bytes + ["ab"], merges: ["a b", "a  b"])
        }
        #expect(throws: ByteLevelBPEError.invalidMerge(index: 0, merge: "a zz", reason: "a part is not in the vocabulary")) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: ["a zz"])
        }
        #expect(throws: ByteLevelBPEError.invalidMerge(index: 0, merge: "a b", reason: "the merged token is not in the vocabulary")) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: ["a b"])
        }
        #expect(throws: ByteLevelBPEError.tokenTypeCountMismatch(types: 1, tokens: 256)) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: [], tokenTypes: [1])
        }
        #expect(throws: ByteLevelBPEError.tokenIDOutOfRange(field: "bos", id: 256, vocabularySize: 256)) {
            try ByteLevelBPETokenizer(tokens: bytes, merges: [], bosTokenID: 256)
        }
        #expect(ByteLevelBPEError.invalidMerge(index: 3, merge: "x y", reason: "r").description.contains("merge 3 'x y'"))
    }

    @Test("BOS is prepended when asked or when the vocabulary says so")
    func bos() throws {
        let bytes = (0..<256).map { Self.spell([UInt8($0)]) }
        let tokenizer = try ByteLevelBPETokenizer(tokens: bytes + ["<s>"], merges: [], bosTokenID: 256, addsBOS: true)
        #expect(tokenizer.encode("a") == [256, 97])
        #expect(tokenizer.encode("a", addingBOS: false) == [97])
    }

    @Test("tokenizer from GGUF metadata, and unsupported models or pre-tokenizers")
    func fromGGUF() throws {
        func file(model: String, pre: String) -> [UInt8] {
            var writer = GGUFBuilder()
            writer.add("tokenizer.ggml.model", .string(model))
            writer.add("tokenizer.ggml.pre", .string(pre))
            writer.add("tokenizer.ggml.tokens", .array(.string((0..<256).map { Self.spell([UInt8($0)]) } + ["ab", "<|end|>"])))
            writer.add("tokenizer.ggml.token_type", .array(.int32([Int32](repeating: 1, count: 257) + [3])))
            writer.add("tokenizer.ggml.merges", .array(.string(["a b"])))
            writer.add("tokenizer.ggml.eos_token_id", .uint32(257))
            writer.add("tokenizer.ggml.add_bos_token", .bool(false))
            return writer.bytes
        }
        try GGUFTestFiles.withFile(file(model: "gpt2", pre: "smollm")) { url in
            let tokenizer = try ByteLevelBPETokenizer(gguf: GGUFFile(contentsOf: url))
            #expect(tokenizer.preTokenizer == .smollm && tokenizer.eosTokenID == 257 && tokenizer.bosTokenID == nil)
            #expect(tokenizer.encode("ab12<|end|>") == [256, 49, 50, 257])
        }
        try GGUFTestFiles.withFile(file(model: "llama", pre: "smollm")) { url in
            #expect(throws: ByteLevelBPEError.unsupportedModel(file: url.path, model: "llama")) {
                try ByteLevelBPETokenizer(gguf: GGUFFile(contentsOf: url))
            }
        }
        try GGUFTestFiles.withFile(file(model: "gpt2", pre: "qwen2")) { url in
            #expect(throws: ByteLevelBPEError.unsupportedPreTokenizer(file: url.path, name: "qwen2")) {
                try ByteLevelBPETokenizer(gguf: GGUFFile(contentsOf: url))
            }
        }
    }

    @Test("concurrent encoding gives the same ids")
    func concurrent() async throws {
        let tokenizer = try Self.smallTokenizer(extra: ["ĠĠ", "Ġt", "he", "Ġthe"], merges: ["Ġ Ġ", "Ġ t", "h e", "Ġt he"])
        let texts = (0..<64).map { "line \($0): the   theme of the thesis \($0 * 7919)" }
        let expected = texts.map { tokenizer.encode($0) }
        let results = await withTaskGroup(of: (Int, [Int]).self) { group in
            for (index, text) in texts.enumerated() { group.addTask { (index, tokenizer.encode(text)) } }
            var results = [[Int]](repeating: [], count: texts.count)
            for await (index, ids) in group { results[index] = ids }
            return results
        }
        #expect(results == expected)
    }
}
