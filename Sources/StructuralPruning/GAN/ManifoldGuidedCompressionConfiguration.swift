import ModelZoo
import PruningCore

/// The settings of ``ManifoldGuidedCompression``. The paper publishes none of its settings;
/// these are the package's (tuned on the Fashion-MNIST tasks of `gan-compression`).
public struct ManifoldGuidedCompressionConfiguration: Sendable {
    /// The kept fraction of the generator's MACs (the whole network's).
    public var keptFraction: Double
    /// The final kept fraction of the discriminator's MACs (nil: ``keptFraction``). The
    /// discriminator's target at each update is the generator's current kept fraction, never
    /// below this one: the discriminator shrinks only as far as the generator has (ours; the
    /// paper says only that the agents keep the two networks balanced).
    public var discriminatorKeptFraction: Double?
    /// Whether the discriminator is pruned by its own agent conditioned on the generator's
    /// mask (false: the discriminator stays dense and the generator's agent reads a constant
    /// all-ones mask — the "generator agent alone" ablation).
    public var prunesDiscriminator = true
    /// The local-density objective (nil: off, batches drawn at random).
    public var localDensity: LocalDensityObjective? = try! LocalDensityObjective()
    /// Updates of the pruning phase.
    public var steps = 600
    /// Neighbourhoods per batch (the batch holds `centres · (neighbours + 1)` pairs; without the
    /// local-density term the same number of pairs is drawn at random).
    public var centresPerBatch = 8
    /// Adam's learning rate for the networks' weights (β = (0.5, 0.999)).
    public var learningRate: Float = 2e-4
    /// Adam's learning rate for the two agents.
    public var controllerLearningRate: Float = 2e-2
    /// The weight of the generator's budget loss (two-sided log ratio). Its losses are of order
    /// 100 · L1 ≈ 10, hence the large weight.
    public var budgetWeight: Float = 40
    /// The weight of the discriminator's budget loss (its loss is of order 1).
    public var discriminatorBudgetWeight: Float = 2
    /// The pix2pix objective of the generator.
    public var loss = Pix2PixLoss()
    /// The weight of `mean|G'(x) − G(x)|` to the original generator's outputs.
    public var distillationWeight: Float = 100
    /// The relaxation of both agents' gates.
    public var relaxation = GumbelSigmoid.papers
    /// Hidden units of each agent.
    public var controllerHidden = 32
    /// The seed of the agents, the batches and the gate noise.
    public var seed: UInt64 = 0

    /// Settings for the kept MAC fraction `keptFraction` of the generator.
    public init(keptFraction: Double) {
        self.keptFraction = keptFraction
    }

    /// The pairs per batch.
    public var batchSize: Int { centresPerBatch * ((localDensity?.neighbours ?? 3) + 1) }

    /// Throws unless every setting is usable.
    ///
    /// - Throws: ``StructuralPruningError``, naming the field.
    public func validate() throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        if let discriminatorKeptFraction, !(discriminatorKeptFraction > 0 && discriminatorKeptFraction <= 1) {
            throw .budgetOutOfRange(field: "discriminatorKeptFraction", value: discriminatorKeptFraction)
        }
        guard steps >= 1 else { throw .invalidSetting(field: "steps", value: Double(steps), expected: "at least 1") }
        guard centresPerBatch >= 1 else { throw .invalidSetting(field: "centresPerBatch", value: Double(centresPerBatch), expected: "at least 1") }
        for (field, value) in [("learningRate", learningRate), ("controllerLearningRate", controllerLearningRate),
                               ("budgetWeight", budgetWeight), ("discriminatorBudgetWeight", discriminatorBudgetWeight),
                               ("distillationWeight", distillationWeight)] {
            guard value >= 0, value.isFinite else { throw .invalidSetting(field: field, value: Double(value), expected: "a finite value ≥ 0") }
        }
        guard controllerHidden >= 1 else { throw .invalidSetting(field: "controllerHidden", value: Double(controllerHidden), expected: "at least 1") }
    }
}
