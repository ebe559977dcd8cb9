import Foundation
import PruningCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs mutated inputs through a target's reader and checks, for every input, that it ends in
/// a successful load or an error naming the input, within a time bound, without growing the
/// process's resident memory by more than a bound derived from the input's size.
///
/// Inputs come from two passes over every seed file: a structural pass (truncation at every
/// boundary, each integer field set to 0, −1 and 2^63, the empty file) and a random pass
/// (bit flips, truncations, extreme field values, JSON numbers, strings and members replaced,
/// copied or deleted, invalid UTF-8, appended bytes; one or two stacked). A crash or a hang
/// ends the process, so the executable reports the input being read when that happens.
package struct FuzzCampaign {
    /// Inputs per target.
    package var inputsPerTarget: Int
    /// The share of inputs drawn from the structural pass when it has more than that.
    package var structuralShare = 0.5
    /// The random generator's seed.
    package var seed: UInt64
    /// The longest an input may take, in seconds.
    package var timeLimit: Double
    /// Allowed growth of the resident high-water mark for one input: this many bytes plus
    /// ``memoryFactor`` × the input's size.
    package var memoryAllowance = 256 << 20
    /// See ``memoryAllowance``.
    package var memoryFactor = 16
    /// Called before each input with its label (the executable records it for crash reports).
    package var willRead: (String) -> Void = { _ in }

    /// A campaign.
    package init(inputsPerTarget: Int, seed: UInt64 = 1, timeLimit: Double = 5) {
        self.inputsPerTarget = inputsPerTarget
        self.seed = seed
        self.timeLimit = timeLimit
    }

    /// The inputs of `target`: (seed index, file index, mutations).
    package func inputs(for target: FuzzTarget) -> [(seed: Int, file: Int, mutations: [FuzzMutation])] {
        var structural: [(Int, Int, [FuzzMutation])] = []
        for (s, seed) in target.seeds.enumerated() {
            for (f, file) in seed.files.enumerated() {
                structural.append((s, f, [.empty]))
                for boundary in Set(file.boundaries + [file.bytes.count - 1]).sorted() where boundary >= 0 && boundary < file.bytes.count {
                    structural.append((s, f, [.truncate(boundary)]))
                }
                for field in file.fields {
                    for value in FuzzMutation.extremeValues.prefix(3) { structural.append((s, f, [.setField(field, value)])) }
                }
            }
        }
        let structuralCount = min(structural.count, Int(Double(inputsPerTarget) * structuralShare))
        var chosen: [(seed: Int, file: Int, mutations: [FuzzMutation])] = []
        if structuralCount > 0 {
            // An even spread over the structural list.
            for k in 0..<structuralCount {
                let entry = structural[k * structural.count / structuralCount]
                chosen.append((entry.0, entry.1, entry.2))
            }
        }
        var random = RandomGenerator(seed: seed ^ UInt64(truncatingIfNeeded: target.name.hashValueStable))
        while chosen.count < inputsPerTarget {
            let s = random.nextInt(below: target.seeds.count)
            let f = random.nextInt(below: target.seeds[s].files.count)
            let file = target.seeds[s].files[f]
            var mutations = [FuzzMutation.random(for: file, using: &random)]
            if random.nextBernoulli(0.25) { mutations.append(FuzzMutation.random(for: file, using: &random)) }
            chosen.append((s, f, mutations))
        }
        return chosen
    }

    /// Runs `target`'s inputs in a scratch folder under `scratch`.
    package func run(_ target: FuzzTarget, scratch: URL) throws -> FuzzTargetReport {
        var report = FuzzTargetReport(name: target.name)
        let folder = scratch.appendingPathComponent(target.name)
        let manager = FileManager.default
        try? manager.removeItem(at: folder)
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: folder) }

        var currentSeed = -1
        for (seedIndex, fileIndex, mutations) in inputs(for: target) {
            let seed = target.seeds[seedIndex]
            if seedIndex != currentSeed {
                for item in try manager.contentsOfDirectory(atPath: folder.path) {
                    try manager.removeItem(at: folder.appendingPathComponent(item))
                }
                for file in seed.files { try Data(file.bytes).write(to: folder.appendingPathComponent(file.name)) }
                currentSeed = seedIndex
            }
            var file = seed.files[fileIndex]
            let mutationText = mutations.map(\.description).joined(separator: "; ")
            willRead("\(target.name) \(seed.label)/\(file.name): \(mutationText)")
            for mutation in mutations { mutation.apply(to: &file) }
            let url = folder.appendingPathComponent(file.name)
            try Data(file.bytes).write(to: url)
            let outcome = measure(target, folder: folder, inputBytes: file.bytes.count, file: file.name, report: &report)
            report.tried += 1
            switch outcome {
            case .accepted: report.accepted += 1
            case .rejected: report.rejected += 1
            case .failed(let reason):
                report.failures.append(FuzzFailure(target: target.name, input: "\(seed.label)/\(file.name)", mutation: mutationText, reason: reason))
            }
            try Data(seed.files[fileIndex].bytes).write(to: url)
        }
        return report
    }

    private func measure(_ target: FuzzTarget, folder: URL, inputBytes: Int, file: String, report: inout FuzzTargetReport) -> FuzzOutcome {
        let residentBefore = Self.residentHighWaterMark()
        let start = DispatchTime.now().uptimeNanoseconds
        var outcome: FuzzOutcome
        do {
            try target.load(folder)
            outcome = .accepted
        } catch {
            outcome = Self.classify(error, folder: folder, file: file)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let growth = max(0, Self.residentHighWaterMark() - residentBefore)
        report.slowestSeconds = max(report.slowestSeconds, seconds)
        report.largestMemoryGrowth = max(report.largestMemoryGrowth, growth)
        if seconds > timeLimit {
            return .failed(String(format: "took %.2f s (limit %.1f s)", seconds, timeLimit))
        }
        if growth > memoryAllowance + memoryFactor * inputBytes {
            return .failed("resident memory grew by \(growth >> 20) MiB for a \(inputBytes)-byte input")
        }
        return outcome
    }

    /// Rejections must be the package's typed errors and name the input (its folder or file).
    static func classify(_ error: any Error, folder: URL, file: String) -> FuzzOutcome {
        let message = String(describing: error)
        if error is DecodingError {
            return .failed("an untranslated DecodingError: \(message)")
        }
        if type(of: error) == NSError.self || error is CocoaError {
            return .failed("a bare system error: \(message)")
        }
        guard message.contains(folder.lastPathComponent) || message.contains(file) else {
            return .failed("the error does not name the input: \(message)")
        }
        return .rejected
    }

    /// The process's resident high-water mark in bytes.
    static func residentHighWaterMark() -> Int {
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #else
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
        #endif
    }
}

extension String {
    /// A hash that is the same in every run (Swift's `hashValue` is seeded per process).
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
