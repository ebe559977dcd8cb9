import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one of the package's built executables and captures what it did.
struct CommandRun {
    var status: Int32
    var output: String
    var error: String
    var timedOut: Bool

    var combined: String { output + "\n" + error }
}

enum CommandRunner {
    /// The folder holding the built executables: the one holding the test bundle.
    static let binaries: URL = {
        var url = Bundle.main.bundleURL
        // The bundle is `<build>/<Package>PackageTests.xctest` (a folder on macOS, a file on Linux).
        while url.pathExtension == "xctest" || url.lastPathComponent == "Contents" || url.lastPathComponent == "MacOS" {
            url.deleteLastPathComponent()
        }
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent("perplexity").path) {
            // swift-testing may run from the build folder's tool; fall back to the build folder by path.
            url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug")
        }
        return url
    }()

    /// Runs `executable` with `arguments` and `environment` additions, killing it after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> CommandRun {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(executable)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs so a full pipe cannot block it.
        final class Box: @unchecked Sendable { var data = Data() }
        let out = Box()
        let err = Box()
        let group = DispatchGroup()
        for (pipe, box) in [(output, out), (error, err)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        group.wait()
        return CommandRun(
            status: process.terminationStatus, output: String(decoding: out.data, as: UTF8.self),
            error: String(decoding: err.data, as: UTF8.self), timedOut: timedOut)
    }
}
