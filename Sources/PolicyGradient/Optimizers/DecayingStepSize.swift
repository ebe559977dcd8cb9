import Foundation

/// The step-size schedule of BGPO and VR-BGPO, η_t = k / (m + r·t)^p.
///
/// The paper uses r = 1 with p = 1/2 (BGPO) or p = 1/3 (VR-BGPO). The official code writes
/// η = lr/(w + grad_factor·steps)^p, which is the same with k = lr, m = w and r = grad_factor;
/// its scripts' values (e.g. lr 0.5, w 1, grad_factor 4e-4 for BGPO on CartPole) can be used
/// directly.
public struct DecayingStepSize: Sendable, Equatable {
    /// k, the numerator.
    public var numerator: Float
    /// m, the offset.
    public var offset: Float
    /// r, the growth rate of the denominator per iteration.
    public var rate: Float
    /// p, the power.
    public var power: Float

    /// η_t = numerator / (offset + rate·t)^power.
    ///
    /// - Precondition: numerator ≥ 0, power ≥ 0, rate ≥ 0, offset + rate > 0.
    public init(numerator: Float, offset: Float, rate: Float = 1, power: Float) {
        precondition(numerator >= 0 && power >= 0 && rate >= 0 && offset + rate > 0,
                     "DecayingStepSize: need numerator ≥ 0, power ≥ 0, rate ≥ 0 and offset + rate > 0")
        self.numerator = numerator
        self.offset = offset
        self.rate = rate
        self.power = power
    }

    /// η_t.
    public func callAsFunction(_ t: Int) -> Float {
        numerator / Foundation.pow(offset + rate * Float(t), power)
    }
}
