import Foundation

/// The processor's model name from `/proc/cpuinfo` ("unknown CPU" elsewhere), for the notes of
/// measured figures.
public func processorName() -> String {
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last
        .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
}
