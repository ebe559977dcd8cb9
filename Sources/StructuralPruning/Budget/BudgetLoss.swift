import Foundation
import PruningCore

/// A penalty that pulls a cost ratio `r` (kept cost / full cost, differentiable) towards a
/// target kept fraction `p`, in the forms the package's papers use:
///
/// | form | value | used by |
/// |---|---|---|
/// | ``Form/logRatioOneSided`` | `w · log(max(r, p) / p)` | interpretation-steered pruning |
/// | ``Form/logRatioTwoSided`` | `w · |log(r / p)|` | DISP-LLM, APTP |
/// | ``Form/logRatioDeadBand(_:)`` | `w · log(max(r, p + δ) / p)` if `r > p`, else `w · log(p / min(r, p − δ))` | Auto-Train-Once (δ = 0.005) |
/// | ``Form/absoluteError`` | `w · |r − p|` | |
/// | ``Form/squaredError`` | `w · (r − p)²` | |
///
/// Inside the dead band the value is constant and the gradient zero, as in Auto-Train-Once's
/// code.
public struct BudgetLoss: Sendable, Equatable {
    /// The shape of the penalty.
    public enum Form: Sendable, Equatable {
        /// Penalize only a ratio above the target.
        case logRatioOneSided
        /// Penalize the log distance on both sides.
        case logRatioTwoSided
        /// Two-sided with a flat band of half-width δ around the target.
        case logRatioDeadBand(Double)
        /// The absolute error.
        case absoluteError
        /// The squared error.
        case squaredError
    }

    /// The target kept fraction `p` of the cost.
    public let target: Double
    /// The form.
    public let form: Form
    /// The weight `w` (DISP-LLM's λ).
    public let weight: Float

    /// A budget loss.
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` for a target outside
    ///   (0, 1); ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a negative
    ///   or non-finite weight, or a dead band that does not fit inside (0, p).
    public init(target: Double, form: Form = .logRatioTwoSided, weight: Float = 1) throws(StructuralPruningError) {
        guard target > 0, target < 1 else { throw .budgetOutOfRange(field: "target", value: target) }
        guard weight >= 0, weight.isFinite else {
            throw .invalidSetting(field: "weight", value: Double(weight), expected: "a finite value ≥ 0")
        }
        if case .logRatioDeadBand(let band) = form, !(band >= 0 && band < target) {
            throw .invalidSetting(field: "deadBand", value: band, expected: "a half-width in [0, target)")
        }
        self.target = target
        self.form = form
        self.weight = weight
    }

    /// The penalty for the scalar ratio `ratio` (differentiable).
    public func callAsFunction(_ ratio: Tensor) -> Tensor {
        precondition(ratio.count == 1, "BudgetLoss: the ratio must be a scalar, got \(ratio.shape)")
        let r = Double(ratio.scalars[0])
        let p = Float(target)
        let value: Tensor
        switch form {
        case .logRatioOneSided:
            value = r > target ? (ratio / p).log() : Self.constant(0, like: ratio)
        case .logRatioTwoSided:
            value = r > target ? (ratio / p).log() : (ratio / p).log() * -1
        case .logRatioDeadBand(let band):
            if r > target {
                value = r > target + band ? (ratio / p).log() : Self.constant(Float(log((target + band) / target)), like: ratio)
            } else {
                value = r < target - band ? (ratio / p).log() * -1 : Self.constant(Float(log(target / (target - band))), like: ratio)
            }
        case .absoluteError:
            value = (ratio - p).abs()
        case .squaredError:
            value = (ratio - p).squared()
        }
        return value * weight
    }

    private static func constant(_ value: Float, like ratio: Tensor) -> Tensor {
        // Zero gradient, but still connected so that backpropagation sees the ratio.
        ratio * 0 + value
    }
}
