import ArgumentParser
import ExampleSupport
import Foundation
import PruningCore

/// Speed benchmarks of the tensor core, each reported against a reference measured in the same
/// run: the bare BLAS call, or PyTorch on the CPU when a Python with PyTorch is given.
@main
struct CoreBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core-benchmarks",
        abstract: "Speed of the tensor core against BLAS and PyTorch, measured side by side.",
        discussion: """
            Build in release mode: swift run -c release core-benchmarks all --python <python with torch> \
            Workloads: gemm, mlp, cnn, gpt, conv, memory (or all). Figures are best and median of \
            repeated runs; ratios are ours / reference (time) or ours / reference (GFLOP/s for gemm).
            """)

    @Argument(help: "Workload: gemm, mlp, cnn, gpt, conv, memory or all.")
    var workload: String = "all"

    @Option(help: "Threads for BLAS and for the elementwise loops (1 gives stable figures).")
    var threads: Int = 1

    @Option(help: "A Python interpreter with PyTorch installed, for the side-by-side reference.")
    var python: String?

    @Option(help: "Timed samples per measurement.")
    var samples: Int = 7

    @Option(help: "Training steps for the memory benchmark.")
    var steps: Int = 1000

    mutating func validate() throws {
        try CountChecks.atLeast([("--threads", threads, 1), ("--samples", samples, 1), ("--steps", steps, 1)])
        if let python { try InputPaths.checkReadable(python, flag: "--python") }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let torch = TorchReference(python: python)
        let all = ["gemm", "mlp", "cnn", "gpt", "conv", "memory"]
        let chosen = workload == "all" ? all : [workload]
        for name in chosen {
            guard all.contains(name) else { throw ValidationError("unknown workload '\(name)'; choose from \(all.joined(separator: ", "))") }
        }
        print("threads: \(threads), OpenBLAS kernels: \(BLAS.coreName)\n")
        for name in chosen {
            switch name {
            case "gemm": GEMMBenchmark(samples: samples).run()
            case "mlp", "cnn", "gpt": TrainingStepBenchmark(workload: name, samples: samples, threads: threads, torch: torch).run()
            case "conv": ConvolutionBenchmark(samples: samples, threads: threads, torch: torch).run()
            default: MemoryBenchmark(steps: steps).run()
            }
            print("")
        }
    }
}
