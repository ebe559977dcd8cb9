import PruningCore

/// The pix2pix objective (Isola et al., 2017, arXiv:1611.07004, eq. 4):
/// `G* = arg min_G max_D L_cGAN(G, D) + λ · L_L1(G)`, with the vanilla (binary cross-entropy)
/// GAN loss on patch logits and `λ = 100`.
///
/// The discriminator's loss is halved, as in the reference code, to slow D relative to G; the
/// generator uses the non-saturating form `−log D(x, G(x))`.
public struct Pix2PixLoss: Sendable, Equatable {
    /// The weight `λ` of the L1 reconstruction term (the paper: 100).
    public var reconstructionWeight: Float

    /// The objective with reconstruction weight `reconstructionWeight`.
    public init(reconstructionWeight: Float = 100) {
        self.reconstructionWeight = reconstructionWeight
    }

    /// The adversarial part of the generator's loss: `BCE(D(x, G(x)), 1)` on `fakeLogits`.
    public func adversarial(fakeLogits: Tensor) -> Tensor {
        binaryCrossEntropy(logits: fakeLogits, targets: Tensor.ones(like: fakeLogits))
    }

    /// The generator's loss: the adversarial term plus `λ · mean|G(x) − y|`.
    public func generator(fakeLogits: Tensor, generated: Tensor, target: Tensor) -> Tensor {
        adversarial(fakeLogits: fakeLogits) + (generated - target).abs().mean() * reconstructionWeight
    }

    /// The discriminator's loss `½ [BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)]`.
    public func discriminator(realLogits: Tensor, fakeLogits: Tensor) -> Tensor {
        (binaryCrossEntropy(logits: realLogits, targets: Tensor.ones(like: realLogits))
            + binaryCrossEntropy(logits: fakeLogits, targets: Tensor.zeros(like: fakeLogits))) * 0.5
    }
}
