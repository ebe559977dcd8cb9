import Foundation

/// An adaptive diagonal mirror map (the official BGPO code's `Diag` projection, its default):
/// ψ_t(θ) = ½ θᵀ H_t θ with H_t = diag(√v̂_t + ε), so D_t(x, y) = ½ (x − y)ᵀ H_t (x − y) and
///
///     θ̃ = θ − λ u / (√v̂_t + ε),
///
/// where v is an exponential moving average of u² (decay β = 0.999) and v̂_t = v_t/(1 − β^t)
/// its bias-corrected value: an Adam-like preconditioner without a first moment (the momentum
/// is BGPO's own u).
///
/// ``Initialization/zero`` starts from v_0 = 0 as Adam does, so v̂_1 = u_1². The official code
/// (``Initialization/firstSquare``) instead sets v_1 = u_1² *and* still divides by 1 − β^t,
/// which inflates v̂ early on (v̂_1 = 1000 u_1²) and so shrinks the first steps by up to
/// √1000 ≈ 31.6×, the effect fading over a few thousand steps.
public struct DiagonalMirrorMap: MirrorMap {
    /// How the second moment starts.
    public enum Initialization: Sendable, Equatable {
        /// v_0 = 0, v_t = βv_{t−1} + (1 − β)u_t² (Adam).
        case zero
        /// v_1 = u_1², then v_t = βv_{t−1} + (1 − β)u_t² (the official code).
        case firstSquare
    }

    /// β, the decay of the second moment. Default 0.999 (the code's value).
    public let decay: Float
    /// ε, added to √v̂. Default 1e-8 (the code's value).
    public let epsilon: Float
    /// How v starts. Default ``Initialization/zero``.
    public let initialization: Initialization
    /// v, the running second moment (empty before the first step).
    public private(set) var secondMoment: [Float] = []
    /// The number of steps taken.
    public private(set) var stepCount = 0

    /// A diagonal map; see the properties for the defaults.
    public init(decay: Float = 0.999, epsilon: Float = 1e-8, initialization: Initialization = .zero) {
        precondition(decay >= 0 && decay < 1 && epsilon > 0, "DiagonalMirrorMap: need 0 ≤ decay < 1 and epsilon > 0")
        self.decay = decay
        self.epsilon = epsilon
        self.initialization = initialization
    }

    /// "Diag".
    public var name: String { "Diag" }

    /// The diagonal of H_t = √v̂_t + ε after the last step (empty before the first).
    public var preconditioner: [Float] {
        guard stepCount > 0 else { return [] }
        let correction = 1 - Foundation.pow(Double(decay), Double(stepCount))
        return secondMoment.map { Float((Double($0) / correction).squareRoot()) + epsilon }
    }

    /// Updates v with u, then returns θ − λu/(√v̂ + ε).
    public mutating func step(parameters: [Float], direction: [Float], stepSize: Float) -> [Float] {
        precondition(parameters.count == direction.count,
                     "DiagonalMirrorMap: \(parameters.count) parameters, \(direction.count) direction entries")
        precondition(secondMoment.isEmpty || secondMoment.count == parameters.count,
                     "DiagonalMirrorMap: \(parameters.count) parameters, but the state has \(secondMoment.count)")
        stepCount += 1
        if secondMoment.isEmpty {
            switch initialization {
            case .zero: secondMoment = direction.map { (1 - decay) * $0 * $0 }
            case .firstSquare: secondMoment = direction.map { $0 * $0 }
            }
        } else {
            for i in secondMoment.indices {
                secondMoment[i] = decay * secondMoment[i] + (1 - decay) * direction[i] * direction[i]
            }
        }
        let h = preconditioner
        var result = parameters
        for i in result.indices { result[i] -= stepSize * direction[i] / h[i] }
        return result
    }
}
