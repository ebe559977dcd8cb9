import Foundation
import PolicyGradient
import PruningCore
import Synchronization

/// What the comparison runs.
struct ExperimentConfiguration: Sendable {
    /// The environments, in report order.
    var environments: [BenchmarkEnvironment]
    /// The algorithms, in report order.
    var algorithms: [AlgorithmKind]
    /// The seeds; each seed fixes the initial policy (shared by all algorithms) and all sampling.
    var seeds: [UInt64]
    /// The experience per run for every environment; nil for each environment's default.
    var budget: RunBudget?
    /// How many evenly spaced checkpoints the curves are read at.
    var checkpointCount = 50
    /// How many recent episodes each point's average return covers.
    var returnWindow = 10
    /// How many runs execute at once (each on one thread).
    var threads = 2
    /// A replacement for c, the momentum coefficient of BGPO and VR-BGPO (nil: the scripts').
    var momentumCoefficient: Float?

    /// The budget of every run on `environment`.
    func budget(for environment: BenchmarkEnvironment) -> RunBudget { budget ?? environment.defaultBudget }

    /// The checkpoints on `environment`: `checkpointCount` evenly spaced positions ending at the
    /// budget (fewer, without repeats, when the budget is smaller than that).
    func checkpoints(for environment: BenchmarkEnvironment) -> [Int] {
        let total = budget(for: environment).amount
        let count = max(1, min(checkpointCount, total))
        var result: [Int] = []
        for k in 1...count {
            let position = Int((Double(total) * Double(k) / Double(count)).rounded())
            if position != result.last { result.append(position) }
        }
        return result
    }
}

/// One finished training run.
struct RunResult: Sendable {
    /// The environment.
    var environment: BenchmarkEnvironment
    /// The algorithm.
    var algorithm: AlgorithmKind
    /// The seed.
    var seed: UInt64
    /// The learning curve, one point per iteration.
    var curve: LearningCurve
    /// The curve read at the configuration's checkpoints.
    var sampled: SampledCurve
    /// Wall-clock seconds.
    var seconds: Double
}

/// The outcome of ``Experiment/run(_:progress:)``.
struct ExperimentResult: Sendable {
    /// What ran.
    var configuration: ExperimentConfiguration
    /// Every run, ordered by environment, algorithm and seed.
    var runs: [RunResult]
    /// One aggregate per environment and algorithm, in configuration order.
    var curves: [AggregatedCurve]
    /// Wall-clock seconds for the whole comparison.
    var seconds: Double

    /// The aggregates of `environment`.
    func curves(for environment: BenchmarkEnvironment) -> [AggregatedCurve] {
        curves.filter { $0.environment == environment.rawValue }
    }
}

/// Runs every (environment, algorithm, seed) of a configuration, spreading the independent runs
/// over worker threads.
enum Experiment {
    /// Runs the comparison; `progress` receives one line per finished run (called from worker
    /// threads, one call at a time).
    static func run(_ configuration: ExperimentConfiguration, progress: @escaping @Sendable (String) -> Void = { _ in })
        -> ExperimentResult
    {
        precondition(!configuration.environments.isEmpty && !configuration.algorithms.isEmpty && !configuration.seeds.isEmpty,
                     "Experiment: needs at least one environment, algorithm and seed")
        let jobs = configuration.environments.flatMap { environment in
            configuration.algorithms.flatMap { algorithm in configuration.seeds.map { (environment, algorithm, $0) } }
        }
        let state = Mutex((next: 0, done: 0, results: [RunResult?](repeating: nil, count: jobs.count)))
        let start = Date()
        let workers = max(1, min(configuration.threads, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index: Int = state.withLock { state in
                    defer { state.next += 1 }
                    return state.next
                }
                guard index < jobs.count else { return }
                let (environment, algorithm, seed) = jobs[index]
                let result = runOne(environment: environment, algorithm: algorithm, seed: seed, configuration: configuration)
                state.withLock { state in
                    state.results[index] = result
                    state.done += 1
                    progress(progressLine(result, done: state.done, total: jobs.count,
                                          elapsed: Date().timeIntervalSince(start)))
                }
            }
        }
        let runs = state.withLock { $0.results.map { $0! } }
        var curves: [AggregatedCurve] = []
        for environment in configuration.environments {
            for algorithm in configuration.algorithms {
                let mine = runs.filter { $0.environment == environment && $0.algorithm == algorithm }
                curves.append(AggregatedCurve(
                    environment: environment, algorithm: algorithm, budget: configuration.budget(for: environment),
                    checkpoints: configuration.checkpoints(for: environment), runs: mine.map(\.sampled),
                    seconds: mine.map(\.seconds)))
            }
        }
        return ExperimentResult(configuration: configuration, runs: runs, curves: curves,
                                seconds: Date().timeIntervalSince(start))
    }

    /// Trains one algorithm on one environment with one seed.
    static func runOne(environment: BenchmarkEnvironment, algorithm: AlgorithmKind, seed: UInt64,
                       configuration: ExperimentConfiguration) -> RunResult {
        let start = Date()
        let instance = algorithm.make(for: environment, seed: seed, momentumCoefficient: configuration.momentumCoefficient)
        let budget = configuration.budget(for: environment)
        let curve = environment.train(instance, budget: budget, seed: seed, returnWindow: configuration.returnWindow)
        let sampled = SampledCurve(curve: curve, seed: seed, budget: budget,
                                   checkpoints: configuration.checkpoints(for: environment))
        return RunResult(environment: environment, algorithm: algorithm, seed: seed, curve: curve, sampled: sampled,
                         seconds: Date().timeIntervalSince(start))
    }

    private static func progressLine(_ run: RunResult, done: Int, total: Int, elapsed: Double) -> String {
        let last = run.curve.points.last
        var final = run.sampled.averageReturns.last.flatMap { $0 }.map { fixed($0, 1) } ?? "n/a"
        if let diverged = run.sampled.divergedAt { final = "diverged (non-finite) at \(diverged)" }
        let remaining = elapsed / Double(done) * Double(total - done)
        return "[\(done)/\(total)] \(run.environment.rawValue) \(run.algorithm.displayName) seed \(run.seed): "
            + "final return \(final), \(last?.trajectories ?? 0) trajectories, \(last?.environmentSteps ?? 0) steps, "
            + "\(fixed(run.seconds, 1)) s (elapsed \(fixed(elapsed, 0)) s, about \(fixed(remaining, 0)) s left)"
    }
}

/// `value` with `decimals` digits after the point.
func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}
