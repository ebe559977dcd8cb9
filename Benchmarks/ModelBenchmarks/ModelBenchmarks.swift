import ArgumentParser
import Foundation
import ModelZoo
import PruningCore

/// Speed of the ModelZoo models against PyTorch on the CPU, on the same models and inputs,
/// measured side by side in one run.
@main
struct ModelBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-benchmarks",
        abstract: "Speed of the ModelZoo models against PyTorch, measured side by side.",
        discussion: """
            Build in release mode: swift run -c release model-benchmarks --python <python with torch, transformers, gguf>

            Workloads: \(workloads.map(\.name).joined(separator: ", ")) (or all). Each workload runs \
            at every --threads count, ours then PyTorch's (Benchmarks/torch_models.py, which reads \
            the same inputs from a temporary JSON file and cross-checks our outputs). Figures are \
            throughputs of the best and median wall-clock runs and of the least process CPU time \
            of a run (the steadier figure at one thread on a shared machine); ratios are ours / \
            PyTorch in time (above 1: we are slower). Model files: scripts/fetch-models; data: the \
            WikiText-2 test split. See Documentation/ModelZoo-Benchmarks.md.
            """)

    /// A workload's command-line name (also its name in `torch_models.py`), its default number
    /// of timed runs, and how it is built from the shared models.
    struct Entry: Sendable {
        let name: String
        let samples: Int
        let make: @Sendable (BenchmarkModels) throws -> any ModelWorkload
    }

    /// Every workload, in the order `all` runs them. A new workload is one more entry.
    static let workloads: [Entry] = [
        Entry(name: "llm-prefill", samples: 5) { models in
            PrefillWorkload(model: try models.languageModel(), ids: try models.wikiTextTokens(count: 512))
        },
        Entry(name: "llm-decode", samples: 3) { models in
            DecodeWorkload(model: try models.languageModel(), prompt: try models.wikiTextTokens(count: 32), newTokens: 128)
        },
        Entry(name: "perplexity", samples: 3) { models in
            PerplexityWorkload(model: try models.languageModel(), ids: try models.wikiTextTokens(count: 4 * 512), windowLength: 512)
        },
        Entry(name: "minilm", samples: 5) { models in
            SentenceEmbeddingWorkload(
                encoder: try models.sentenceEncoder(),
                sentences: try models.wikiTextSentences(count: 256, tokenRange: 30...128), batchSize: 32)
        },
    ]

    @Argument(help: "Workloads to run (default: all).")
    var names: [String] = ["all"]

    @Option(parsing: .upToNextOption, help: "Thread counts to measure at, for BLAS and the elementwise loops, and for PyTorch.")
    var threads: [Int] = [1, 2]

    @Option(help: "A Python interpreter with torch, transformers, tokenizers, safetensors and gguf, for the side-by-side reference.")
    var python: String?

    @Option(help: "Timed runs per measurement (default: per workload, 3 or 5), after one warm-up run.")
    var samples: Int?

    @Option(help: "PyTorch's attention: sdpa (its default, fused) or eager (explicit softmax).")
    var attention: String = "sdpa"

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        guard threads.allSatisfy({ $0 > 0 }) else { throw ValidationError("--threads must be positive") }
        guard ["sdpa", "eager"].contains(attention) else { throw ValidationError("--attention must be sdpa or eager") }
        let chosen = names == ["all"] ? Self.workloads : try names.map { name in
            guard let entry = Self.workloads.first(where: { $0.name == name }) else {
                throw ValidationError("unknown workload '\(name)'; choose from \(Self.workloads.map(\.name).joined(separator: ", ")) or all")
            }
            return entry
        }
        let torch = TorchModels(python: python, attention: attention)
        print("threads: \(threads.map(String.init).joined(separator: ", ")); OpenBLAS kernels: \(BLAS.coreName); PyTorch attention: \(attention); load average at start: \(loadAverage())\n")
        let models = BenchmarkModels()
        var summary: [(String, String, WorkloadMeasurement, Int)] = []
        for entry in chosen {
            let workload = try entry.make(models)
            let runner = WorkloadRunner(
                name: entry.name, workload: workload, threadCounts: threads, samples: samples ?? entry.samples, torch: torch)
            for measurement in try runner.run() {
                summary.append((entry.name, workload.unit, measurement, workload.unitsPerRun))
            }
        }
        printSummary(summary)
        print("\nload average at end: \(loadAverage())")
    }

    /// Sets the thread count of BLAS and of the elementwise loops.
    static func useThreads(_ count: Int) {
        BLAS.setThreadCount(count)
        ThreadPolicy.maximumThreads = count
    }

    private func printSummary(_ rows: [(String, String, WorkloadMeasurement, Int)]) {
        print("## summary\n")
        print("| workload | threads | ours (best) | PyTorch (best) | ratio ours / PyTorch (best) | ratio (CPU time) |")
        print("|---|---:|---:|---:|---:|---:|")
        for (name, unit, m, units) in rows {
            let ours = "\(format(Double(units) / m.ours.best, 1)) \(unit)/s"
            if let best = m.reference?["best"], let cpu = m.reference?["cpu"] {
                print("| \(name) | \(m.threads) | \(ours) | \(format(Double(units) / best, 1)) \(unit)/s | \(format(m.ours.best / best)) | \(format(m.ours.cpuBest / cpu)) |")
            } else {
                print("| \(name) | \(m.threads) | \(ours) | – | – | – |")
            }
        }
    }
}
