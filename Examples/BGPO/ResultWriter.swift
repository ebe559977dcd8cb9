import ExampleSupport
import Foundation
import ModelZoo
import PolicyGradient

/// Writes an ``ExperimentResult`` as a markdown table, CSV, JSON and one SVG plot per
/// environment.
enum ResultWriter {
    /// The files written into the output folder.
    enum File {
        /// Aggregated curves: one row per environment, algorithm and checkpoint.
        static let curves = "curves.csv"
        /// Raw curves: one row per run and iteration.
        static let runs = "runs.csv"
        /// Everything: configuration, aggregates with per-seed samples, summary.
        static let json = "results.json"
        /// The markdown table.
        static let table = "summary.md"
        /// The plot of `environment` against the budget axis.
        static func plot(_ environment: BenchmarkEnvironment) -> String { "\(environment.key).svg" }
        /// The plot of `environment` against environment steps.
        static func stepsPlot(_ environment: BenchmarkEnvironment) -> String { "\(environment.key)-steps.svg" }
    }

    /// Writes all files into `folder` (created if needed); returns their URLs.
    @discardableResult
    static func write(_ result: ExperimentResult, to folder: URL) throws -> [URL] {
        var written: [(name: String, text: String)] = [
            (File.table, markdownTable(result)),
            (File.curves, curvesCSV(result)),
            (File.runs, runsCSV(result)),
            (File.json, try json(result)),
        ]
        for environment in result.configuration.environments {
            written.append((File.plot(environment), plot(result, environment, againstSteps: false).render()))
            written.append((File.stepsPlot(environment), plot(result, environment, againstSteps: true).render()))
        }
        return try ResultFiles.write(written, to: folder)
    }

    // MARK: Markdown

    /// The summary table: final return and normalized area under the curve (mean ± std over
    /// seeds), how many seeds reached the environment's threshold and when.
    static func markdownTable(_ result: ExperimentResult) -> String {
        var lines = [
            "| Environment | Algorithm | Final return | AUC (mean return) | Seeds ≥ threshold | First reached (median trajectories / steps) | Steps per run | s per run |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for curve in result.curves {
            let reached = curve.thresholdTrajectories.compactMap { $0 }.map(Double.init)
            let reachedSteps = curve.thresholdSteps.compactMap { $0 }.map(Double.init)
            let when = reached.isEmpty ? "–"
                : "\(Int(Statistics.median(reached)!)) / \(Int(Statistics.median(reachedSteps)!))"
            let steps = curve.meanEnvironmentSteps.last.flatMap { $0 }.map { String(Int($0.rounded())) } ?? "–"
            lines.append("| \(curve.environment) | \(curve.algorithm) | \(format(curve.finalReturn)) | \(format(curve.areaUnderCurve)) "
                + "| \(curve.seedsReachingThreshold)/\(curve.thresholdCheckpoints.count) (≥ \(threshold(curve.threshold)))"
                + (curve.divergedSeeds > 0 ? ", \(curve.divergedSeeds) diverged " : " ")
                + "| \(when) | \(steps) | \(fixed(curve.secondsPerRun, 1)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: MeanAndDeviation?) -> String {
        guard let value else { return "–" }
        return "\(fixed(value.mean, 1)) ± \(fixed(value.standardDeviation, 1))"
    }

    private static func threshold(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : fixed(value, 1)
    }

    // MARK: CSV

    /// One row per environment, algorithm and checkpoint.
    static func curvesCSV(_ result: ExperimentResult) -> String {
        var rows = ["environment,algorithm,axis,checkpoint,mean_trajectories,mean_environment_steps,mean_return,std_return,seeds"]
        for curve in result.curves {
            let seeds = curve.thresholdCheckpoints.count
            for k in curve.checkpoints.indices {
                rows.append([curve.environment, curve.algorithm, curve.axis, String(curve.checkpoints[k]),
                             csv(curve.meanTrajectories[k]), csv(curve.meanEnvironmentSteps[k]), csv(curve.mean[k]),
                             csv(curve.standardDeviation[k]), String(seeds)].joined(separator: ","))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// One row per run and iteration (the raw learning curves).
    static func runsCSV(_ result: ExperimentResult) -> String {
        var rows = ["environment,algorithm,seed,iteration,trajectories,environment_steps,average_return"]
        for run in result.runs {
            let prefix = "\(run.environment.rawValue),\(run.algorithm.displayName),\(run.seed)"
            for point in run.curve.points where point.averageReturn?.isFinite ?? true {
                rows.append("\(prefix),\(point.iteration),\(point.trajectories),\(point.environmentSteps),\(csv(point.averageReturn))")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private static func csv(_ value: Double?) -> String {
        guard let value else { return "" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.6g", value)
    }

    // MARK: JSON

    private struct Document: Encodable {
        struct Configuration: Encodable {
            var environments: [String]
            var algorithms: [String]
            var seeds: [UInt64]
            var budgets: [String: String]
            var checkpointCount: Int
            var returnWindow: Int
            var threads: Int
            var momentumCoefficient: Float?
        }
        struct Run: Encodable {
            var environment: String
            var algorithm: String
            var seed: UInt64
            var seconds: Double
            var iterations: Int
            var sampled: SampledCurve
        }
        var configuration: Configuration
        var seconds: Double
        var curves: [AggregatedCurve]
        var runs: [Run]
    }

    /// The whole result as JSON.
    static func json(_ result: ExperimentResult) throws -> String {
        let c = result.configuration
        let document = Document(
            configuration: .init(
                environments: c.environments.map(\.rawValue), algorithms: c.algorithms.map(\.displayName), seeds: c.seeds,
                budgets: Dictionary(uniqueKeysWithValues: c.environments.map { ($0.rawValue, c.budget(for: $0).description) }),
                checkpointCount: c.checkpointCount, returnWindow: c.returnWindow, threads: c.threads,
                momentumCoefficient: c.momentumCoefficient),
            seconds: result.seconds, curves: result.curves,
            runs: result.runs.map {
                .init(environment: $0.environment.rawValue, algorithm: $0.algorithm.displayName, seed: $0.seed,
                      seconds: $0.seconds, iterations: $0.curve.points.count, sampled: $0.sampled)
            })
        return try ResultFiles.json(document)
    }

    // MARK: SVG

    /// The plot of one environment: mean ± std of the average return per algorithm, against the
    /// budget axis or (at the checkpoints' mean step counts) against environment steps.
    static func plot(_ result: ExperimentResult, _ environment: BenchmarkEnvironment, againstSteps: Bool) -> SVGLinePlot {
        let curves = result.curves(for: environment)
        let budget = result.configuration.budget(for: environment)
        let series = curves.map { curve in
            let x: [Double?] = againstSteps ? curve.meanEnvironmentSteps : curve.checkpoints.map(Double.init)
            let kept = x.indices.filter { x[$0] != nil }
            return SVGLinePlot.Series(name: curve.algorithm, x: kept.map { x[$0]! }, mean: kept.map { curve.mean[$0] },
                                      deviation: kept.map { curve.standardDeviation[$0] })
        }
        let seeds = result.configuration.seeds.count
        let xLabel = againstSteps ? "environment steps (mean over seeds)"
            : (budget.axisName == "trajectories" ? "trajectories" : "environment steps")
        return SVGLinePlot(
            title: "\(environment.rawValue): average return, mean ± std over \(seeds) seeds",
            xLabel: xLabel, yLabel: "average return (last \(result.configuration.returnWindow) episodes)",
            series: series, reference: (environment.solvedThreshold, "threshold \(threshold(environment.solvedThreshold))"))
    }
}
