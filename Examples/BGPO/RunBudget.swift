import PolicyGradient

/// The experience one training run may use, in trajectories or environment steps, as given on
/// the command line: `1000` or `1000t` (trajectories), `200000s` or `200ks` (steps).
enum RunBudget: Equatable, Sendable, CustomStringConvertible {
    /// This many sampled trajectories (the papers' x-axis).
    case trajectories(Int)
    /// This many environment steps.
    case environmentSteps(Int)

    /// Parses `N`, `Nt`, `Ntrajectories`, `Ns`, `Nsteps`; `N` may end in `k` or `m` (×10³, ×10⁶).
    init?(argument: String) {
        var text = argument.lowercased().replacingOccurrences(of: "_", with: "")
        var inSteps = false
        for suffix in ["trajectories", "steps", "t", "s"] where text.hasSuffix(suffix) {
            inSteps = suffix.hasPrefix("s")
            text.removeLast(suffix.count)
            break
        }
        var multiplier = 1
        if text.hasSuffix("k") { multiplier = 1_000; text.removeLast() }
        else if text.hasSuffix("m") { multiplier = 1_000_000; text.removeLast() }
        guard let value = Int(text), value > 0 else { return nil }
        self = inSteps ? .environmentSteps(value * multiplier) : .trajectories(value * multiplier)
    }

    /// The amount.
    var amount: Int {
        switch self {
        case .trajectories(let n), .environmentSteps(let n): n
        }
    }

    /// "trajectories" or "environmentSteps", the name of the curve axis the budget is counted on.
    var axisName: String {
        switch self {
        case .trajectories: "trajectories"
        case .environmentSteps: "environmentSteps"
        }
    }

    /// The trainer's budget.
    var trainingBudget: TrainingBudget {
        switch self {
        case .trajectories(let n): .trajectories(n)
        case .environmentSteps(let n): .environmentSteps(n)
        }
    }

    /// "1000 trajectories" or "200000 steps".
    var description: String {
        switch self {
        case .trajectories(let n): "\(n) trajectories"
        case .environmentSteps(let n): "\(n) steps"
        }
    }

    /// The position of a learning-curve point on this budget's axis.
    func position(of point: LearningCurve.Point) -> Int {
        switch self {
        case .trajectories: point.trajectories
        case .environmentSteps: point.environmentSteps
        }
    }
}
