import Foundation
import ModelZoo
import PruningCore
import TokenFusion

/// The measurements behind `token-fusion vit`: accuracy and throughput of a ViT under each
/// token-reduction method.
enum ViTBenchmark {
    /// One evaluated setting: a method at one r, on one model.
    struct Run {
        /// The method's name.
        let method: String
        /// The tokens removed per layer (0: the unmodified model).
        let r: Int
        /// The reduction settings.
        let configuration: TokenFusionConfiguration
        /// The weights evaluated.
        let model: VisionTransformer
    }

    /// The compared methods, each a configuration per r: ToMe, EViT-style pruning, ToFu, and
    /// ToFu with averaging in place of MLERP.
    static func methods(layerCount: Int) -> [(name: String, make: (Int) -> TokenFusionConfiguration)] {
        [
            ("ToMe (average)", { .tome(.constant($0)) }),
            ("EViT top-k pruning", { .attentionPruning(.constant($0), droppedTokens: .discarded) }),
            ("ToFu (prune, MLERP)", { .tofu(.constant($0)) }),
            ("ToFu (prune, average)", { ToFuAblation.withAveraging(.constant($0), layerCount: layerCount) }),
        ]
    }

    /// The largest constant r that no layer caps: every layer of `layerCount` can still remove r
    /// of its tokens, `(t − 1) / 2 ≥ r` with a class token.
    static func largestUncappedR(tokenCount: Int, layerCount: Int) -> Int {
        var r = 0
        while r < tokenCount {
            let next = r + 1
            let counts = MergeSchedule.constant(next).tokenCounts(initialTokenCount: tokenCount, layerCount: layerCount, protectedCount: 1)
            guard counts.last == tokenCount - next * layerCount else { break }
            r = next
        }
        return r
    }

    /// The default r values: 0, 2, 4, … up to the largest uncapped r, which is always included.
    static func defaultRValues(tokenCount: Int, layerCount: Int) -> [Int] {
        let largest = largestUncappedR(tokenCount: tokenCount, layerCount: layerCount)
        var values = Array(stride(from: 0, through: largest, by: 2))
        if values.last != largest { values.append(largest) }
        return values
    }

    /// The top-1 accuracy of `run` on `test` (already normalized), in batches of `batchSize`.
    static func accuracy(of run: Run, on test: ImageClassificationDataSet, batchSize: Int) -> Double {
        let merged = TokenMergingViT(model: run.model, configuration: run.configuration)
        return ImageClassificationEvaluation.accuracy(of: { merged($0) }, on: test, batchSize: batchSize)
    }

    /// The CPU time used by this process so far, in seconds (all threads).
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Images per CPU-second of every run on `batches`: one untimed warm-up batch per run, then
    /// `rounds` timed passes over all batches, interleaved across runs so that load changes
    /// affect every run alike; the best pass counts.
    static func throughput(of runs: [Run], batches: [Tensor], rounds: Int) -> [Double] {
        let wrappers = runs.map { TokenMergingViT(model: $0.model, configuration: $0.configuration) }
        let images = batches.reduce(0) { $0 + $1.shape[0] }
        var best = [Double](repeating: .infinity, count: runs.count)
        withoutGradients {
            for wrapper in wrappers { _ = wrapper(batches[0]) }
            for _ in 0..<rounds {
                for (k, wrapper) in wrappers.enumerated() {
                    let start = cpuSeconds()
                    for batch in batches { _ = wrapper(batch) }
                    best[k] = min(best[k], cpuSeconds() - start)
                }
            }
        }
        return best.map { Double(images) / $0 }
    }

    /// The speed-up of the blocks that the multiply–accumulate count predicts for `configuration`
    /// (``TokenMergingViT/blockMultiplyAccumulates``).
    static func predictedSpeedup(_ configuration: TokenFusionConfiguration, model: VisionTransformer) -> Double {
        TokenMergingViT(model: model, configuration: .identity).blockMultiplyAccumulates
            / TokenMergingViT(model: model, configuration: configuration).blockMultiplyAccumulates
    }
}
