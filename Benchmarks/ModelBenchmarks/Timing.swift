import Foundation

/// Best and median wall-clock seconds of repeated runs, and the least CPU time one run took.
///
/// On a machine shared with other jobs the wall-clock time counts the time the process waited
/// for a core; the process CPU time (all threads) does not, which makes it the steadier figure
/// at one thread. At more threads it also counts threads spinning while they wait for work.
struct Timing {
    var best: Double
    var median: Double
    var cpuBest: Double

    /// Runs `body` `warmup` times, then `samples` times, timing each run.
    static func measure(samples: Int, warmup: Int = 1, _ body: () -> Void) -> Timing {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        var cpuTimes: [Double] = []
        for _ in 0..<max(samples, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = processCPUSeconds()
            body()
            cpuTimes.append(processCPUSeconds() - cpuStart)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return Timing(best: times[0], median: times[times.count / 2], cpuBest: cpuTimes.min()!)
    }
}

/// The CPU time of this process so far, all threads, in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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
