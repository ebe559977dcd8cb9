import Foundation
import ModelZoo
import PruningCore
import Testing

@Suite struct NextSentenceTaskTests {
    static let words = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron", "inlet", "jasper", "kelp", "lotus", "maple"]

    /// Articles of sentences that start with different words; the character tokenizer maps
    /// bytes to ids below 64.
    static let raw: String = (0..<6).map { article in
        " = Article \(article) = \n" + (0..<3).map { paragraph in
            " " + (0..<4).map { s in
                let k = article * 12 + paragraph * 4 + s
                return "\(words[k % 13]) \(words[(k / 13 + 5 * k) % 13]) walks by the \(words[(k + 7) % 13])"
            }.joined(separator: " . ") + " . \n"
        }.joined()
    }.joined()

    static func encode(_ text: String) -> [Int] { text.utf8.map { Int($0) % 64 } }

    @Test("Items hold a context, equal-length choices from other articles, and an answer; accuracy is a fraction")
    func buildsItems() throws {
        let task = try NextSentenceTask(raw: Self.raw, encode: Self.encode, itemCount: 10, contextLength: 16, continuationLength: 8)
        #expect(task.items.count == 10)
        for item in task.items {
            #expect(item.choices.count == 4 && item.choices.allSatisfy { $0.count == 8 })
            #expect((0..<4).contains(item.answer) && Set(item.choices.map { $0 }).count == 4)
            #expect(item.context.count >= 8 && item.context.count <= 16)
        }
        let model = try tinyLlamaModel()
        let accuracy = task.accuracy(of: model)
        #expect(accuracy >= 0 && accuracy <= 1)
        // Deterministic for a seed.
        let again = try NextSentenceTask(raw: Self.raw, encode: Self.encode, itemCount: 10, contextLength: 16, continuationLength: 8)
        #expect(again.items.map(\.answer) == task.items.map(\.answer))
    }

    @Test("Too little text is a typed error with the counts")
    func tooFewSentences() {
        #expect(throws: NextSentenceTaskError.self) {
            try NextSentenceTask(raw: " = A = \n one . two . \n", encode: Self.encode, itemCount: 5)
        }
    }
}
