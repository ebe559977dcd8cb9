import Foundation
import ModelZoo
import PruningCore
import TokenFusion

/// The measurements behind `token-fusion`'s table.
enum Benchmark {
    /// One method at one r.
    struct Run {
        let method: String
        let r: Int
        let configuration: TokenFusionConfiguration
    }

    /// The embeddings of every passage and the best CPU seconds per passage.
    struct Result {
        let embeddings: Tensor
        let secondsPerPassage: Double
    }

    /// The compared methods; "ToFu (probed split)" only when the probe ran.
    static func methods(probedSplits: [Int: Int]) -> [(String, (Int) -> TokenFusionConfiguration)] {
        var list: [(String, (Int) -> TokenFusionConfiguration)] = [
            ("ToMe (average)", { .tome(.constant($0)) }),
            ("ToFu (default split)", { .tofu(.constant($0)) }),
        ]
        if !probedSplits.isEmpty {
            list.append(("ToFu (probed split)", { .tofu(.constant($0), firstMergingLayer: probedSplits[$0]) }))
        }
        list += [
            ("prune everywhere", { TokenFusionConfiguration(schedule: .constant($0), strategy: .uniform(.prune)) }),
            ("MLERP everywhere", { TokenFusionConfiguration(schedule: .constant($0), strategy: .uniform(.mlerp)) }),
            ("EViT, fused sum", { .attentionPruning(.constant($0), droppedTokens: .fusedSum) }),
            ("EViT, fused mean", { .attentionPruning(.constant($0), droppedTokens: .fusedMean) }),
            ("EViT, discarded", { .attentionPruning(.constant($0), droppedTokens: .discarded) }),
        ]
        return list
    }

    /// The CPU time used by this process so far, in seconds (all threads).
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Runs every configuration: round 0 on every batch (keeping the embeddings), later rounds
    /// on the first batch, interleaved so that load changes affect all configurations alike.
    static func measure(_ runs: [Run], model: BERTEncoder, batches: [BERTInput], rounds: Int) -> [Result] {
        var best = [Double](repeating: .infinity, count: runs.count)
        var embeddings: [Tensor] = []
        for round in 0..<rounds {
            for (k, run) in runs.enumerated() {
                let merged = TokenMergingBERT(encoder: model, configuration: run.configuration)
                let inputs = round == 0 ? batches : [batches[0]]
                let start = cpuSeconds()
                let parts = withoutGradients { inputs.map { merged.sentenceEmbeddings($0) } }
                let passages = inputs.reduce(0) { $0 + $1.batchSize }
                best[k] = min(best[k], (cpuSeconds() - start) / Double(passages))
                if round == 0 { embeddings.append(Tensor.concatenate(parts, alongAxis: 0)) }
            }
        }
        return zip(embeddings, best).map { Result(embeddings: $0, secondsPerPassage: $1) }
    }

    /// The multiply–adds of one passage: per layer, the four attention projections and the
    /// attention products on the layer's input tokens, the feed-forward half on its output.
    static func multiplyAdds(tokensIn: [Int], tokensOut: [Int], model: BERTEncoder) -> Double {
        let (d, i) = (Double(model.configuration.hiddenSize), Double(model.configuration.intermediateSize))
        return zip(tokensIn, tokensOut).reduce(0.0) { total, layer in
            let (n, m) = (Double(layer.0), Double(layer.1))
            return total + 4 * d * d * n + 2 * n * n * d + 2 * d * i * m
        }
    }

    /// The table rows, the unreduced run first: each run's cosines to the unreduced document
    /// embeddings, its retrieval scores for `queries` (query `i` owns document `i`), its
    /// throughput and the speed-ups.
    ///
    /// - Parameter queries: the unreduced query embeddings, unit rows `[documents, dimension]`.
    static func rows(runs: [Run], results: [Result], queries: Tensor, model: BERTEncoder, length: Int) -> [MiniLMRow] {
        let layers = model.layers.count
        let reference = results[0]
        let baseCost = multiplyAdds(tokensIn: Array(repeating: length, count: layers),
                                    tokensOut: Array(repeating: length, count: layers), model: model)
        let referenceNearest = RetrievalCheck.nearestDocuments(queries: queries, documents: reference.embeddings, k: 5)
        return zip(runs, results).map { run, result in
            let cosines = (result.embeddings * reference.embeddings).sum(alongAxis: 1).scalars.map(Double.init)
            let counts = run.configuration.schedule.tokenCounts(initialTokenCount: length, layerCount: layers, protectedCount: 1)
            let cost = multiplyAdds(tokensIn: [length] + counts.dropLast(), tokensOut: counts, model: model)
            let nearest = RetrievalCheck.nearestDocuments(queries: queries, documents: result.embeddings, k: 5)
            return MiniLMRow(
                method: run.method, r: run.r, tokensAfterEachLayer: counts,
                meanCosine: cosines.reduce(0, +) / Double(max(cosines.count, 1)), minimumCosine: cosines.min() ?? 0,
                retrieval: RetrievalCheck.scores(of: nearest, reference: referenceNearest),
                passagesPerSecond: 1 / result.secondsPerPassage, speedup: reference.secondsPerPassage / result.secondsPerPassage,
                predictedSpeedup: baseCost / cost)
        }
    }
}
