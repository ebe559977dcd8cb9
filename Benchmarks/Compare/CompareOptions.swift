import ArgumentParser
import ExampleSupport
import Foundation
import PruningCore

/// The options every family shares.
struct CompareOptions: ParsableArguments {
    @Flag(help: "Tiny budgets on the real models (a few minutes for all families), for continuous integration.")
    var quick = false

    @Option(help: "Folder for summary.md, results.csv, results.json and comparison.svg.")
    var output: String = "results/compare"

    @Option(help: "Threads for BLAS and the elementwise loops (speeds are measured with the same count).")
    var threads: Int = 2

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    func validate() throws {
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        try CountChecks.atLeast([("--threads", threads, 1)])
    }

    /// Sets the thread counts and the BLAS kernels.
    func prepare() {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
    }
}

/// Seconds since `start`.
func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start) / .seconds(1)
}
