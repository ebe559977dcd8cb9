import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

/// all-MiniLM-L6-v2 against the reference written by `Fixtures/make_minilm_fixture.py`
/// (Hugging Face `tokenizers` ids and `transformers` `BertModel` embeddings for 8 sentences:
/// short, a 151-token WikiText-2 paragraph, accents, punctuation, CJK and Hangul, digits,
/// contractions, white space and control characters; and the ids of a WikiText-2 paragraph of
/// 344 pieces truncated to 256 tokens).
@Suite(.enabled(if: (try? ModelFiles.miniLM()) != nil, "all-MiniLM-L6-v2 files not found"))
struct BERTMiniLMTests {
    struct Reference: Decodable {
        struct Sentence: Decodable {
            let text: String
            let ids: [Int]
            let embedding: [Float]
            let lastHiddenState: [[Float]]?
        }
        struct Truncated: Decodable {
            let text: String
            let ids: [Int]
        }
        let maxLength: Int
        let sentences: [Sentence]
        let truncated: Truncated
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/minilm_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var (dot, aa, bb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            aa += Double(x) * Double(x)
            bb += Double(y) * Double(y)
        }
        return dot / (aa * bb).squareRoot()
    }

    @Test("WordPiece ids equal the reference tokenizer's for every sentence")
    func tokenIDs() throws {
        let reference = try Self.reference()
        let tokenizer = try WordPieceTokenizer(vocabulary: try ModelFiles.miniLM().vocabulary)
        #expect(tokenizer.vocabularySize == 30522)
        for sentence in reference.sentences {
            #expect(tokenizer.encode(sentence.text, maxLength: reference.maxLength) == sentence.ids, "\(sentence.text.prefix(40))")
        }
        // A paragraph of 344 pieces is truncated to 256 tokens ending in [SEP].
        let truncated = reference.truncated
        #expect(truncated.ids.count == 256 && truncated.ids.last == tokenizer.separatorID)
        #expect(tokenizer.encode(truncated.text, maxLength: reference.maxLength) == truncated.ids)
        #expect(tokenizer.pieceIDs(of: truncated.text).count == 344)
    }

    @Test("embeddings match the reference (cosine ≥ 0.9999); padded rows equal the sentence alone (1e-5)")
    func embeddings() throws {
        let reference = try Self.reference()
        let encoder = try SentenceEncoder.miniLM(maximumLength: reference.maxLength)
        let texts = reference.sentences.map(\.text)
        // One batch of all 8 sentences, padded to the 151 tokens of the longest.
        let input = encoder.tokenizer.encode(texts, maxLength: reference.maxLength)
        #expect(input.length == 151 && !input.isUnpadded)
        let batch = encoder.embed(input)
        #expect(batch.shape == [texts.count, 384])
        let rows = batch.scalars
        func row(_ i: Int) -> [Float] { Array(rows[(i * 384)..<((i + 1) * 384)]) }
        for (i, sentence) in reference.sentences.enumerated() {
            let cosine = Self.cosine(row(i), sentence.embedding)
            #expect(cosine >= 0.9999, "sentence \(i) (\(sentence.text.prefix(30))): cosine \(cosine)")
            let norm = row(i).reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5, "sentence \(i): norm \(norm)")
        }
        // Each short sentence (at least 90 of its 151 positions are padding) alone must give its
        // batch row.
        let short = reference.sentences.indices.filter { reference.sentences[$0].ids.count < 128 }
        #expect(short.count == 7)
        for i in short {
            let alone = encoder.embed(encoder.tokenizer.encode([texts[i]], maxLength: reference.maxLength))
            expectClose(alone.scalars, row(i), relativeTolerance: 0, absoluteTolerance: 1e-5, "sentence \(i) alone vs in the batch")
        }
        // The convenience sorts by length and batches; rows come back in input order.
        let subset = [short[3], short[0], short[5], short[1]]
        let ordered = encoder.embed(subset.map { texts[$0] }, batchSize: 2)
        expectClose(ordered.scalars, subset.flatMap(row), relativeTolerance: 0, absoluteTolerance: 1e-5, "embed(sentences) vs the batch")
    }

    @Test("the last hidden state of a short sentence matches; loading skips only the pooler and position ids")
    func lastHiddenState() throws {
        let reference = try Self.reference()
        let sentence = reference.sentences[0]
        let expected = try #require(sentence.lastHiddenState)
        let files = try ModelFiles.miniLM()
        let model = BERTEncoder(configuration: try BERTConfiguration.load(from: files.configuration), initializer: .zeros)
        let skipped = try model.loadWeights(from: files.weights)
        #expect(skipped == ["embeddings.position_ids", "pooler.dense.bias", "pooler.dense.weight"])
        #expect(model.configuration == .miniLML6)
        model.eval()
        let hidden = withoutGradients { model(BERTInput(sequences: [sentence.ids])) }
        #expect(hidden.shape == [1, sentence.ids.count, 384])
        expectClose(hidden, Tensor(shape: hidden.shape, scalars: expected.flatMap { $0 }),
                    relativeTolerance: 1e-3, absoluteTolerance: 2e-4, "last hidden state")
        // The generic by-name loader reads the same file when extra tensors are allowed.
        let generic = BERTEncoder(configuration: .miniLML6, initializer: .zeros)
        try generic.load(from: files.weights, strict: false)
        let loaded = model.stateDictionary()
        #expect(generic.namedParameters().allSatisfy { name, parameter in
            parameter.value.scalars == loaded[name]?.scalars
        })
    }
}
