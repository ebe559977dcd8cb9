import Foundation
import PruningCore
import PruningTestSupport
import Testing
@testable import token_fusion

@Suite struct RetrievalCheckTests {
    @Test("a paragraph splits into its first sentence and the rest; headings, blanks and short sentences give no pair")
    func pairs() throws {
        let row = " The ship was launched in 1890 . It served until 1921 ? Then  it was scrapped . \n"
        let pair = try #require(RetrievalCheck.pair(fromRow: row, minimumQueryWords: 5))
        #expect(pair.query == "The ship was launched in 1890 .")
        #expect(pair.document == "It served until 1921 ? Then it was scrapped .")
        // Six words before the end mark are required; the sentence has exactly six.
        #expect(RetrievalCheck.pair(fromRow: row, minimumQueryWords: 6) != nil)
        #expect(RetrievalCheck.pair(fromRow: row, minimumQueryWords: 7) == nil)
        #expect(RetrievalCheck.pair(fromRow: " Is it here ! Yes , it is . \n", minimumQueryWords: 3)
            == RetrievalCheck.Pair(query: "Is it here !", document: "Yes , it is ."))
        #expect(RetrievalCheck.pair(fromRow: " = = Career = = \n", minimumQueryWords: 1) == nil)
        #expect(RetrievalCheck.pair(fromRow: "", minimumQueryWords: 1) == nil)
        #expect(RetrievalCheck.pair(fromRow: " No sentence end in this row \n", minimumQueryWords: 1) == nil)
        #expect(RetrievalCheck.pair(fromRow: " Only one sentence here . \n", minimumQueryWords: 1) == nil)
        // A full stop inside a number is no sentence end.
        #expect(RetrievalCheck.pair(fromRow: " It cost 3.5 million pounds . More followed . \n", minimumQueryWords: 1)?.query
            == "It cost 3.5 million pounds .")
    }

    /// The reference: every document sorted by decreasing score, then increasing index.
    static func sortedDocuments(_ scores: [Float], queries: Int, documents: Int, k: Int) -> [[Int]] {
        (0..<queries).map { q in
            Array((0..<documents).sorted { a, b in
                let (x, y) = (scores[q * documents + a], scores[q * documents + b])
                return x != y ? x > y : a < b
            }.prefix(k))
        }
    }

    @Test("the nearest documents match a full sort, ties going to the lower index")
    func nearest() {
        let (queries, documents) = (7, 23)
        // Scores rounded to quarters so that ties are common.
        let scores = testTensor([queries, documents], seed: 31).scalars.map { ($0 * 4).rounded() / 4 }
        let similarities = Tensor(shape: [queries, documents], scalars: scores)
        for k in [1, 5, 23, 40] {
            #expect(RetrievalCheck.nearestDocuments(similarities: similarities, k: k)
                == Self.sortedDocuments(scores, queries: queries, documents: documents, k: min(k, documents)), "k = \(k)")
        }
        let equal = Tensor(shape: [2, 4], scalars: [Float](repeating: 0.5, count: 8))
        #expect(RetrievalCheck.nearestDocuments(similarities: equal, k: 3) == [[0, 1, 2], [0, 1, 2]])
    }

    @Test("ranking embeddings ranks by their dot products")
    func nearestFromEmbeddings() {
        let (queries, documents, width) = (5, 9, 6)
        let q = testTensor([queries, width], seed: 32)
        let d = testTensor([documents, width], seed: 33)
        let (qs, ds) = (q.scalars, d.scalars)
        var scores = [Float](repeating: 0, count: queries * documents)
        for i in 0..<queries {
            for j in 0..<documents {
                for c in 0..<width { scores[i * documents + j] += qs[i * width + c] * ds[j * width + c] }
            }
        }
        // The random scores differ by far more than the summation-order error (about 1e-6).
        #expect(RetrievalCheck.nearestDocuments(queries: q, documents: d, k: 5)
            == Self.sortedDocuments(scores, queries: queries, documents: documents, k: 5))
    }

    @Test("recall counts each query's own document; agreement compares the first documents")
    func scores() {
        // Query 0 finds its document first, query 1 third, query 2 sixth (outside the top 5), query 3 second.
        let nearest = [[0, 4, 2, 1, 3], [2, 3, 1, 0, 4], [0, 1, 3, 4, 5], [1, 3, 0, 2, 4]]
        let reference = [[0, 1, 2, 3, 4], [1, 0, 2, 3, 4], [0, 2, 1, 3, 4], [1, 0, 2, 3, 4]]
        #expect(RetrievalCheck.recall(at: 1, of: nearest) == 0.25)
        #expect(RetrievalCheck.recall(at: 3, of: nearest) == 0.75)
        #expect(RetrievalCheck.recall(at: 5, of: nearest) == 0.75)
        #expect(RetrievalCheck.top1Agreement(of: nearest, with: reference) == 0.75)
        #expect(RetrievalCheck.top1Agreement(of: reference, with: reference) == 1)
        #expect(RetrievalCheck.scores(of: nearest, reference: reference)
            == RetrievalCheck.Scores(top1Agreement: 0.75, recallAt1: 0.25, recallAt5: 0.75))
        #expect(RetrievalCheck.scores(of: reference, reference: reference)
            == RetrievalCheck.Scores(top1Agreement: 1, recallAt1: 0.5, recallAt5: 1))
    }

    static let rows = [
        MiniLMRow(method: "unreduced", r: 0, tokensAfterEachLayer: [8, 8], meanCosine: 1, minimumCosine: 1,
                  retrieval: .init(top1Agreement: 1, recallAt1: 0.5, recallAt5: 0.875), passagesPerSecond: 30,
                  speedup: 1, predictedSpeedup: 1),
        MiniLMRow(method: "EViT, \"fused\"", r: 2, tokensAfterEachLayer: [6, 4], meanCosine: 0.98761, minimumCosine: 0.9,
                  retrieval: .init(top1Agreement: 0.75, recallAt1: 0.375, recallAt5: 0.8), passagesPerSecond: 45,
                  speedup: 1.5, predictedSpeedup: 1.6),
    ]

    @Test("the MiniLM table and CSV hold every row with the retrieval columns")
    func report() throws {
        let markdown = MiniLMReport.markdown(Self.rows).split(separator: "\n")
        #expect(markdown.count == 2 + Self.rows.count)
        #expect(markdown[0].contains("| top-1 agreement | R@1 | R@5 |"))
        #expect(markdown[3] == "| EViT, \"fused\" | 2 | 6, 4 | 0.9876 | 0.9000 | 75.0 % | 37.5 % | 80.0 % | 45.00 | 1.50× | 1.60× |")
        let csv = MiniLMReport.csv(Self.rows).split(separator: "\n")
        #expect(csv.count == 1 + Self.rows.count)
        #expect(csv[0] == "method,r,tokens_after_each_layer,mean_cosine,min_cosine,top1_agreement,recall_at_1,recall_at_5,passages_per_second,speedup,predicted_speedup")
        #expect(csv[2] == "\"EViT, \"\"fused\"\"\",2,6 4,0.98761,0.9,0.75,0.375,0.8,45.0,1.5,1.6")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("token-fusion-minilm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = MiniLMSettings(
            model: "m", passages: 16, length: 8, minimumQueryWords: 6, batchSize: 4, timingRounds: 1, threads: 1,
            rValues: [2], probedNonlinearity: nil, probedSplits: nil)
        let files = try MiniLMReport.write(Self.rows, settings: settings, normCheck: nil, summary: "table\n", to: folder)
        #expect(files.map(\.lastPathComponent) == ["summary.md", "results.csv", "results.json"])
        struct Document: Decodable { var rows: [MiniLMRow] }
        let decoded = try JSONDecoder().decode(Document.self, from: Data(contentsOf: files[2]))
        #expect(decoded.rows == Self.rows)
        #expect(try String(contentsOf: files[0], encoding: .utf8) == "table\n")
    }
}
