import Foundation
import ModelZoo
import PruningCore

/// all-MiniLM-L6-v2 sentence embeddings: tokenization, the encoder in batches of similar length
/// (``SentenceEncoder/embed(_:batchSize:)``), mean pooling and normalization.
struct SentenceEmbeddingWorkload: ModelWorkload {
    let encoder: SentenceEncoder
    let sentences: [String]
    let batchSize: Int

    var title: String {
        let lengths = sentences.map { encoder.tokenizer.encode($0, maxLength: encoder.maximumLength).count }
        let mean = Double(lengths.reduce(0, +)) / Double(max(lengths.count, 1))
        return "all-MiniLM-L6-v2 embeddings of \(sentences.count) WikiText-2 sentences (\(lengths.min() ?? 0)–\(lengths.max() ?? 0) tokens, mean \(format(mean, 1))), batch \(batchSize), tokenization included"
    }
    var unit: String { "sentences" }
    var unitsPerRun: Int { sentences.count }

    /// The sentences and batching, and our embeddings for the reference to compare.
    func referenceInput() -> [String: Any] {
        let embeddings = encoder.embed(sentences, batchSize: batchSize)
        let width = embeddings.shape[1]
        let rows = embeddings.withUnsafeBufferPointer { all in
            (0..<sentences.count).map { i in (0..<width).map { Double(all[i * width + $0]) } }
        }
        return ["sentences": sentences, "batchSize": batchSize, "maxLength": encoder.maximumLength, "embeddings": rows]
    }

    func run() {
        _ = encoder.embed(sentences, batchSize: batchSize)
    }
}
