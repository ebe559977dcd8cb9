import Foundation
@testable import PolicyGradient
import PruningCore
import Testing
@testable import bgpo
@testable import ExampleSupport
@testable import ModelZoo

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Collects element names and text of an SVG document.
private final class SVGReader: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var root: String?
    var texts: [String] = []
    private var currentText = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        elements[name, default: 0] += 1
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(currentText) }
    }
}

@Suite struct BGPOExampleTests {
    @Test("budgets parse as trajectories or steps, with k/m multipliers")
    func budgetParsing() {
        #expect(RunBudget(argument: "300") == .trajectories(300))
        #expect(RunBudget(argument: "2kt") == .trajectories(2_000))
        #expect(RunBudget(argument: "200ks") == .environmentSteps(200_000))
        #expect(RunBudget(argument: "1msteps") == .environmentSteps(1_000_000))
        #expect(RunBudget(argument: "50trajectories") == .trajectories(50))
        #expect(RunBudget(argument: "0") == nil)
        #expect(RunBudget(argument: "ten") == nil)
    }

    @Test("a curve is read at each checkpoint from the last iteration within it; non-finite returns mark divergence")
    func sampling() {
        let points: [LearningCurve.Point] = [
            .init(iteration: 1, trajectories: 2, environmentSteps: 30, averageReturn: nil),
            .init(iteration: 2, trajectories: 4, environmentSteps: 70, averageReturn: 10),
            .init(iteration: 3, trajectories: 7, environmentSteps: 120, averageReturn: 20),
            .init(iteration: 4, trajectories: 9, environmentSteps: 150, averageReturn: .nan),
            .init(iteration: 5, trajectories: 11, environmentSteps: 190, averageReturn: 40),
        ]
        let curve = LearningCurve(algorithm: "x", points: points)
        let sampled = SampledCurve(curve: curve, seed: 1, budget: .trajectories(10), checkpoints: [1, 3, 5, 8, 10])
        #expect(sampled.averageReturns == [nil, nil, 10, 20, nil])
        #expect(sampled.trajectories == [nil, 2, 4, 7, 9])
        #expect(sampled.environmentSteps == [nil, 30, 70, 120, 150])
        #expect(sampled.divergedAt == 10)
        #expect(sampled.areaUnderCurve == 15)
        #expect(sampled.firstIndex(reaching: 15) == 3)
        let bySteps = SampledCurve(curve: curve, seed: 1, budget: .environmentSteps(200), checkpoints: [100, 200])
        #expect(bySteps.averageReturns == [10, nil] && bySteps.divergedAt == 200)
    }

    @Test("nice ticks cover the data range")
    func ticks() {
        let (ticks, range) = SVGLinePlot.ticks(covering: -1234...87)
        #expect(ticks.step == 250)
        #expect(ticks.values.first == -1250 && ticks.values.last == 250 && range == -1250...250)
        #expect(SVGLinePlot.tickLabel(250_000, step: 50_000) == "250k")
        #expect(SVGLinePlot.tickLabel(0.25, step: 0.05) == "0.25")
        #expect(SVGLinePlot.escaped("Lp(p=3) <a & b>") == "Lp(p=3) &lt;a &amp; b&gt;")
    }

    @Test("a tiny comparison has curves of the right shape and writes parseable CSV, JSON and SVG")
    func tinyComparison() throws {
        let configuration = ExperimentConfiguration(
            environments: [.cartPole], algorithms: [.bgpoDiag, .vrbgpoLp, .gpomdp], seeds: [1, 2],
            budget: .trajectories(5), checkpointCount: 5, threads: 2)
        let lines = LockedLines()
        let result = Experiment.run(configuration) { lines.append($0) }
        #expect(lines.count == 6)
        #expect(result.runs.count == 6 && result.curves.count == 3)
        for run in result.runs {
            #expect(run.curve.points.last!.trajectories >= 5)
            #expect(run.sampled.averageReturns.count == 5)
            // GPOMDP samples 5 episodes per iteration: nothing is known before the 5th trajectory.
            let known = run.sampled.averageReturns.map { $0 != nil }
            #expect(known == (run.algorithm == .gpomdp ? [false, false, false, false, true] : [true, true, true, true, true]))
        }
        for curve in result.curves {
            #expect(curve.checkpoints == [1, 2, 3, 4, 5])
            #expect(curve.mean.count == 5 && curve.standardDeviation.count == 5 && curve.meanEnvironmentSteps.count == 5)
            #expect(curve.finalReturn?.count == 2)
            #expect(curve.thresholdCheckpoints.count == 2)
        }
        // The parallel run equals a run made on its own.
        let alone = Experiment.runOne(environment: .cartPole, algorithm: .vrbgpoLp, seed: 2, configuration: configuration)
        let parallel = result.runs.first { $0.algorithm == .vrbgpoLp && $0.seed == 2 }!
        #expect(alone.curve.points == parallel.curve.points)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bgpo-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try ResultWriter.write(result, to: folder)
        #expect(Set(files.map(\.lastPathComponent))
            == ["summary.md", "curves.csv", "runs.csv", "results.json", "cartpole.svg", "cartpole-steps.svg"])

        let table = try String(contentsOf: folder.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(table.split(separator: "\n").count == 2 + 3)
        #expect(table.contains("| CartPole-v1 | VR-BGPO-Lp(p=3) |"))

        let curves = try String(contentsOf: folder.appendingPathComponent("curves.csv"), encoding: .utf8)
            .split(separator: "\n")
        #expect(curves.count == 1 + 3 * 5)
        #expect(curves.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 9 })
        let runs = try String(contentsOf: folder.appendingPathComponent("runs.csv"), encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 1 + result.runs.reduce(0) { $0 + $1.curve.points.count })

        let data = try Data(contentsOf: folder.appendingPathComponent("results.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let jsonCurves = try #require(json["curves"] as? [[String: Any]])
        #expect(jsonCurves.count == 3)
        #expect((jsonCurves[0]["mean"] as? [Any])?.count == 5)
        #expect((json["runs"] as? [Any])?.count == 6)

        for name in ["cartpole.svg", "cartpole-steps.svg"] {
            let parser = try #require(XMLParser(contentsOf: folder.appendingPathComponent(name)))
            let reader = SVGReader()
            parser.delegate = reader
            #expect(parser.parse(), "\(name) is not well-formed XML")
            #expect(reader.root == "svg")
            // Two curves are lines with bands; GPOMDP's single point is a dot.
            #expect(reader.elements["polyline"] == 2 && reader.elements["polygon"] == 2 && reader.elements["circle"] == 1)
            for algorithm in ["BGPO-Diag", "VR-BGPO-Lp(p=3)", "GPOMDP"] { #expect(reader.texts.contains(algorithm)) }
        }
    }
}

/// Progress lines collected from worker threads.
private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return lines.count
    }
}
