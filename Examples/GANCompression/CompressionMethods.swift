import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// The rows of the table after the teacher.
enum CompressionMethod: String, CaseIterable {
    /// Both agents, the local-density objective, pruned G and D.
    case mggc
    /// Ablation: no local-density term.
    case mggcNoDensity = "mggc-no-density"
    /// Ablation: the generator's agent alone (D dense), with the local-density term.
    case mggcGeneratorAgent = "mggc-g-agent"
    /// Baseline: learned gates on G alone with the same budget (no density term, D dense).
    case generatorAlone = "g-alone"
    /// Baseline: global L1-norm channel pruning, then fine-tuning with distillation.
    case l1Distillation = "l1-distill"
    /// Baseline: a uniformly slimmer U-Net trained from scratch by distillation.
    case uniformDistillation = "uniform-distill"

    /// The table's name for the row.
    var title: String {
        switch self {
        case .mggc: "MGGC (ours: G+D agents, local density)"
        case .mggcNoDensity: "− local-density term"
        case .mggcGeneratorAgent: "− D agent (G agent alone)"
        case .generatorAlone: "pruning G alone (gates + budget)"
        case .l1Distillation: "L1 channels + distillation"
        case .uniformDistillation: "uniform slimmer G + distillation"
        }
    }
}

/// A compressed generator with what its run recorded.
struct CompressedGenerator {
    var generator: UNetGenerator
    var discriminator: PatchDiscriminator
    /// The pruning phase's losses (learned-gate methods), one record per update.
    var pruningRecords: [ManifoldGuidedCompression<UNetGenerator>.Record]
    /// The fine-tuning (or training) phase's losses.
    var fineTuningRecords: [TranslationTraining.Record]
    /// Seconds spent.
    var seconds: Double
}

/// Runs the methods on one task.
struct CompressionRunner {
    var keptFraction: Double
    /// The kept fraction the one-shot baselines (L1, uniform) aim at: the MGGC row's exported
    /// fraction when it ran first on the task, so that they meet the same MACs; otherwise
    /// ``keptFraction``.
    var baselineKeptFraction: Double?
    var pruneSteps: Int
    var fineTuneSteps: Int
    var seed: UInt64
    var progressInterval = 100

    func fineTuning(_ steps: Int) -> TranslationTraining {
        var recipe = TranslationTraining(steps: steps)
        recipe.distillationWeight = 100
        recipe.seed = seed &+ 5
        return recipe
    }

    func run(
        _ method: CompressionMethod, data: TranslationTaskData, teacher: UNetGenerator, teacherDiscriminator: PatchDiscriminator,
        teacherOutputs: Tensor, log: @escaping (String) -> Void
    ) throws -> CompressedGenerator {
        let start = ContinuousClock.now
        func eta(_ done: Int, _ total: Int) -> String {
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            return String(format: "%.0f s, ETA %.0f s", seconds, seconds / Double(max(done, 1)) * Double(total - done))
        }
        let totalSteps = pruneSteps + fineTuneSteps
        let fineTuneProgress: (Int) -> (TranslationTraining.Record) -> Void = { offset in
            { record in
                if record.step % progressInterval == 0 {
                    log(String(format: "    step %d/%d: D %.3f, G adv %.3f, L1 %.4f  [%@]", offset + record.step, totalSteps,
                               record.discriminator, record.generatorAdversarial, record.reconstruction, eta(offset + record.step, totalSteps)))
                }
            }
        }
        let shape = [data.pool.inputChannels, data.pool.height, data.pool.width]
        switch method {
        case .mggc, .mggcNoDensity, .mggcGeneratorAgent, .generatorAlone:
            let generator = try GeneratorBaseline.copy(teacher)
            let discriminator = try GeneratorBaseline.copy(teacherDiscriminator)
            var settings = ManifoldGuidedCompressionConfiguration(keptFraction: keptFraction)
            settings.steps = pruneSteps
            settings.seed = seed
            if method == .mggcNoDensity || method == .generatorAlone { settings.localDensity = nil }
            if method == .mggcGeneratorAgent || method == .generatorAlone { settings.prunesDiscriminator = false }
            let compression = try ManifoldGuidedCompression(
                generator: generator, discriminator: discriminator, pairs: data.pool, teacherOutputs: teacherOutputs, configuration: settings)
            let records = try compression.run { record in
                if record.step % progressInterval == 0 {
                    log(String(format: "    step %d/%d: D %.3f, G adv %.3f, L1 %.4f, density %.4f, kept G %.3f D %.3f  [%@]",
                               record.step, totalSteps, record.discriminator, record.generatorAdversarial, record.reconstruction,
                               record.density, record.generatorKept, record.discriminatorKept, eta(record.step, totalSteps)))
                }
            }
            try compression.export()
            let macs = ChannelCostModel.count(generator, inputShape: shape, measure: .macs)
            log(String(format: "    exported: %.2f M MACs (%.1f %% of the teacher's)", Double(macs) / 1e6,
                       100 * Double(macs) / Double(compression.generatorCost.fullCost)))
            let tuning = fineTuneSteps > 0
                ? try fineTuning(fineTuneSteps).train(generator, discriminator: discriminator, on: data.pool, teacherOutputs: teacherOutputs,
                                                      progress: fineTuneProgress(pruneSteps)) : []
            return CompressedGenerator(generator: generator, discriminator: discriminator, pruningRecords: records,
                                       fineTuningRecords: tuning, seconds: (ContinuousClock.now - start) / .seconds(1))
        case .l1Distillation, .uniformDistillation:
            let baseline: GeneratorBaseline = method == .l1Distillation ? .l1Channels : .uniformWidth
            let kept = baselineKeptFraction ?? keptFraction
            if baseline == .uniformWidth {
                log("    uniform width \(GeneratorBaseline.uniformConfiguration(teacher: teacher, keptFraction: kept, shape: shape).baseWidth) (teacher \(teacher.configuration.baseWidth))")
            }
            let (generator, tuning) = try baseline.run(
                teacher: teacher, teacherDiscriminator: teacherDiscriminator, pairs: data.pool, teacherOutputs: teacherOutputs,
                keptFraction: kept, training: fineTuning(totalSteps), seed: seed, progress: fineTuneProgress(0))
            return CompressedGenerator(generator: generator, discriminator: teacherDiscriminator, pruningRecords: [], fineTuningRecords: tuning,
                                       seconds: (ContinuousClock.now - start) / .seconds(1))
        }
    }
}
