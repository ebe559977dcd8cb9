import PruningCore

/// The local-density objective of manifold-guided GAN compression: within every neighbourhood
/// of the original generator's outputs (a centre and its neighbours on the learned manifold),
/// the pruned generator's outputs for the same inputs must have the same density structure.
///
/// The paper describes the objective only as adversarial matching of the two distributions in
/// each neighbourhood that "resembles kernel density estimation". This package's form (ours):
///
/// - **Density term.** The squared L2 distance between the Gaussian kernel density estimates of
///   the teacher's members `t_1…t_m` and the student's `s_1…s_m` of a neighbourhood:
///   `‖p̂_T − p̂_S‖² ∝ (1/m²) Σ_jl [k(t_j, t_l) + k(s_j, s_l) − 2 k(t_j, s_l)]`, with
///   `k(a, b) = exp(−mean((a − b)²) / τ)` (a Gaussian KDE of per-coordinate bandwidth `h` has
///   `τ = 4h²`); averaged over neighbourhoods. It is the biased (V-statistic) MMD² of the
///   neighbourhood, zero exactly when the student reproduces the teacher's members up to a
///   permutation.
/// - **Kernel weights.** `w_ij = k(c_i, t_ij) / Σ_l k(c_i, t_il)`: the KDE weight of member `j`
///   seen from the centre, used to weight the neighbourhood discriminator's per-member losses
///   (members close to the centre count more).
/// - **Bandwidth.** ``medianBandwidth(_:)``: the median over neighbourhoods of the mean squared
///   distance between teacher members (the median heuristic), times ``bandwidthScale``.
public struct LocalDensityObjective: Sendable, Equatable {
    /// The neighbours per centre `k` (each neighbourhood has `k + 1` members).
    public var neighbours: Int
    /// The factor applied to the median heuristic's `τ`.
    public var bandwidthScale: Float
    /// The weight of the density term in the generator's loss.
    public var densityWeight: Float
    /// The weight of the neighbourhood discriminator's adversarial term in the generator's loss.
    public var adversarialWeight: Float

    /// An objective.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for fewer than
    ///   one neighbour, a non-positive bandwidth scale or a negative weight.
    public init(neighbours: Int = 3, bandwidthScale: Float = 1, densityWeight: Float = 10, adversarialWeight: Float = 1) throws(StructuralPruningError) {
        guard neighbours >= 1 else { throw .invalidSetting(field: "neighbours", value: Double(neighbours), expected: "at least 1") }
        guard bandwidthScale > 0, bandwidthScale.isFinite else {
            throw .invalidSetting(field: "bandwidthScale", value: Double(bandwidthScale), expected: "a finite value > 0")
        }
        guard densityWeight >= 0, densityWeight.isFinite else {
            throw .invalidSetting(field: "densityWeight", value: Double(densityWeight), expected: "a finite value ≥ 0")
        }
        guard adversarialWeight >= 0, adversarialWeight.isFinite else {
            throw .invalidSetting(field: "adversarialWeight", value: Double(adversarialWeight), expected: "a finite value ≥ 0")
        }
        self.neighbours = neighbours
        self.bandwidthScale = bandwidthScale
        self.densityWeight = densityWeight
        self.adversarialWeight = adversarialWeight
    }

    /// The members of each neighbourhood as `[neighbourhoods, members, features]`, from a batch
    /// `[neighbourhoods · members, …]` laid out centre first, then its neighbours.
    public func grouped(_ batch: Tensor) -> Tensor {
        let members = neighbours + 1
        precondition(batch.shape[0] % members == 0, "LocalDensityObjective: batch \(batch.shape) is not a multiple of \(members) members")
        return batch.reshaped(to: [batch.shape[0] / members, members, batch.count / batch.shape[0]])
    }

    /// `k(a_j, b_l)` for every pair of members, `[n, m, m]`, from `[n, m, d]` tensors.
    public static func kernel(_ a: Tensor, _ b: Tensor, bandwidth tau: Float) -> Tensor {
        let difference = a.unsqueezed(at: 2) - b.unsqueezed(at: 1)
        return (difference.squared().mean(alongAxis: 3) * (-1 / tau)).exp()
    }

    /// The density term: the mean over neighbourhoods of
    /// `(1/m²) Σ_jl [k(t_j, t_l) + k(s_j, s_l) − 2 k(t_j, s_l)]` for `[n, m, d]` members
    /// (differentiable in both).
    public static func densityDistance(teacher: Tensor, student: Tensor, bandwidth tau: Float) -> Tensor {
        precondition(teacher.shape == student.shape && teacher.rank == 3,
                     "LocalDensityObjective: teacher \(teacher.shape) and student \(student.shape) must be equal [n, m, d]")
        let tt = kernel(teacher, teacher, bandwidth: tau).mean()
        let ss = kernel(student, student, bandwidth: tau).mean()
        let ts = kernel(teacher, student, bandwidth: tau).mean()
        return tt + ss - ts * 2
    }

    /// The kernel weights `w_ij = k(c_i, t_ij) / Σ_l k(c_i, t_il)` of the teacher's members
    /// `[n, m, d]` (member 0 is the centre), `[n, m]`, without gradient.
    public static func kernelWeights(teacher: Tensor, bandwidth tau: Float) -> Tensor {
        withoutGradients {
            let centre = teacher.sliced(alongAxis: 1, from: 0, count: 1)
            let fromCentre = kernel(centre, teacher, bandwidth: tau).reshaped(to: [teacher.shape[0], teacher.shape[1]])
            return fromCentre / fromCentre.sum(alongAxis: 1).unsqueezed(at: 1)
        }
    }

    /// The median heuristic: the median over all pairs of distinct members of all
    /// neighbourhoods of `mean((t_j − t_l)²)`, times ``bandwidthScale`` (1e-6 when every member
    /// coincides).
    public func medianBandwidth(_ teacher: Tensor) -> Float {
        let (n, m) = (teacher.shape[0], teacher.shape[1])
        let distances = withoutGradients {
            (teacher.unsqueezed(at: 2) - teacher.unsqueezed(at: 1)).squared().mean(alongAxis: 3)
        }.scalars
        var values: [Float] = []
        for i in 0..<n { for j in 0..<m { for l in (j + 1)..<m { values.append(distances[(i * m + j) * m + l]) } } }
        guard !values.isEmpty else { return 1e-6 }
        values.sort()
        return Swift.max(values[values.count / 2] * bandwidthScale, 1e-6)
    }
}

/// The binary cross-entropy of patch logits `[batch, 1, h, w]` against a constant target,
/// averaged over each sample's patches, weighted by `weights` `[batch]`, and summed.
func weightedBinaryCrossEntropy(logits: Tensor, target: Float, weights: Tensor) -> Tensor {
    let perPatch = logits.relu() - logits * target + ((-logits.abs()).exp() + 1).log()
    let perSample = perPatch.reshaped(to: [logits.shape[0], logits.count / logits.shape[0]]).mean(alongAxis: 1)
    return (perSample * weights).sum()
}
