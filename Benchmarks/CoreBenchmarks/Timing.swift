import Foundation

/// Best and median wall-clock seconds of repeated runs.
struct Timing {
    var best: Double
    var median: Double

    /// Runs `body` `warmup` times, then `samples` times, timing each run.
    static func measure(samples: Int = 7, warmup: Int = 2, _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        for _ in 0..<samples {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return Timing(best: times[0], median: times[times.count / 2])
    }
}

/// The resident set size of this process in bytes (Linux `/proc/self/statm`).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Formats a number with a fixed count of decimals.
func format(_ value: Double, _ decimals: Int = 2) -> String {
    String(format: "%.\(decimals)f", value)
}
