import Foundation
import ModelZoo
import PruningCore

/// The one-shot baselines that learned generator compression is compared with: a smaller
/// pix2pix U-Net at a budget of the teacher's multiply-accumulates, trained by distillation from
/// the teacher with the same ``TranslationTraining`` recipe as the learned methods' fine-tuning.
///
/// ```swift
/// var tuning = TranslationTraining(steps: 600)
/// tuning.distillationWeight = 100
/// let (student, _) = try GeneratorBaseline.l1Channels.run(
///     teacher: teacher, teacherDiscriminator: critic, pairs: pairs, teacherOutputs: outputs,
///     keptFraction: 0.25, training: tuning)
/// ```
public enum GeneratorBaseline: String, Sendable, CaseIterable, Codable {
    /// Global L1-norm channel pruning of a copy of the teacher to the budget, then distillation.
    case l1Channels = "l1-channels"
    /// The widest uniformly slimmer U-Net under the budget, from scratch, by distillation.
    case uniformWidth = "uniform-width"

    /// Builds the baseline generator and trains it.
    ///
    /// - Parameters:
    ///   - teacher: the trained generator (not modified).
    ///   - teacherDiscriminator: the teacher's discriminator; a copy is trained with the student.
    ///   - pairs: the training pairs.
    ///   - teacherOutputs: the teacher's outputs on `pairs` (the distillation targets).
    ///   - keptFraction: the budget, a fraction in (0, 1) of the teacher's MACs.
    ///   - training: the recipe (steps, distillation weight, seed).
    ///   - seed: the seed of the from-scratch initialization (``uniformWidth``).
    ///   - progress: called after every training step.
    /// - Returns: the trained student and the training records.
    /// - Throws: ``StructuralPruningError`` for a budget outside (0, 1) or a failed export, and
    ///   the training's errors.
    public func run(
        teacher: UNetGenerator, teacherDiscriminator: PatchDiscriminator, pairs: PairedImages, teacherOutputs: Tensor,
        keptFraction: Double, training: TranslationTraining, seed: UInt64 = 0,
        progress: ((TranslationTraining.Record) -> Void)? = nil
    ) throws -> (generator: UNetGenerator, records: [TranslationTraining.Record]) {
        guard keptFraction > 0, keptFraction < 1 else { throw StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        let shape = [pairs.inputChannels, pairs.height, pairs.width]
        let generator: UNetGenerator
        switch self {
        case .l1Channels:
            generator = try Self.copy(teacher)
            let gating = try ChannelGating(model: generator)
            let cost = try ChannelCostModel(model: generator, inputShape: shape, measure: .macs)
            let scores = try ChannelImportance.l1Norm.scores(generator, gating: gating)
            let masks = try BudgetedChannelSelection(target: keptFraction, scope: .global).masks(scores: scores, cost: cost)
            try ChannelMaskExport.apply(masks, gating: gating, to: generator)
        case .uniformWidth:
            var random = RandomGenerator(seed: seed &+ 9)
            generator = UNetGenerator(configuration: Self.uniformConfiguration(teacher: teacher, keptFraction: keptFraction, shape: shape), using: &random)
        }
        let records = try training.train(
            generator, discriminator: try Self.copy(teacherDiscriminator), on: pairs, teacherOutputs: teacherOutputs, progress: progress)
        return (generator, records)
    }

    /// The widest uniform U-Net (the teacher's architecture with a smaller base width) whose MACs
    /// on inputs of `shape` do not exceed `keptFraction` of the teacher's (width 1 if none does).
    ///
    /// - Parameters:
    ///   - teacher: the generator whose architecture and MACs set the budget.
    ///   - keptFraction: the fraction of the teacher's MACs allowed.
    ///   - shape: one input's shape `[channels, height, width]`.
    public static func uniformConfiguration(teacher: UNetGenerator, keptFraction: Double, shape: [Int]) -> UNetGenerator.Configuration {
        let full = Double(ChannelCostModel.count(teacher, inputShape: shape, measure: .macs))
        var best = teacher.configuration
        best.baseWidth = 1
        for width in 1...teacher.configuration.baseWidth {
            var candidate = teacher.configuration
            candidate.baseWidth = width
            var random = RandomGenerator(seed: 0)
            let macs = Double(ChannelCostModel.count(UNetGenerator(configuration: candidate, using: &random), inputShape: shape, measure: .macs))
            if macs <= keptFraction * full { best = candidate }
        }
        return best
    }

    /// A copy of a generator: the same architecture and weights, in training mode.
    ///
    /// - Parameter generator: the network to copy.
    /// - Throws: the state dictionary's load errors (none for a consistent network).
    public static func copy(_ generator: UNetGenerator) throws -> UNetGenerator {
        var random = RandomGenerator(seed: 0)
        let result = UNetGenerator(configuration: generator.configuration, using: &random)
        try result.load(generator.stateDictionary())
        return result
    }

    /// A copy of a discriminator: the same architecture and weights, in training mode.
    ///
    /// - Parameter discriminator: the network to copy.
    /// - Throws: the state dictionary's load errors (none for a consistent network).
    public static func copy(_ discriminator: PatchDiscriminator) throws -> PatchDiscriminator {
        var random = RandomGenerator(seed: 0)
        let result = PatchDiscriminator(configuration: discriminator.configuration, using: &random)
        try result.load(discriminator.stateDictionary())
        return result
    }
}
