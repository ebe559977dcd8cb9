import ArgumentParser
import Foundation
import ExampleSupport
import ReaderFuzzing

/// Feeds mutated files to every reader and loader of the package and counts, per format, the
/// inputs tried, accepted, rejected with an error naming the input, and failures (a crash, a
/// hang, an input slower than the time limit, resident memory growing past its bound, or an
/// error that is untyped or does not name the input).
@main
struct FuzzReadersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-readers",
        abstract: "Fuzz every file reader and loader with mutated inputs and report failures.",
        discussion: """
            Each format starts from valid seed files written by the package's own writers (or by hand \
            where other writers' layouts matter). Inputs come from a structural pass (truncation at \
            every boundary, each integer field set to 0, -1 and 2^63, the empty file) and a random \
            pass (bit flips, truncations, extreme field values, JSON numbers, strings and members \
            replaced, copied or deleted, invalid UTF-8, appended bytes). The exit status is non-zero \
            when any input fails.
            """)

    @Option(help: "Inputs per format.")
    var inputs = 5000

    @Option(help: "The random seed of the mutations.")
    var seed: UInt64 = 1

    @Option(help: "Formats to fuzz, comma-separated (default: all).")
    var formats: String?

    @Option(help: "The longest one input may take, in seconds.")
    var timeLimit = 5.0

    @Option(help: "Seconds after which one input counts as a hang and ends the run.")
    var hangLimit = 60.0

    @Flag(help: "Print every failing input.")
    var verbose = false

    func validate() throws {
        guard inputs > 0 else { throw ValidationError("--inputs must be positive (got \(inputs))") }
        guard timeLimit > 0, timeLimit.isFinite else { throw ValidationError("--time-limit must be a positive number of seconds (got \(timeLimit))") }
        guard hangLimit > timeLimit, hangLimit.isFinite else { throw ValidationError("--hang-limit must exceed --time-limit (got \(hangLimit))") }
        if let formats {
            let unknown = selectedFormats(formats).filter { !FuzzTargets.names.contains($0) }
            guard unknown.isEmpty else {
                throw ValidationError("--formats: unknown \(unknown.joined(separator: ", ")); known: \(FuzzTargets.names.joined(separator: ", "))")
            }
        }
    }

    private func selectedFormats(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        CrashReporter.install(hangLimit: hangLimit)
        var campaign = FuzzCampaign(inputsPerTarget: inputs, seed: seed, timeLimit: timeLimit)
        campaign.willRead = CrashReporter.willRead
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-readers-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        writeLine("| format | inputs | accepted | rejected | failures | slowest (ms) | largest RSS growth (MiB) |")
        writeLine("|---|---:|---:|---:|---:|---:|---:|")
        var failures: [FuzzFailure] = []
        let started = Date()
        for name in formats.map(selectedFormats) ?? FuzzTargets.names {
            CrashReporter.willRead("the seeds of \(name)")
            guard let target = try FuzzTargets.target(named: name) else { continue }
            let report = try campaign.run(target, scratch: scratch)
            writeLine(String(
                format: "| %@ | %d | %d | %d | %d | %.1f | %.1f |", report.name, report.tried, report.accepted, report.rejected,
                report.failures.count, 1000 * report.slowestSeconds, Double(report.largestMemoryGrowth) / 1_048_576))
            failures += report.failures
        }
        CrashReporter.willRead("")
        print(String(format: "\n%d failures; %.0f s", failures.count, Date().timeIntervalSince(started)))
        for failure in failures.prefix(verbose ? failures.count : 20) { print("  \(failure)") }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
