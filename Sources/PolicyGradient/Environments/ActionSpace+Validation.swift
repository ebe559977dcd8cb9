extension ActionSpace {
    /// Whether `action` is valid: a discrete index in `0..<count`, or a continuous vector of
    /// the box's dimension whose components lie in `[low, high]`.
    ///
    /// The continuous environments accept vectors outside the box (Gymnasium clips them, and
    /// some rewards use the unclipped value); only the dimension is a precondition there.
    public func contains(_ action: EnvironmentAction) -> Bool {
        switch (self, action) {
        case (.discrete(let count), .discrete(let index)):
            return index >= 0 && index < count
        case (.box(let low, let high), .continuous(let vector)):
            guard vector.count == low.count else { return false }
            for i in 0..<vector.count where !(vector[i] >= low[i] && vector[i] <= high[i]) {
                return false
            }
            return true
        default:
            return false
        }
    }

    /// The index of a discrete action, trapping when the action is not a valid index.
    ///
    /// - Precondition: this is `.discrete(count:)` and `action` is `.discrete(i)` with
    ///   `0 <= i < count`.
    func discreteIndex(of action: EnvironmentAction, environment: String) -> Int {
        guard case .discrete(let count) = self, case .discrete(let index) = action else {
            preconditionFailure("\(environment) takes a discrete action, got \(action)")
        }
        precondition(
            index >= 0 && index < count,
            "\(environment): action \(index) is outside the action space 0..<\(count)")
        return index
    }

    /// The vector of a continuous action, trapping when its dimension does not match.
    ///
    /// - Precondition: this is `.box` and `action` is `.continuous(v)` with `v.count` equal to
    ///   the box's dimension.
    func continuousVector(of action: EnvironmentAction, environment: String) -> [Double] {
        guard case .box(let low, _) = self, case .continuous(let vector) = action else {
            preconditionFailure("\(environment) takes a continuous action, got \(action)")
        }
        precondition(
            vector.count == low.count,
            "\(environment): action has \(vector.count) components, the action space \(low.count)")
        return vector
    }
}
