import Foundation

/// The p-norm mirror map (the official code's `Lp` projection; the p-norm algorithms of
/// Gentile & Littlestone): ψ(θ) = ½‖θ‖_p² for 1 < p < ∞, whose gradient is the link function
///
///     link_p(x)_i = sign(x_i) |x_i|^{p−1} / ‖x‖_p^{p−2},
///
/// with inverse link_q, q = p/(p − 1) (the gradient of the conjugate ½‖·‖_q²). The step is
/// θ̃ = link_q(link_p(θ) − λu). p = 2 is the Euclidean map.
public struct LpMirrorMap: MirrorMap {
    /// p.
    public let p: Double

    /// The map for ψ = ½‖θ‖_p² (the BGPO scripts use p ∈ {1.5, 2, 3}).
    ///
    /// - Precondition: 1 < p < ∞.
    public init(p: Double) {
        precondition(p > 1 && p.isFinite, "LpMirrorMap: p must be in (1, ∞), got \(p)")
        self.p = p
    }

    /// The dual exponent q = p/(p − 1).
    public var q: Double { p / (p - 1) }

    /// "Lp(p=…)".
    public var name: String { "Lp(p=\(p))" }

    /// link_q(link_p(θ) − λu), computed in double precision.
    public mutating func step(parameters: [Float], direction: [Float], stepSize: Float) -> [Float] {
        precondition(parameters.count == direction.count,
                     "LpMirrorMap: \(parameters.count) parameters, \(direction.count) direction entries")
        var dual = LpMirrorMap.link(parameters.map(Double.init), p: p)
        for i in dual.indices { dual[i] -= Double(stepSize) * Double(direction[i]) }
        return LpMirrorMap.link(dual, p: q).map(Float.init)
    }

    /// link_p(x) = ∇(½‖x‖_p²): sign(x_i)|x_i|^{p−1}/‖x‖_p^{p−2}; the zero vector maps to itself.
    public static func link(_ x: [Double], p: Double) -> [Double] {
        var largest = 0.0
        for v in x { largest = Swift.max(largest, Swift.abs(v)) }
        guard largest > 0 else { return x }
        // ‖x‖_p computed on x / max|x_i| to avoid overflow and underflow.
        var sum = 0.0
        for v in x { sum += Foundation.pow(Swift.abs(v) / largest, p) }
        let norm = largest * Foundation.pow(sum, 1 / p)
        let scale = Foundation.pow(norm, p - 2)
        return x.map { v in
            let magnitude = Foundation.pow(Swift.abs(v), p - 1) / scale
            return v < 0 ? -magnitude : magnitude
        }
    }

    /// ``link(_:p:)`` on single-precision values.
    public static func link(_ x: [Float], p: Double) -> [Float] {
        link(x.map(Double.init), p: p).map(Float.init)
    }
}
