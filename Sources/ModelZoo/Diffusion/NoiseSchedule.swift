import Foundation
import PruningCore

/// The forward (noising) process of a denoising diffusion model: `T` steps with cumulative
/// signal levels `ᾱ_t`, so that `x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε` (Ho et al., 2020, "Denoising
/// Diffusion Probabilistic Models", eq. 4), with the targets and loss weights a network is
/// trained on.
///
/// - ε-prediction: the network predicts `ε`.
/// - v-prediction (Salimans & Ho, 2022, "Progressive Distillation"): `v = √ᾱ_t · ε − √(1 − ᾱ_t) · x₀`,
///   from which `x₀ = √ᾱ_t · x_t − √(1 − ᾱ_t) · v` and `ε = √(1 − ᾱ_t) · x_t + √ᾱ_t · v`.
/// - Min-SNR-γ weighting (Hang et al., 2023, "Efficient Diffusion Training via Min-SNR
///   Weighting Strategy"): with `SNR_t = ᾱ_t / (1 − ᾱ_t)`, the per-sample weight of the ε loss is
///   `min(SNR_t, γ) / SNR_t` and of the v loss `min(SNR_t, γ) / (SNR_t + 1)`.
public struct NoiseSchedule: Sendable, Equatable {
    /// How the per-step noise levels are laid out.
    public enum Kind: String, Sendable, Codable, Equatable {
        /// `β_t` linear from 1e-4 to 0.02 over 1,000 steps, scaled to `T` (Ho et al.).
        case linear
        /// `ᾱ_t = cos²(((t/T + s)/(1 + s)) · π/2) / cos²((s/(1 + s)) · π/2)`, s = 0.008, with
        /// `β_t` clipped at 0.999 (Nichol & Dhariwal, 2021, "Improved DDPM", eq. 17).
        case cosine
    }

    /// The kind.
    public let kind: Kind
    /// The cumulative signal level `ᾱ_t` of steps `t = 1…T` (index `t − 1`).
    public let cumulativeSignal: [Double]

    /// A schedule of `steps` steps.
    ///
    /// - Precondition: `steps ≥ 2`.
    public init(kind: Kind = .cosine, steps: Int = 1000) {
        precondition(steps >= 2, "NoiseSchedule: needs at least 2 steps, got \(steps)")
        self.kind = kind
        var alphas: [Double] = []
        var product = 1.0
        switch kind {
        case .linear:
            let scale = 1000 / Double(steps)
            for t in 0..<steps {
                let beta = scale * (1e-4 + (0.02 - 1e-4) * Double(t) / Double(steps - 1))
                product *= 1 - beta
                alphas.append(product)
            }
        case .cosine:
            let s = 0.008
            func f(_ t: Double) -> Double { let c = cos((t / Double(steps) + s) / (1 + s) * .pi / 2); return c * c }
            for t in 1...steps {
                let beta = min(1 - f(Double(t)) / f(Double(t - 1)), 0.999)
                product *= 1 - beta
                alphas.append(product)
            }
        }
        cumulativeSignal = alphas
    }

    /// The number of steps `T`.
    public var steps: Int { cumulativeSignal.count }

    /// `ᾱ_t` for `t` in `1…T`; `ᾱ_0 = 1`.
    public func signal(at t: Int) -> Double { t == 0 ? 1 : cumulativeSignal[t - 1] }

    /// The signal-to-noise ratio `ᾱ_t / (1 − ᾱ_t)`.
    public func signalToNoise(at t: Int) -> Double { signal(at: t) / (1 - signal(at: t)) }

    /// Per-sample factors `[batch, 1, 1, 1]` of `f(ᾱ_t)` for the steps `t`.
    func factors(_ steps: [Int], _ f: (Double) -> Double) -> Tensor {
        Tensor(shape: [steps.count, 1, 1, 1], scalars: steps.map { Float(f(signal(at: $0))) })
    }

    /// `x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε` for images `[batch, c, h, w]` and one step per image.
    public func noised(_ clean: Tensor, noise: Tensor, steps: [Int]) -> Tensor {
        precondition(clean.shape == noise.shape && steps.count == clean.shape[0], "NoiseSchedule: shapes \(clean.shape), \(noise.shape), \(steps.count) steps")
        return clean * factors(steps) { $0.squareRoot() } + noise * factors(steps) { (1 - $0).squareRoot() }
    }

    /// The v-prediction target `√ᾱ_t · ε − √(1 − ᾱ_t) · x₀`.
    public func velocity(clean: Tensor, noise: Tensor, steps: [Int]) -> Tensor {
        noise * factors(steps) { $0.squareRoot() } - clean * factors(steps) { (1 - $0).squareRoot() }
    }

    /// `x₀` and `ε` recovered from `x_t` and a v-prediction.
    public func cleanAndNoise(fromVelocity v: Tensor, noised: Tensor, steps: [Int]) -> (clean: Tensor, noise: Tensor) {
        let a = factors(steps) { $0.squareRoot() }, b = factors(steps) { (1 - $0).squareRoot() }
        return (noised * a - v * b, noised * b + v * a)
    }

    /// Min-SNR-γ loss weights `[batch]` for v-prediction, `min(SNR, γ) / (SNR + 1)`.
    public func minSNRVelocityWeights(steps: [Int], gamma: Double = 5) -> Tensor {
        Tensor(steps.map { t in let snr = signalToNoise(at: t); return Float(min(snr, gamma) / (snr + 1)) })
    }
}
