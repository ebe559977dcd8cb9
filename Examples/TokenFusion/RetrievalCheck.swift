import Foundation
import PruningCore

/// The retrieval check of `token-fusion minilm`: does a reduced encoder still find the right
/// passage?
///
/// Every WikiText-2 paragraph gives one query–document pair: the query is the paragraph's first
/// sentence, the document the rest of the paragraph. Query `i` should retrieve document `i`
/// among all documents. Queries are embedded by the unreduced model and documents by each
/// reduced one (a document index is what a faster encoder would build; queries are short, and a
/// fixed `r` would leave little of them), and documents are ranked by cosine similarity.
enum RetrievalCheck {
    /// A query and the document it should retrieve.
    struct Pair: Equatable {
        /// The paragraph's first sentence.
        var query: String
        /// The rest of the paragraph.
        var document: String
    }

    /// The retrieval quality of one encoder.
    struct Scores: Codable, Equatable {
        /// The fraction of queries whose nearest document is the reference encoder's nearest
        /// document (1 for the reference itself).
        var top1Agreement: Double
        /// The fraction of queries whose nearest document is their own.
        var recallAt1: Double
        /// The fraction of queries whose own document is among the five nearest.
        var recallAt5: Double
    }

    /// The tokens WikiText-2 uses to end a sentence; its raw text separates punctuation by spaces.
    static let sentenceEnds: Set<Substring> = [".", "?", "!"]

    /// Splits one WikiText-2 row into its first sentence and the rest.
    ///
    /// Words are re-joined by single spaces. Returns `nil` for blank rows, headings (`= … =`),
    /// rows without a sentence end followed by more text, and first sentences of fewer than
    /// `minimumQueryWords` words (the end mark not counted).
    static func pair(fromRow row: String, minimumQueryWords: Int) -> Pair? {
        let words = row.split(whereSeparator: \.isWhitespace)
        guard let first = words.first, first != "=",
              let end = words.firstIndex(where: { sentenceEnds.contains($0) }),
              end >= minimumQueryWords, end + 1 < words.count
        else { return nil }
        return Pair(query: words[...end].joined(separator: " "), document: words[(end + 1)...].joined(separator: " "))
    }

    /// For each query, the `k` documents of highest similarity, best first; equal scores rank the
    /// lower document index first.
    ///
    /// - Parameters:
    ///   - similarities: `[queries, documents]`.
    ///   - k: how many documents to keep per query (at most the document count).
    static func nearestDocuments(similarities: Tensor, k: Int) -> [[Int]] {
        precondition(similarities.rank == 2, "RetrievalCheck.nearestDocuments: similarities \(similarities.shape) must be [queries, documents]")
        let (queries, documents) = (similarities.shape[0], similarities.shape[1])
        let keep = min(k, documents)
        precondition(keep > 0, "RetrievalCheck.nearestDocuments: k \(k) and the document count \(documents) must be positive")
        return similarities.withUnsafeBufferPointer { scores in
            (0..<queries).map { q in
                let row = scores.baseAddress! + q * documents
                // Insertion into a sorted list of `keep`; a later index never beats an equal score.
                var best: [Int] = []
                best.reserveCapacity(keep + 1)
                for d in 0..<documents {
                    if best.count == keep, row[d] <= row[best[keep - 1]] { continue }
                    var slot = best.count
                    while slot > 0, row[d] > row[best[slot - 1]] { slot -= 1 }
                    best.insert(d, at: slot)
                    if best.count > keep { best.removeLast() }
                }
                return best
            }
        }
    }

    /// The `k` nearest documents of every query by cosine similarity.
    ///
    /// - Parameters:
    ///   - queries: unit rows `[queries, dimension]`.
    ///   - documents: unit rows `[documents, dimension]`.
    static func nearestDocuments(queries: Tensor, documents: Tensor, k: Int) -> [[Int]] {
        precondition(queries.rank == 2 && documents.rank == 2 && queries.shape[1] == documents.shape[1],
                     "RetrievalCheck.nearestDocuments: queries \(queries.shape) and documents \(documents.shape) must be [n, dimension]")
        return nearestDocuments(similarities: withoutGradients { queries.matmul(documents, transposingOther: true) }, k: k)
    }

    /// The fraction of queries whose own document (query `i` owns document `i`) is among their
    /// first `k` nearest.
    static func recall(at k: Int, of nearest: [[Int]]) -> Double {
        precondition(!nearest.isEmpty, "RetrievalCheck.recall: no queries")
        return Double(nearest.indices.filter { nearest[$0].prefix(k).contains($0) }.count) / Double(nearest.count)
    }

    /// The fraction of queries whose nearest document is the same in both rankings.
    static func top1Agreement(of nearest: [[Int]], with reference: [[Int]]) -> Double {
        precondition(!nearest.isEmpty && nearest.count == reference.count,
                     "RetrievalCheck.top1Agreement: \(nearest.count) and \(reference.count) queries must match and be positive")
        return Double(zip(nearest, reference).filter { $0.first == $1.first }.count) / Double(nearest.count)
    }

    /// The scores of one ranking against the reference encoder's.
    static func scores(of nearest: [[Int]], reference: [[Int]]) -> Scores {
        Scores(top1Agreement: top1Agreement(of: nearest, with: reference),
               recallAt1: recall(at: 1, of: nearest), recallAt5: recall(at: 5, of: nearest))
    }
}
