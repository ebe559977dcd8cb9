import ArgumentParser
import Foundation
import ModelZoo
import PruningCore
import TokenFusion

/// Compares ToMe, ToFu and pruning on all-MiniLM-L6-v2 sentence embeddings (the default
/// subcommand of `token-fusion`).
struct MiniLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minilm",
        abstract: "Token merging (ToMe), Token Fusion (ToFu) and token pruning (EViT) on all-MiniLM-L6-v2.",
        discussion: """
            Passages are the first WikiText-2 test paragraphs that fill --length tokens ([CLS] and \
            [SEP] included). Each method removes r tokens per layer between attention and the \
            feed-forward half; the table gives the tokens left after each layer, the cosine between \
            each passage's reduced and unreduced sentence embedding (mean and minimum), and the \
            throughput in passages per CPU-second (the best of --rounds timings, so that other \
            processes on the machine matter less), with the speed-up over the unreduced model and \
            the speed-up its matrix-product count predicts. --probe first prints ToFu's per-layer \
            nonlinearity and the split it implies; --norms finally prints the mean token norm after \
            every layer with averaging, MLERP and ToFu at the largest r, against the unreduced model.
            """)

    @Option(help: "How many passages.")
    var passages: Int = 48

    @Option(help: "Tokens per passage.")
    var length: Int = 128

    @Option(name: .customLong("batch-size"), help: "Passages per batch.")
    var batchSize: Int = 16

    @Option(name: .customLong("r"), parsing: .upToNextOption, help: "Tokens removed per layer.")
    var rValues: [Int] = [4, 8, 16]

    @Option(help: "Timing rounds (the first on every passage, the others on the first batch).")
    var rounds: Int = 3

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 1

    @Flag(help: "Print the per-layer nonlinearity scores and ToFu's split first.")
    var probe = false

    @Flag(help: "Print the mean token norm per layer (unreduced, average, MLERP, ToFu) at the largest r last.")
    var norms = false

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        guard passages > 0, batchSize > 0, rounds > 0, length >= 4 else {
            throw ValidationError("--passages, --batch-size and --rounds must be positive and --length at least 4")
        }
        let encoder = try SentenceEncoder.miniLM(maximumLength: length)
        let raw = try String(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw"), encoding: .utf8)
        var sequences: [[Int]] = []
        for row in WikiText2Evaluation.rows(of: raw) where sequences.count < passages {
            let ids = encoder.tokenizer.encode(row, maxLength: length)
            if ids.count == length { sequences.append(ids) }
        }
        let batches = stride(from: 0, to: sequences.count, by: batchSize).map {
            BERTInput(sequences: Array(sequences[$0..<min($0 + batchSize, sequences.count)]), paddingID: encoder.tokenizer.paddingID)
        }
        print("all-MiniLM-L6-v2; \(sequences.count) WikiText-2 passages of \(length) tokens; batches of \(batchSize); \(threads) thread(s)\n")

        var splits: [Int: Int] = [:]
        if probe {
            print("ToFu nonlinearity per layer (midpoints of matched pairs; merge where below 0.5)\n")
            print("| r | " + (0..<encoder.model.layers.count).map { "layer \($0)" }.joined(separator: " | ") + " | first merging layer |")
            print("|---|" + String(repeating: "---|", count: encoder.model.layers.count + 1))
            for r in rValues {
                let scores = LinearityProbe(r: r).nonlinearity(of: encoder.model, inputs: Array(batches.prefix(2)))
                splits[r] = LinearityProbe.firstMergingLayer(scores: scores)
                print("| \(r) | " + scores.map { String(format: "%.3f", $0) }.joined(separator: " | ") + " | \(splits[r]!) |")
            }
            print("")
        }

        var runs: [Benchmark.Run] = [Benchmark.Run(method: "unreduced", r: 0, configuration: .identity)]
        for (name, make) in Benchmark.methods(probedSplits: splits) {
            for r in rValues { runs.append(Benchmark.Run(method: name, r: r, configuration: make(r))) }
        }
        let results = Benchmark.measure(runs, model: encoder.model, batches: batches, rounds: rounds)
        Benchmark.printTable(runs: runs, results: results, model: encoder.model, length: length)

        if norms, let r = rValues.max(), r > 0 {
            let inputs = Array(batches.prefix(2))
            let rows = inputs.reduce(0) { $0 + $1.batchSize }
            let embedded = withoutGradients {
                inputs.map { (tokens: encoder.model.embeddings($0), validLengths: Optional($0.validLengths)) }
            }
            let check = NormCheck.measure(r: r, layerCount: encoder.model.layers.count, rowCount: rows) { configuration in
                FeatureNormProfile.measure(configuration, batches: embedded, through: encoder.model.layers)
            }
            print("\nMean token norm per layer at r = \(r) (\(rows) passages)\n")
            print(check.markdown())
        }
    }
}
