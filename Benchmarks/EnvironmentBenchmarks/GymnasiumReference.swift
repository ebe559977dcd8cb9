import Foundation

/// Gymnasium's steps per second, measured by `Benchmarks/gymnasium_steps.py` in a child process.
struct GymnasiumReference {
    /// Errors running the reference script.
    enum Failure: Error, CustomStringConvertible {
        /// The interpreter could not be started.
        case cannotStart(python: String, underlying: Error)
        /// The script exited with a non-zero status.
        case failed(script: String, status: Int32)
        /// The script's output was not the expected JSON document.
        case unreadableOutput(script: String)

        var description: String {
            switch self {
            case .cannotStart(let python, let underlying): "cannot start \(python): \(underlying)"
            case .failed(let script, let status): "\(script) exited with status \(status)"
            case .unreadableOutput(let script): "\(script) did not print the expected JSON document"
            }
        }
    }

    /// Steps per second keyed by "<environment id>/<mode>" ("CartPole-v1/single", "CartPole-v1/vector16").
    var stepsPerSecond: [String: Double]
    /// The Gymnasium version.
    var gymnasiumVersion: String
    /// The NumPy version.
    var numpyVersion: String
    /// The Python version.
    var pythonVersion: String

    /// Runs the script with `python` and reads its results.
    static func measure(python: String, steps: Int, numEnvs: Int, repeats: Int) throws -> GymnasiumReference {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("gymnasium_steps.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--steps", "\(steps)", "--num-envs", "\(numEnvs)", "--repeats", "\(repeats)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { throw Failure.cannotStart(python: python, underlying: error) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.failed(script: script.path, status: process.terminationStatus) }
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let results = document["results"] as? [[String: Any]]
        else { throw Failure.unreadableOutput(script: script.path) }
        var rates: [String: Double] = [:]
        for result in results {
            guard let environment = result["environment"] as? String, let mode = result["mode"] as? String,
                let rate = (result["stepsPerSecond"] as? NSNumber)?.doubleValue
            else { throw Failure.unreadableOutput(script: script.path) }
            rates[environment + "/" + mode] = rate
        }
        return GymnasiumReference(
            stepsPerSecond: rates, gymnasiumVersion: document["gymnasium"] as? String ?? "?",
            numpyVersion: document["numpy"] as? String ?? "?", pythonVersion: document["python"] as? String ?? "?")
    }
}
