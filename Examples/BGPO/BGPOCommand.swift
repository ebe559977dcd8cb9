import ArgumentParser
import ExampleSupport
import Foundation
import PolicyGradient
import PruningCore

/// Reproduces the comparison of Huang, Gao & Huang, "Bregman Gradient Policy Optimization"
/// (ICLR 2022) on Gymnasium's classic-control tasks: BGPO and VR-BGPO with two mirror maps
/// against REINFORCE, GPOMDP, IS-MBPG and PPO, over several seeds.
@main
struct BGPOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bgpo",
        abstract: "Compare BGPO and VR-BGPO with policy-gradient baselines on classic-control tasks.",
        discussion: """
            Trains every algorithm on every environment for each seed, prints a markdown table of \
            the final average return and the area under the curve (mean ± std over seeds), and \
            writes summary.md, curves.csv (aggregated), runs.csv (raw), results.json and one SVG \
            plot per environment (<env>.svg against the budget axis, <env>-steps.svg against \
            environment steps) into the output folder.

            Environments: \(BenchmarkEnvironment.allCases.map(\.key).joined(separator: ", ")). \
            Algorithms: \(AlgorithmKind.allCases.map(\.key).joined(separator: ", ")). \
            Budgets: N or Nt (trajectories), Ns (environment steps); N may end in k or m. \
            Build in release mode: swift build -c release --product bgpo
            """)

    @Option(help: "Comma-separated environments, or all.")
    var environments: String = "all"

    @Option(help: "Comma-separated algorithms, or all.")
    var algorithms: String = "all"

    @Option(help: "Number of seeds (1...N).")
    var seeds: Int = 5

    @Option(help: "Experience per run for every environment (default: each environment's own budget).")
    var budget: String?

    @Option(help: "Checkpoints per curve.")
    var checkpoints: Int = 50

    @Option(help: "Output folder.")
    var output: String = "results/bgpo"

    @Option(help: "Runs executed in parallel (one thread each).")
    var threads: Int = 2

    @Option(help: ArgumentHelp(
        "Replace c, the momentum coefficient of BGPO and VR-BGPO.",
        discussion: "Their momentum weight is max(0.3, min(1, c·η²)) as in the official code; the scripts' c keeps it at 1 (no momentum) at these step sizes, 0 holds it at 0.3."))
    var momentumCoefficient: Float?

    mutating func validate() throws {
        try InputPaths.checkOutputDirectory(output, flag: "--output")
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(1)
        ThreadPolicy.maximumThreads = 1
        let configuration = try makeConfiguration()
        say("OpenBLAS kernels: \(BLAS.coreName); \(configuration.threads) parallel runs")
        for environment in configuration.environments {
            say("\(environment.rawValue): \(configuration.budget(for: environment)) per run")
        }
        if let c = configuration.momentumCoefficient { say("BGPO and VR-BGPO with momentum coefficient c = \(c)") }
        let runCount = configuration.environments.count * configuration.algorithms.count * configuration.seeds.count
        say("\(runCount) runs: \(configuration.algorithms.map(\.displayName).joined(separator: ", ")) × \(configuration.seeds.count) seeds\n")
        let result = Experiment.run(configuration) { say($0) }
        say("\n" + ResultWriter.markdownTable(result))
        let files = try ResultWriter.write(result, to: URL(fileURLWithPath: output, isDirectory: true))
        say("total \(fixed(result.seconds, 0)) s; wrote \(files.map(\.lastPathComponent).joined(separator: ", ")) to \(output)")
    }

    /// The configuration the flags describe.
    func makeConfiguration() throws -> ExperimentConfiguration {
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard checkpoints > 0 else { throw ValidationError("--checkpoints must be positive") }
        guard (momentumCoefficient ?? 0) >= 0 else { throw ValidationError("--momentum-coefficient must not be negative") }
        let chosenEnvironments: [BenchmarkEnvironment] = try Self.list(environments, all: BenchmarkEnvironment.allCases) {
            guard let environment = BenchmarkEnvironment(argument: $0) else {
                throw ValidationError("unknown environment '\($0)'; choose from \(BenchmarkEnvironment.allCases.map(\.key).joined(separator: ", "))")
            }
            return environment
        }
        let chosenAlgorithms: [AlgorithmKind] = try Self.list(algorithms, all: AlgorithmKind.allCases) {
            guard let algorithm = AlgorithmKind(argument: $0) else {
                throw ValidationError("unknown algorithm '\($0)'; choose from \(AlgorithmKind.allCases.map(\.key).joined(separator: ", "))")
            }
            return algorithm
        }
        var parsedBudget: RunBudget?
        if let budget {
            guard let value = RunBudget(argument: budget) else {
                throw ValidationError("--budget '\(budget)' is not N, Nt (trajectories) or Ns (steps)")
            }
            parsedBudget = value
        }
        return ExperimentConfiguration(
            environments: chosenEnvironments, algorithms: chosenAlgorithms, seeds: (1...seeds).map(UInt64.init),
            budget: parsedBudget, checkpointCount: checkpoints, threads: threads, momentumCoefficient: momentumCoefficient)
    }

    private static func list<T>(_ text: String, all: [T], parse: (String) throws -> T) throws -> [T] {
        if text.lowercased() == "all" { return all }
        return try text.split(separator: ",").map { try parse($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// Writes `line` to standard output unbuffered, so that progress shows up at once when piped.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
