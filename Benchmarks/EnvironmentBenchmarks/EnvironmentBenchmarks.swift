import ArgumentParser
import Foundation
import PolicyGradient
import PruningCore

/// Environment steps per second of the Gymnasium-exact classic-control environments, single
/// and in a 16-copy ``VectorEnvironment``, optionally side by side with Gymnasium itself.
@main
struct EnvironmentBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment-benchmarks",
        abstract: "Steps per second of CartPole, Acrobot, Pendulum and MountainCarContinuous, against Gymnasium.",
        discussion: """
            Build in release mode: swift run -c release environment-benchmarks --python <python with gymnasium>

            Single: one environment stepped in a loop, reset when an episode ends. Vector: a \
            VectorEnvironment of --num-envs copies with next-step autoreset (Gymnasium's \
            SyncVectorEnv default), counting num-envs steps per call. Actions are drawn up front \
            uniformly from the action space, so sampling is not timed; the fastest of --repeats \
            measurements is kept. With --python, Benchmarks/gymnasium_steps.py measures the same \
            cases with Gymnasium in the same run and the last column is the speed-up.
            """)

    @Option(help: "Environment steps per Swift measurement.")
    var steps: Int = 1_000_000

    @Option(help: "Environment steps per Gymnasium measurement.")
    var pythonSteps: Int = 100_000

    @Option(help: "Copies in the vector environment.")
    var numEnvs: Int = 16

    @Option(help: "Measurements per case; the fastest is kept.")
    var repeats: Int = 3

    @Option(help: "A Python interpreter with gymnasium installed, for the side-by-side reference.")
    var python: String?

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        guard steps >= numEnvs, numEnvs > 0, repeats > 0, pythonSteps > 0 else {
            throw ValidationError("need --steps ≥ --num-envs > 0, --repeats > 0 and --python-steps > 0")
        }
        let cases: [(String, any StepTimer)] = [
            ("CartPole-v1", Timer { CartPole() }),
            ("Acrobot-v1", Timer { Acrobot() }),
            ("Pendulum-v1", Timer { Pendulum() }),
            ("MountainCarContinuous-v0", Timer { MountainCarContinuous() }),
        ]
        var measured: [Measurement] = []
        for (name, timer) in cases {
            measured.append(Measurement(environment: name, mode: "single",
                                        stepsPerSecond: timer.single(steps: steps, repeats: repeats)))
            measured.append(Measurement(environment: name, mode: "vector\(numEnvs)",
                                        stepsPerSecond: timer.vector(steps: steps, count: numEnvs, repeats: repeats)))
        }
        var reference: GymnasiumReference?
        if let python {
            reference = try GymnasiumReference.measure(python: python, steps: pythonSteps, numEnvs: numEnvs, repeats: repeats)
        }
        print(Self.table(measured, reference: reference))
        if let reference {
            print("Gymnasium \(reference.gymnasiumVersion), NumPy \(reference.numpyVersion), Python \(reference.pythonVersion); "
                + "Swift: \(steps) steps per measurement, Gymnasium: \(pythonSteps).")
        }
    }

    /// The markdown table of the measurements (and the ratios to `reference`).
    static func table(_ measured: [Measurement], reference: GymnasiumReference?) -> String {
        var lines = ["| Environment | Mode | Swift steps/s |" + (reference == nil ? "" : " Gymnasium steps/s | Speed-up |"),
                     "|---|---|---:|" + (reference == nil ? "" : "---:|---:|")]
        for m in measured {
            var line = "| \(m.environment) | \(m.mode) | \(Self.grouped(m.stepsPerSecond)) |"
            if let reference {
                if let theirs = reference.stepsPerSecond[m.environment + "/" + m.mode] {
                    line += " \(Self.grouped(theirs)) | \(String(format: "%.0f", m.stepsPerSecond / theirs))× |"
                } else {
                    line += " – | – |"
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// `value` rounded, with thousands separators: 12,345,678.
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (i, character) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}

/// One measured case.
struct Measurement {
    /// The Gymnasium id.
    var environment: String
    /// "single" or "vector16".
    var mode: String
    /// Environment steps per second.
    var stepsPerSecond: Double
}
