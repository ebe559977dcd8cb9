import PruningCore

/// The selector's regularizers on a (sampled) saliency mask `s` `[batch, 1, H, W]`, as in the
/// official `Loss/saliencyloss.py`: an area term that rewards small masks and a smoothness term.
public enum SaliencyMaskPenalties {
    /// `mean((s + 5·10⁻⁴)^power)` over every pixel; the official power is 0.3, which makes the
    /// term concave so that switching pixels fully off pays most.
    public static func area(_ masks: Tensor, power: Float = 0.3) -> Tensor {
        (masks + 5e-4).pow(power).mean()
    }

    /// `(Σ (s_{i,j+1} − s_{i,j})² + Σ (s_{i+1,j} − s_{i,j})² + borderWeight · Σ_border s²) / (2·batch)`:
    /// squared finite differences along both axes plus the squared values on the image border
    /// (each border pixel once).
    public static func smoothness(_ masks: Tensor, borderWeight: Float = 0.3) -> Tensor {
        precondition(masks.rank == 4 && masks.shape[2] >= 2 && masks.shape[3] >= 2,
                     "SaliencyMaskPenalties.smoothness: masks \(masks.shape) should be [batch, channels, H ≥ 2, W ≥ 2]")
        let (h, w) = (masks.shape[2], masks.shape[3])
        let dx = masks.sliced(alongAxis: 3, from: 1, count: w - 1) - masks.sliced(alongAxis: 3, from: 0, count: w - 1)
        let dy = masks.sliced(alongAxis: 2, from: 1, count: h - 1) - masks.sliced(alongAxis: 2, from: 0, count: h - 1)
        let top = masks.sliced(alongAxis: 2, from: 0, count: 1), bottom = masks.sliced(alongAxis: 2, from: h - 1, count: 1)
        let inner = masks.sliced(alongAxis: 2, from: 1, count: h - 2)
        let left = inner.sliced(alongAxis: 3, from: 0, count: 1), right = inner.sliced(alongAxis: 3, from: w - 1, count: 1)
        let border = top.squared().sum() + bottom.squared().sum() + left.squared().sum() + right.squared().sum()
        let total = dx.squared().sum() + dy.squared().sum() + border * borderWeight
        return total / Float(2 * masks.shape[0])
    }
}
