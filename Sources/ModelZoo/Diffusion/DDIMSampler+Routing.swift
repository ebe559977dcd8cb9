import Foundation
import PruningCore

extension DDIMSampler {
    /// Samples one image per row of `noise`, row `i` drawn by `models[assignment[i]]` with
    /// condition row `i` — what a set of per-prompt experts (APTP) draws for routed prompts, or
    /// one model for every prompt with an all-zero assignment. Runs without gradients, in chunks
    /// of at most `chunkSize` rows per model.
    ///
    /// - Parameters:
    ///   - models: the denoisers (v-prediction), in evaluation mode.
    ///   - assignment: one index into `models` per row.
    ///   - noise: the starting noise `[n, channels, height, width]`.
    ///   - conditions: the condition embeddings `[n, width]`.
    ///   - chunkSize: the largest batch of one call.
    /// - Returns: the samples `[n, channels, height, width]`, in row order.
    /// - Precondition: `assignment`, `noise` and `conditions` agree in rows; every assignment is a
    ///   valid index.
    public func sample(models: [DiffusionUNet], assignment: [Int], noise: Tensor, conditions: Tensor, chunkSize: Int = 250) -> Tensor {
        precondition(assignment.count == noise.shape[0] && conditions.shape[0] == noise.shape[0],
                     "DDIMSampler.sample: \(assignment.count) assignments, \(noise.shape[0]) noise rows, \(conditions.shape[0]) conditions")
        precondition(assignment.allSatisfy { models.indices.contains($0) }, "DDIMSampler.sample: an assignment outside 0..<\(models.count)")
        var rows = [Tensor?](repeating: nil, count: assignment.count)
        for (index, model) in models.enumerated() {
            let members = assignment.indices.filter { assignment[$0] == index }
            var start = 0
            while start < members.count {
                let chunk = Array(members[start..<min(start + max(chunkSize, 1), members.count)])
                let condition = conditions.indexSelect(chunk, alongAxis: 0)
                let samples = sample(from: noise.indexSelect(chunk, alongAxis: 0)) { x, t in
                    model(x, steps: Array(repeating: t, count: chunk.count), condition: condition)
                }
                for (offset, row) in chunk.enumerated() { rows[row] = samples.sliced(alongAxis: 0, from: offset, count: 1) }
                start += chunk.count
            }
        }
        return Tensor.concatenate(rows.map { $0! }, alongAxis: 0)
    }
}
