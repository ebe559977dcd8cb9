import Foundation

/// One reader or loader under fuzzing: valid seed inputs and the call that reads an input.
package struct FuzzTarget {
    /// The format's name in reports (`safetensors`, `gguf`, …).
    package var name: String
    /// Valid inputs the mutations start from.
    package var seeds: [FuzzSeed]
    /// Reads the input whose files were written into the given folder; throws to reject it.
    package var load: (_ folder: URL) throws -> Void

    /// A target.
    package init(name: String, seeds: [FuzzSeed], load: @escaping (_ folder: URL) throws -> Void) {
        self.name = name
        self.seeds = seeds
        self.load = load
    }
}

/// What happened to one fuzz input.
package enum FuzzOutcome: Sendable, Equatable {
    /// The reader accepted the input.
    case accepted
    /// The reader threw an error that names the input.
    case rejected
    /// A property the reader must keep was broken.
    case failed(String)
}

/// One broken property, with what reproduces it.
package struct FuzzFailure: Sendable, CustomStringConvertible {
    /// The target.
    package var target: String
    /// The seed and file mutated.
    package var input: String
    /// The mutation applied.
    package var mutation: String
    /// What went wrong.
    package var reason: String

    package var description: String { "\(target): \(input), \(mutation): \(reason)" }
}

/// The counts of one target's campaign.
package struct FuzzTargetReport: Sendable {
    /// The target.
    package var name: String
    /// Inputs tried, accepted and rejected.
    package var tried = 0
    package var accepted = 0
    package var rejected = 0
    /// Inputs that broke a property (must be empty).
    package var failures: [FuzzFailure] = []
    /// The slowest input's time in seconds.
    package var slowestSeconds = 0.0
    /// The largest growth of the resident high-water mark during one input, in bytes.
    package var largestMemoryGrowth = 0

    /// A report for `name` with nothing tried yet.
    package init(name: String) { self.name = name }
}
