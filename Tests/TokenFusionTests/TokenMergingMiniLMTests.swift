import ModelZoo
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

/// Token reduction on the real all-MiniLM-L6-v2 weights (skipped when the files are absent).
@Suite(.enabled(if: (try? ModelFiles.miniLM()) != nil, "all-MiniLM-L6-v2 files not found"))
struct TokenMergingMiniLMTests {
    static let sentences = [
        "The quick brown fox jumps over the lazy dog, and the dog does not seem to mind at all.",
        "Token merging combines similar tokens so that a transformer processes fewer of them.",
    ]

    @Test("unreduced embeddings equal SentenceEncoder's; merged ones stay close")
    func embeddings() throws {
        let encoder = try SentenceEncoder.miniLM()
        let input = encoder.tokenizer.encode(Self.sentences)
        let reference = encoder.embed(input)
        #expect(TokenMergingBERT(encoder: encoder.model, configuration: .identity).sentenceEmbeddings(input).scalars
            == reference.scalars)
        for configuration in [TokenFusionConfiguration.tome(.constant(1)), .tofu(.constant(1))] {
            let merged = TokenMergingBERT(encoder: encoder.model, configuration: configuration).sentenceEmbeddings(input)
            let cosines = (merged * reference).sum(alongAxis: 1).scalars
            // Measured: 0.98 / 0.98 (ToMe) and 0.97 / 0.94 (ToFu) for these two sentences.
            #expect(cosines.allSatisfy { $0 > 0.9 }, "\(configuration.strategy): \(cosines)")
        }
    }
}
