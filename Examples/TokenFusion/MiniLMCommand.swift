import ArgumentParser
import ExampleSupport
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
            Every WikiText-2 test paragraph whose first sentence has at least --minimum-query-words \
            words gives a query (that sentence) and a document (the rest of the paragraph); the first \
            --passages paragraphs whose document fills --length tokens ([CLS] and [SEP] included) are \
            used. Each method removes r tokens per layer between attention and the feed-forward \
            half of the document encoder; the table gives the tokens left after each layer, the cosine \
            between each document's reduced and unreduced sentence embedding (mean and minimum), the \
            retrieval check, and the throughput in passages per CPU-second (the best of --rounds \
            timings, so that other processes on the machine matter less), with the speed-up over the \
            unreduced model and the speed-up its matrix-product count predicts. Retrieval: queries are \
            embedded by the unreduced model and every query ranks all documents by cosine; "top-1 \
            agreement" is the fraction of queries whose nearest document is the unreduced model's, \
            R@1 and R@5 the fraction whose own document is first or among the first five. --probe \
            first prints ToFu's per-layer nonlinearity and the split it implies; --norms finally \
            prints the mean token norm after every layer with averaging, MLERP and ToFu at the largest \
            r, against the unreduced model. The tables, a CSV and a JSON file go to --output.
            """)

    @Option(help: "How many query–document pairs (passages).")
    var passages: Int = 256

    @Option(help: "Tokens per document.")
    var length: Int = 128

    @Option(help: "The fewest words a query (a paragraph's first sentence) may have.")
    var minimumQueryWords: Int = 6

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

    @Option(help: "Folder for summary.md, results.csv and results.json.")
    var output: String = "results/token-fusion-minilm"

    mutating func validate() throws {
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        guard passages > 0, batchSize > 0, rounds > 0, threads > 0, length >= 4, minimumQueryWords >= 1,
              rValues.allSatisfy({ $0 >= 0 })
        else {
            throw ValidationError("--passages, --batch-size, --rounds, --threads and --minimum-query-words must be positive, --length at least 4 and --r at least 0")
        }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let encoder = try SentenceEncoder.miniLM(maximumLength: length)
        let raw = try String(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw"), encoding: .utf8)
        var queries: [String] = []
        var sequences: [[Int]] = []
        for row in WikiText2Evaluation.rows(of: raw) where sequences.count < passages {
            guard let pair = RetrievalCheck.pair(fromRow: row, minimumQueryWords: minimumQueryWords) else { continue }
            let ids = encoder.tokenizer.encode(pair.document, maxLength: length)
            if ids.count == length {
                queries.append(pair.query)
                sequences.append(ids)
            }
        }
        let batches = stride(from: 0, to: sequences.count, by: batchSize).map {
            BERTInput(sequences: Array(sequences[$0..<min($0 + batchSize, sequences.count)]), paddingID: encoder.tokenizer.paddingID)
        }
        let queryEmbeddings = encoder.embed(queries, batchSize: batchSize)
        var summary = """
            all-MiniLM-L6-v2; \(sequences.count) WikiText-2 test paragraphs: documents of \(length) tokens, \
            queries of \(minimumQueryWords)+ words (their first sentences); batches of \(batchSize); \(threads) thread(s)


            """
        print(summary, terminator: "")

        var splits: [Int: Int] = [:]
        var nonlinearity: [Int: [Double]] = [:]
        if probe {
            var lines = ["ToFu nonlinearity per layer (midpoints of matched pairs; merge where below 0.5)\n",
                         "| r | " + (0..<encoder.model.layers.count).map { "layer \($0)" }.joined(separator: " | ") + " | first merging layer |",
                         "|---|" + String(repeating: "---|", count: encoder.model.layers.count + 1)]
            for r in rValues {
                let scores = LinearityProbe(r: r).nonlinearity(of: encoder.model, inputs: Array(batches.prefix(2)))
                splits[r] = LinearityProbe.firstMergingLayer(scores: scores)
                nonlinearity[r] = scores.map(Double.init)
                lines.append("| \(r) | " + scores.map { String(format: "%.3f", $0) }.joined(separator: " | ") + " | \(splits[r]!) |")
            }
            let table = lines.joined(separator: "\n") + "\n\n"
            print(table, terminator: "")
            summary += table
        }

        var runs: [Benchmark.Run] = [Benchmark.Run(method: "unreduced", r: 0, configuration: .identity)]
        for (name, make) in Benchmark.methods(probedSplits: splits) {
            for r in rValues { runs.append(Benchmark.Run(method: name, r: r, configuration: make(r))) }
        }
        let results = Benchmark.measure(runs, model: encoder.model, batches: batches, rounds: rounds)
        let rows = Benchmark.rows(runs: runs, results: results, queries: queryEmbeddings, model: encoder.model, length: length)
        let table = MiniLMReport.markdown(rows)
        print(table, terminator: "")
        summary += table

        var normCheck: NormCheck?
        if norms, let r = rValues.max(), r > 0 {
            let inputs = Array(batches.prefix(2))
            let rowCount = inputs.reduce(0) { $0 + $1.batchSize }
            let embedded = withoutGradients {
                inputs.map { (tokens: encoder.model.embeddings($0), validLengths: Optional($0.validLengths)) }
            }
            let check = NormCheck.measure(r: r, layerCount: encoder.model.layers.count, rowCount: rowCount) { configuration in
                FeatureNormProfile.measure(configuration, batches: embedded, through: encoder.model.layers)
            }
            let normTable = "\nMean token norm per layer at r = \(r) (\(rowCount) passages)\n\n" + check.markdown()
            print(normTable, terminator: "")
            summary += normTable
            normCheck = check
        }

        let settings = MiniLMSettings(
            model: "all-MiniLM-L6-v2", passages: sequences.count, length: length, minimumQueryWords: minimumQueryWords,
            batchSize: batchSize, timingRounds: rounds, threads: threads, rValues: rValues,
            probedNonlinearity: probe ? Dictionary(uniqueKeysWithValues: nonlinearity.map { ("\($0.key)", $0.value) }) : nil,
            probedSplits: probe ? Dictionary(uniqueKeysWithValues: splits.map { ("\($0.key)", $0.value) }) : nil)
        let files = try MiniLMReport.write(rows, settings: settings, normCheck: normCheck, summary: summary, to: URL(fileURLWithPath: output))
        print("\nwrote " + files.map(\.path).joined(separator: ", "))
    }
}
