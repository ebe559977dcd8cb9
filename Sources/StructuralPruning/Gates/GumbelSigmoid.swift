import Foundation
import PruningCore

/// The Gumbel-sigmoid relaxation of binary gates used by DISP-LLM, Auto-Train-Once,
/// interpretation-steered pruning and APTP: `s = σ((o + g + b) / T)` with one standard Gumbel
/// sample `g = −log(−log(U + ε) + ε)` per entry, temperature `T` and offset `b`.
///
/// This is the papers' *single*-Gumbel form, not the textbook binary-concrete noise
/// `log U − log(1 − U)` (a difference of two Gumbels); it makes the relaxation slightly biased
/// towards keeping, as the published code does. The offset `b = 3` starts every gate at
/// `σ(3 / 0.4) ≈ 0.9994`, so pruning starts from the whole network.
///
/// ``hard(_:using:)`` rounds a fresh sample and passes gradients straight through to the soft
/// value (`(round(s) − s).detach() + s`); ``deterministic(_:)`` is the noise-free hard mask
/// `1[o + b ≥ 0]` used at export.
public struct GumbelSigmoid: Sendable, Equatable {
    /// The temperature `T` (the papers: 0.4).
    public var temperature: Float
    /// The offset `b` added to every logit (the papers: 3).
    public var offset: Float
    /// The `ε` inside the Gumbel transform (the papers: 1e-20).
    public var epsilon: Double

    /// The relaxation with the papers' defaults.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive or non-finite temperature or a non-finite offset.
    public init(temperature: Float = 0.4, offset: Float = 3, epsilon: Double = 1e-20) throws(StructuralPruningError) {
        guard temperature > 0, temperature.isFinite else {
            throw .invalidSetting(field: "temperature", value: Double(temperature), expected: "a finite value > 0")
        }
        guard offset.isFinite else { throw .invalidSetting(field: "offset", value: Double(offset), expected: "a finite value") }
        self.temperature = temperature
        self.offset = offset
        self.epsilon = epsilon
    }

    /// The papers' setting: T = 0.4, offset 3.
    public static let papers = try! GumbelSigmoid()

    /// Standard Gumbel noise of `shape` in the papers' form.
    public func noise(_ shape: [Int], using generator: inout RandomGenerator) -> Tensor {
        let eps = epsilon
        return Tensor(shape: shape) { out in
            for i in 0..<out.count {
                let u = generator.nextUniformDouble()
                out[i] = Float(-Foundation.log(-Foundation.log(u + eps) + eps))
            }
        }
    }

    /// A relaxed (soft, differentiable) sample `σ((o + g + b) / T)`.
    public func relaxed(_ logits: Tensor, using generator: inout RandomGenerator) -> Tensor {
        ((logits + noise(logits.shape, using: &generator) + offset) / temperature).sigmoid()
    }

    /// A hard 0/1 sample whose gradient is that of the soft sample it rounds (straight-through).
    public func hard(_ logits: Tensor, using generator: inout RandomGenerator) -> Tensor {
        Self.roundedStraightThrough(relaxed(logits, using: &generator))
    }

    /// The noise-free soft value `σ((o + b) / T)`.
    public func noiseFree(_ logits: Tensor) -> Tensor { ((logits + offset) / temperature).sigmoid() }

    /// The probability that a sample keeps each entry, `P(o + g + b > 0) = 1 − exp(−e^(o + b))`:
    /// the mean of ``relaxed(_:using:)`` tends to it as `T → 0`, and it is the mean of
    /// ``hard(_:using:)`` at every temperature. (For the logistic noise of binary concrete the
    /// same limit would be `σ(o + b)`; see ``HardConcrete``.)
    public func keepProbability(_ logits: Tensor) -> Tensor {
        let b = offset
        return Tensor(shape: logits.shape, scalars: logits.scalars.map { Float(-Foundation.expm1(-Foundation.exp(Double($0 + b)))) })
    }

    /// The noise-free hard mask `1[o + b ≥ 0]` (no gradient).
    public func deterministic(_ logits: Tensor) -> Tensor {
        let b = offset
        return Tensor(shape: logits.shape, scalars: logits.scalars.map { $0 + b >= 0 ? 1 : 0 })
    }

    /// `round(soft)` with the gradient of `soft`.
    public static func roundedStraightThrough(_ soft: Tensor) -> Tensor {
        let hard = Tensor(shape: soft.shape, scalars: soft.scalars.map { $0 >= 0.5 ? 1 : 0 })
        return hard.straightThrough(soft)
    }
}
