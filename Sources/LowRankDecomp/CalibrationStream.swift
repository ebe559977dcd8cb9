import ModelZoo
import PruningCore

/// The hidden states of a calibration set, advanced block by block.
///
/// Holding the residual stream of every calibration token (`N · L · d` floats, 38 MB for
/// 32 × 512 tokens of SmolLM2) lets a compression method run one decoder block at a time over
/// the whole set, gather that block's statistics, and drop them before the next block — so only
/// one layer's statistics are ever alive. The sequences are pushed through a block in batches
/// of ``batchSize`` to bound the attention-score memory.
///
/// Call the methods inside ``withoutGradients(_:)``.
struct CalibrationStream {
    /// The residual stream, one `[batch, length, d]` tensor per batch of sequences.
    private(set) var batches: [Tensor]
    /// The number of calibration tokens.
    let tokenCount: Int

    /// The token embeddings of `sequences` (rows of equal length), in batches of `batchSize`.
    init(model: LlamaModel, sequences: [[Int]], batchSize: Int) {
        precondition(batchSize > 0, "CalibrationStream: batch size \(batchSize) must be positive")
        batches = stride(from: 0, to: sequences.count, by: batchSize).map { start in
            model.embeddings(for: Array(sequences[start..<Swift.min(start + batchSize, sequences.count)]))
        }
        tokenCount = sequences.reduce(0) { $0 + $1.count }
    }

    /// Runs `layer` over every batch with `hook`, calls `observe(input, output)` per batch, and
    /// replaces the stream by the outputs when `advancing`.
    mutating func run(
        _ layer: LlamaDecoderLayer, hook: LlamaActivationHook? = nil, advancing: Bool,
        observe: (_ input: Tensor, _ output: Tensor) -> Void = { _, _ in }
    ) {
        for index in batches.indices {
            let input = batches[index]
            let output = layer(input, hook: hook)
            observe(input, output)
            if advancing { batches[index] = output }
        }
    }

    /// The block-influence score of every layer of `model`, advancing a copy of the stream
    /// through all of them (this stream is unchanged).
    func blockInfluences(of model: LlamaModel) -> [Double] {
        var stream = self
        return model.layers.map { layer in
            var influence = BlockInfluence()
            stream.run(layer, advancing: true) { influence.add(input: $0, output: $1) }
            return influence.score
        }
    }
}
