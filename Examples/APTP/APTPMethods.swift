import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// The rows of the table besides the teacher.
enum APTPMethod: String, CaseIterable, Codable {
    case aptp4 = "aptp-k4"
    case aptp8 = "aptp-k8"
    case withoutTransport = "aptp-k4-no-ot"
    case withoutContrastive = "aptp-k4-no-contrastive"
    case single = "single-architecture"
    case magnitude

    var title: String {
        switch self {
        case .aptp4: "APTP, K = 4"
        case .aptp8: "APTP, K = 8"
        case .withoutTransport: "APTP, K = 4, without optimal transport"
        case .withoutContrastive: "APTP, K = 4, without the contrastive loss"
        case .single: "one pruned architecture (APTP, K = 1)"
        case .magnitude: "magnitude pruning (L1 of groups and heads)"
        }
    }

    /// The codes of the learned methods (nil: magnitude pruning).
    var codeCount: Int? {
        switch self {
        case .aptp4, .withoutTransport, .withoutContrastive: 4
        case .aptp8: 8
        case .single: 1
        case .magnitude: nil
        }
    }
}

/// What one method produced.
struct MethodResult {
    var experts: [DiffusionUNet]
    /// The expert of every training prompt.
    var trainingAssignment: [Int]
    /// The expert of every held-out prompt.
    var evaluationAssignment: [Int]
    var records: [PromptRoutedPruning.Record]
    var seconds: Double
    /// The trained router (learned methods).
    var router: PromptRouter?
}

/// Runs the methods with one budget: every learned method prunes for `pruneSteps` updates, then
/// its experts share `fineTuneSteps` updates in proportion to their training prompts; magnitude
/// pruning fine-tunes its one network for `fineTuneSteps`.
struct MethodRunner {
    let teacher: DiffusionUNet
    let schedule: NoiseSchedule
    let data: APTPData
    let keptFraction: Double
    let pruneSteps: Int
    let warmupSteps: Int
    let fineTuneSteps: Int
    let learningRate: Float
    let seed: UInt64

    func run(_ method: APTPMethod, magnitudeFraction: Double, log: @escaping (String) -> Void) throws -> MethodResult {
        let began = ContinuousClock.now
        func seconds() -> Double { (ContinuousClock.now - began) / .seconds(1) }
        var experts: [DiffusionUNet]
        var trainingAssignment: [Int]
        var evaluationAssignment: [Int]
        var records: [PromptRoutedPruning.Record] = []
        var router: PromptRouter?
        if let codes = method.codeCount {
            var configuration = APTPConfiguration()
            configuration.codeCount = codes
            configuration.keptFraction = keptFraction
            configuration.steps = pruneSteps
            configuration.warmupSteps = warmupSteps
            configuration.learningRate = learningRate
            configuration.optimalTransport = method != .withoutTransport
            if method == .withoutContrastive { configuration.contrastiveWeight = 0 }
            configuration.seed = seed
            let pruner = try PromptRoutedPruning(network: teacher, schedule: schedule, images: data.training.images,
                                                 conditions: data.training.conditions, configuration: configuration)
            var window: [PromptRoutedPruning.Record] = []
            records = pruner.run { record in
                window.append(record)
                guard record.step % 50 == 0 || record.step == pruneSteps else { return }
                let mean = { (key: KeyPath<PromptRoutedPruning.Record, Double>) in window.map { $0[keyPath: key] }.reduce(0, +) / Double(window.count) }
                let usage = record.codeUsage.isEmpty ? "warm-up" : "codes " + record.codeUsage.map(String.init).joined(separator: "/")
                let elapsed = seconds()
                log(String(format: "    step %d/%d: v-loss %.4f, distill %.4f + %.4f, contrastive %.4f, MAC ratio %.3f ± %.3f, %@  [%.0f s, ETA %.0f s]",
                           record.step, pruneSteps, mean(\.denoising), mean(\.outputDistillation), mean(\.blockDistillation), mean(\.contrastive),
                           mean(\.meanRatio), mean(\.ratioSpread), usage, elapsed, elapsed / Double(record.step) * Double(pruneSteps - record.step)))
                window.removeAll()
            }
            trainingAssignment = try pruner.router.route(data.training.conditions)
            evaluationAssignment = try pruner.router.route(data.evaluation.conditions)
            experts = try (0..<codes).map { try pruner.expert($0) }
            router = pruner.router
        } else {
            let space = try DiffusionArchitectureSpace(network: teacher)
            let cost = DiffusionCostModel(network: teacher, space: space)
            let gates = try DiffusionMagnitudePruning.gates(for: teacher, keptFraction: magnitudeFraction, cost: cost)
            experts = [try PromptRoutedPruning.pruned(teacher, gates: gates, space: space)]
            trainingAssignment = Array(repeating: 0, count: data.training.count)
            evaluationAssignment = Array(repeating: 0, count: data.evaluation.count)
        }
        // Fine-tune every expert on its own prompts.
        var tuning = ExpertFineTuning(steps: 0)
        tuning.seed = seed
        try tuning.train(
            experts: experts, assignment: trainingAssignment, totalSteps: fineTuneSteps, teacher: teacher, schedule: schedule,
            images: data.training.images, conditions: data.training.conditions
        ) { code, prompts, steps, losses in
            let tail = losses.suffix(max(1, losses.count / 5))
            log(String(format: "    expert %d: %d prompts, %.2f M MACs, fine-tuned %d updates (final loss %.4f)  [%.0f s]",
                       code, prompts, Double(experts[code].multiplyAccumulates()) / 1e6, steps, tail.reduce(0, +) / Double(tail.count), seconds()))
        }
        return MethodResult(experts: experts, trainingAssignment: trainingAssignment, evaluationAssignment: evaluationAssignment,
                            records: records, seconds: seconds(), router: router)
    }
}
