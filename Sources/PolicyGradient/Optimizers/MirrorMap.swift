/// A Bregman proximal step, the "mirror map" of BGPO (Huang, Gao & Huang, ICLR 2022):
///
///     θ̃ = argmin_θ' { ⟨u, θ'⟩ + (1/λ) D_ψ(θ', θ) },  D_ψ(x, y) = ψ(x) − ψ(y) − ⟨∇ψ(y), x − y⟩,
///
/// for a strongly convex ψ. Equivalently ∇ψ(θ̃) = ∇ψ(θ) − λu. The choice of ψ is what
/// distinguishes momentum policy gradient (Euclidean), Adam-like methods (diagonal, adaptive)
/// and p-norm methods. Adaptive maps (ψ = ψ_t) keep their state in the conforming value and
/// update it on each step.
public protocol MirrorMap: Sendable {
    /// A short name for reports ("Euclidean", "Diag", "Lp(p=3)").
    var name: String { get }

    /// The minimizer θ̃ for parameters θ, direction u (a descent direction for −J, e.g.
    /// u = −∇J) and step size λ; updates any adaptive state with u.
    ///
    /// - Precondition: `parameters` and `direction` have the same length.
    mutating func step(parameters: [Float], direction: [Float], stepSize: Float) -> [Float]
}

/// ψ(θ) = ½‖θ‖²: D_ψ(x, y) = ½‖x − y‖², and θ̃ = θ − λu (a plain gradient step; BGPO becomes
/// momentum policy gradient, VR-BGPO becomes IS-MBPG/STORM).
public struct EuclideanMirrorMap: MirrorMap {
    /// The map.
    public init() {}

    /// "Euclidean".
    public var name: String { "Euclidean" }

    /// θ − λu.
    public mutating func step(parameters: [Float], direction: [Float], stepSize: Float) -> [Float] {
        precondition(parameters.count == direction.count,
                     "EuclideanMirrorMap: \(parameters.count) parameters, \(direction.count) direction entries")
        var result = parameters
        for i in result.indices { result[i] -= stepSize * direction[i] }
        return result
    }
}
