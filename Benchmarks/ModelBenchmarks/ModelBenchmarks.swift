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

            Workloads: \(workloads.map(\.name).joined(separator: ", ")), or the groups \
            \(groups.map(\.name).joined(separator: ", ")) (language: the SmolLM2 and MiniLM workloads; \
            vision: the Fashion-MNIST baselines' training steps and inference). Each workload runs \
            at every --threads count, ours then PyTorch's (Benchmarks/torch_models.py, which reads \
            the same inputs from a temporary JSON file and cross-checks our outputs). Figures are \
            throughputs of the best and median wall-clock runs and of the least process CPU time \
            of a run (the steadier figure at one thread on a shared machine); ratios are ours / \
            PyTorch in time (above 1: we are slower). Model files: scripts/fetch-models; data: the \
            WikiText-2 test split; the vision workloads use synthetic 1×28×28 batches and freshly \
            initialized models whose weights PyTorch loads. See Documentation/ModelZoo-Benchmarks.md.
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
        Entry(name: "resnet20-train", samples: 10) { _ in VisionTrainingWorkload(model: .resnet20, batchSize: 128) },
        Entry(name: "vit-train", samples: 10) { _ in VisionTrainingWorkload(model: .vit, batchSize: 128) },
        Entry(name: "resnet20-eval", samples: 10) { _ in VisionInferenceWorkload(model: .resnet20, batchSize: 128) },
        Entry(name: "vit-eval", samples: 10) { _ in VisionInferenceWorkload(model: .vit, batchSize: 128) },
    ]

    /// Names that stand for several workloads on the command line.
    static let groups: [(name: String, members: [String])] = [
        ("all", workloads.map(\.name)),
        ("language", ["llm-prefill", "llm-decode", "perplexity", "minilm"]),
        ("vision", ["resnet20-train", "vit-train", "resnet20-eval", "vit-eval"]),
    ]

    @Argument(help: "Workloads, or the groups all, language, vision, to run.")
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
        let chosen = try Self.entries(named: names)
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

    /// The workloads `names` select (workload or group names), each once, in the order of
    /// ``workloads``.
    ///
    /// - Throws: `ValidationError` for a name that is neither a workload nor a group.
    static func entries(named names: [String]) throws -> [Entry] {
        var selected = Set<String>()
        for name in names {
            if let group = groups.first(where: { $0.name == name }) {
                selected.formUnion(group.members)
            } else if workloads.contains(where: { $0.name == name }) {
                selected.insert(name)
            } else {
                throw ValidationError(
                    "unknown workload '\(name)'; choose from \(workloads.map(\.name).joined(separator: ", ")) or the groups \(groups.map(\.name).joined(separator: ", "))")
            }
        }
        return workloads.filter { selected.contains($0.name) }
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
