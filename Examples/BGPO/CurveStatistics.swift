import Foundation
import PolicyGradient

/// One training run's learning curve read at evenly spaced checkpoints of its budget.
struct SampledCurve: Codable, Sendable {
    /// The seed of the run.
    var seed: UInt64
    /// The average return at each checkpoint: that of the last iteration completed within the
    /// checkpoint's budget; nil while no episode has completed.
    var averageReturns: [Double?]
    /// The trajectories sampled by that iteration.
    var trajectories: [Int?]
    /// The environment steps taken by that iteration.
    var environmentSteps: [Int?]
    /// The first checkpoint by which an average return was not finite (the parameters
    /// diverged); from there on the returns are nil.
    var divergedAt: Int?

    /// Reads `curve` at `checkpoints` (positions on `budget`'s axis, increasing).
    init(curve: LearningCurve, seed: UInt64, budget: RunBudget, checkpoints: [Int]) {
        self.seed = seed
        averageReturns = []
        trajectories = []
        environmentSteps = []
        var index = -1
        for checkpoint in checkpoints {
            while index + 1 < curve.points.count && budget.position(of: curve.points[index + 1]) <= checkpoint {
                index += 1
                if let value = curve.points[index].averageReturn, !value.isFinite, divergedAt == nil { divergedAt = checkpoint }
            }
            let point = index >= 0 ? curve.points[index] : nil
            averageReturns.append(divergedAt == nil ? point?.averageReturn : nil)
            trajectories.append(point?.trajectories)
            environmentSteps.append(point?.environmentSteps)
        }
    }

    /// The mean average return over the checkpoints that have one: the normalized area under
    /// the curve (nil if none has).
    var areaUnderCurve: Double? { Statistics.mean(averageReturns.compactMap { $0 }) }

    /// The first checkpoint index whose average return reaches `threshold`.
    func firstIndex(reaching threshold: Double) -> Int? {
        averageReturns.firstIndex { ($0 ?? -.infinity) >= threshold }
    }
}

/// Mean and standard deviation helpers (population deviation over seeds, as the papers' shaded
/// bands).
enum Statistics {
    /// The mean, nil for no values.
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The standard deviation (divisor n), nil for no values.
    static func standardDeviation(_ values: [Double]) -> Double? {
        guard let mean = mean(values) else { return nil }
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    /// The median, nil for no values.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Mean ± deviation of `values`.
    static func summary(_ values: [Double]) -> MeanAndDeviation? {
        guard let mean = mean(values), let deviation = standardDeviation(values) else { return nil }
        return MeanAndDeviation(mean: mean, standardDeviation: deviation, count: values.count)
    }
}

/// A mean with its standard deviation over `count` values.
struct MeanAndDeviation: Codable, Sendable, Equatable {
    /// The mean.
    var mean: Double
    /// The standard deviation.
    var standardDeviation: Double
    /// How many values (seeds) went in.
    var count: Int
}

/// The seeds of one algorithm on one environment, aggregated per checkpoint.
struct AggregatedCurve: Codable, Sendable {
    /// The environment's Gymnasium id.
    var environment: String
    /// The algorithm's display name.
    var algorithm: String
    /// The axis the checkpoints are counted on ("trajectories" or "environmentSteps").
    var axis: String
    /// The checkpoints, on ``axis``.
    var checkpoints: [Int]
    /// The mean trajectories sampled at each checkpoint over the seeds.
    var meanTrajectories: [Double?]
    /// The mean environment steps taken at each checkpoint over the seeds.
    var meanEnvironmentSteps: [Double?]
    /// Mean average return over the seeds at each checkpoint.
    var mean: [Double?]
    /// Its standard deviation over the seeds.
    var standardDeviation: [Double?]
    /// Final average return (last checkpoint) over the seeds.
    var finalReturn: MeanAndDeviation?
    /// The normalized area under the curve (mean return over the checkpoints) over the seeds.
    var areaUnderCurve: MeanAndDeviation?
    /// The return threshold of the environment.
    var threshold: Double
    /// Per seed: the checkpoint at which the average return first reached ``threshold``, nil
    /// if it never did.
    var thresholdCheckpoints: [Int?]
    /// Per seed: the environment steps taken when the threshold was first reached.
    var thresholdSteps: [Int?]
    /// Per seed: the trajectories sampled when the threshold was first reached.
    var thresholdTrajectories: [Int?]
    /// Mean wall-clock seconds per run.
    var secondsPerRun: Double

    /// Aggregates `runs` (one per seed, read at `checkpoints`).
    init(environment: BenchmarkEnvironment, algorithm: AlgorithmKind, budget: RunBudget, checkpoints: [Int],
         runs: [SampledCurve], seconds: [Double]) {
        self.environment = environment.rawValue
        self.algorithm = algorithm.displayName
        axis = budget.axisName
        self.checkpoints = checkpoints
        threshold = environment.solvedThreshold
        func column<T: BinaryInteger>(_ values: KeyPath<SampledCurve, [T?]>, _ k: Int) -> Double? {
            Statistics.mean(runs.compactMap { $0[keyPath: values][k] }.map { Double($0) })
        }
        meanTrajectories = checkpoints.indices.map { column(\.trajectories, $0) }
        meanEnvironmentSteps = checkpoints.indices.map { column(\.environmentSteps, $0) }
        mean = checkpoints.indices.map { k in Statistics.mean(runs.compactMap { $0.averageReturns[k] }) }
        standardDeviation = checkpoints.indices.map { k in Statistics.standardDeviation(runs.compactMap { $0.averageReturns[k] }) }
        finalReturn = Statistics.summary(runs.compactMap { $0.averageReturns.last ?? nil })
        areaUnderCurve = Statistics.summary(runs.compactMap(\.areaUnderCurve))
        let reached = runs.map { $0.firstIndex(reaching: environment.solvedThreshold) }
        thresholdCheckpoints = reached.map { $0.map { checkpoints[$0] } }
        thresholdSteps = zip(runs, reached).map { run, k in k.flatMap { run.environmentSteps[$0] } }
        thresholdTrajectories = zip(runs, reached).map { run, k in k.flatMap { run.trajectories[$0] } }
        secondsPerRun = Statistics.mean(seconds) ?? 0
        divergedCheckpoints = runs.map(\.divergedAt)
    }

    /// Per seed: the checkpoint at which the run diverged (non-finite returns), nil if it did not.
    var divergedCheckpoints: [Int?]

    /// How many seeds diverged.
    var divergedSeeds: Int { divergedCheckpoints.compactMap { $0 }.count }

    /// How many seeds reached the threshold.
    var seedsReachingThreshold: Int { thresholdCheckpoints.compactMap { $0 }.count }
}
