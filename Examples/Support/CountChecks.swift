import ArgumentParser

/// Range checks of a command's integer and real options with messages naming the flag.
public enum CountChecks {
    /// Throws a `ValidationError` naming the first `(flag, value, minimum)` whose value is below
    /// its minimum.
    public static func atLeast(_ checks: [(flag: String, value: Int, minimum: Int)]) throws {
        for check in checks where check.value < check.minimum {
            throw ValidationError("\(check.flag) \(check.value): must be at least \(check.minimum)")
        }
    }

    /// Throws a `ValidationError` unless `value`, given to `flag`, is finite and positive.
    public static func positive(_ value: Double, flag: String) throws {
        guard value.isFinite && value > 0 else { throw ValidationError("\(flag) \(value): must be finite and positive") }
    }
}
