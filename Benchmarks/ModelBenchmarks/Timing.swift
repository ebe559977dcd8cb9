import Foundation

/// Best and median wall-clock seconds of repeated runs.
struct Timing {
    var best: Double
    var median: Double

    /// Runs `body` `warmup` times, then `samples` times, timing each run.
    static func measure(samples: Int, warmup: Int = 1, _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        for _ in 0..<max(samples, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return Timing(best: times[0], median: times[times.count / 2])
    }
}

/// The 1, 5 and 15 minute load averages (Linux `/proc/loadavg`), as printed there.
func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Formats a number with a fixed count of decimals.
func format(_ value: Double, _ decimals: Int = 2) -> String {
    String(format: "%.\(decimals)f", value)
}
