import Foundation
import PruningCore

/// How a controller's logits become masks: the relaxations the package's methods use, each with
/// a soft (training) sample, a hard straight-through sample and a noise-free hard mask for export.
public enum GateRelaxation: Sendable, Equatable {
    /// `σ(o / T)`, no noise; hard masks round it with a straight-through gradient.
    case sigmoid(temperature: Float)
    /// The papers' Gumbel-sigmoid (``GumbelSigmoid``).
    case gumbelSigmoid(GumbelSigmoid)
    /// The hard threshold `1[o ≥ 0]` in the forward pass, with the gradient of `σ(o)`
    /// (straight-through), soft and hard alike.
    case hardThreshold
    /// Louizos et al.'s hard-concrete gate (``HardConcrete``); its samples are already exact
    /// 0/1 with positive probability, and ``hard(_:using:)`` rounds them straight-through.
    case hardConcrete(HardConcrete)

    /// The papers' Gumbel-sigmoid with T = 0.4 and offset 3.
    public static let papers = GateRelaxation.gumbelSigmoid(.papers)

    /// A soft (relaxed) mask for training.
    public func soft(_ logits: Tensor, using generator: inout RandomGenerator) -> Tensor {
        switch self {
        case .sigmoid(let temperature): (logits / temperature).sigmoid()
        case .gumbelSigmoid(let gumbel): gumbel.relaxed(logits, using: &generator)
        case .hardThreshold: threshold(logits)
        case .hardConcrete(let gate): gate.sample(logits, using: &generator)
        }
    }

    /// A hard 0/1 mask whose gradient is that of the soft mask it rounds.
    public func hard(_ logits: Tensor, using generator: inout RandomGenerator) -> Tensor {
        switch self {
        case .hardThreshold: threshold(logits)
        default: GumbelSigmoid.roundedStraightThrough(soft(logits, using: &generator))
        }
    }

    /// The noise-free 0/1 mask used at export (no gradient).
    public func deterministic(_ logits: Tensor) -> Tensor {
        switch self {
        case .sigmoid, .hardThreshold: Tensor(shape: logits.shape, scalars: logits.scalars.map { $0 >= 0 ? 1 : 0 })
        case .gumbelSigmoid(let gumbel): gumbel.deterministic(logits)
        case .hardConcrete(let gate):
            Tensor(shape: logits.shape, scalars: gate.deterministic(logits.detached()).scalars.map { $0 >= 0.5 ? 1 : 0 })
        }
    }

    /// The logit shift that moves the deterministic threshold: a mask keeps entry `i` when
    /// `o_i + offset ≥ shift` with this relaxation's own offset.
    var thresholdOffset: Float {
        switch self {
        case .gumbelSigmoid(let gumbel): gumbel.offset
        case .sigmoid, .hardThreshold: 0
        case .hardConcrete(let gate):
            // clip(σ(o)(ζ−γ)+γ) ≥ 0.5  ⇔  σ(o) ≥ (0.5 − γ)/(ζ − γ).
            { let p = Double((0.5 - gate.lower) / (gate.upper - gate.lower)); return -Float(log(p / (1 - p))) }()
        }
    }

    private func threshold(_ logits: Tensor) -> Tensor {
        Tensor(shape: logits.shape, scalars: logits.scalars.map { $0 >= 0 ? 1 : 0 }).straightThrough(logits.sigmoid())
    }
}
