import Foundation
import ModelZoo
import PruningCore

/// APTP's pruning stage (Ganjdanesh et al., "Not All Prompts Are Made Equal", ICLR 2025;
/// official `pdm/training/trainer.py`): the diffusion U-Net's weights stay frozen while a
/// ``PromptRouter`` learns which architecture each prompt needs.
///
/// Every update draws a batch of (image, prompt) pairs, steps and noise, and:
///
/// 1. the predictor proposes an architecture for each prompt (relaxed Gumbel-sigmoid gates);
/// 2. during the first ``APTPConfiguration/warmupSteps`` updates the U-Net runs on those
///    proposals; afterwards every prompt is routed — by Sinkhorn optimal transport over the
///    cosine similarities of normalized proposals and relaxed code samples (nearest code
///    without OT) — and the U-Net runs on its code's sample;
/// 3. the loss is `denoising + 0.2 · output distillation + 0.2 · block distillation + 2 ·
///    resource + 100 · contrastive + 0.1 · (−std ratio) + 0.1 · (1 − max ratio)` (weights
///    configurable), the distillation targets being the unpruned network's outputs.
///
/// As in the official code, the routing is not differentiated, so after the warm-up the
/// denoising, distillation and resource terms train the codes only and the contrastive term
/// (on the predictor's own proposals) trains the predictor only.
public final class PromptRoutedPruning {
    /// One update's losses and routing.
    public struct Record: Sendable, Codable, Equatable {
        /// The update (1-based).
        public var step: Int
        /// Whether the U-Net ran on routed codes (false during the predictor's warm-up).
        public var routed: Bool
        /// The min-SNR v-prediction loss.
        public var denoising: Double
        /// MSE to the unpruned network's prediction.
        public var outputDistillation: Double
        /// Mean MSE of the block outputs to the unpruned network's.
        public var blockDistillation: Double
        /// The contrastive loss (unweighted).
        public var contrastive: Double
        /// The batch's mean kept MAC fraction.
        public var meanRatio: Double
        /// The standard deviation of the batch's kept MAC fractions.
        public var ratioSpread: Double
        /// Prompts per code this update (empty during the warm-up).
        public var codeUsage: [Int]
    }

    /// The frozen network (teacher and, gated, student).
    public let network: DiffusionUNet
    /// Its noise schedule.
    public let schedule: NoiseSchedule
    /// The router being trained.
    public let router: PromptRouter
    /// The MAC ratio of gated architectures.
    public let cost: DiffusionCostModel
    /// The settings.
    public let configuration: APTPConfiguration
    /// Updates done.
    public private(set) var completedSteps = 0

    private let images: Tensor
    private let conditions: Tensor
    private let optimizer: Adam
    private let budget: BudgetLoss
    private var random: RandomGenerator

    /// A pruning stage over `images` `[n, c, h, w]` in [−1, 1] with prompt embeddings
    /// `conditions` `[n, conditionSize]`.
    ///
    /// - Throws: ``StructuralPruningError`` for an invalid setting, an already pruned
    ///   network, or images and conditions that do not fit it.
    public init(network: DiffusionUNet, schedule: NoiseSchedule, images: Tensor, conditions: Tensor,
                configuration: APTPConfiguration = APTPConfiguration()) throws(StructuralPruningError) {
        try configuration.validate()
        guard images.rank == 4, images.shape[1] == network.configuration.imageChannels, images.shape[2] % 4 == 0, images.shape[3] % 4 == 0,
              images.shape[0] >= 1 else {
            throw .invalidSetting(field: "images", value: Double(images.rank), expected: "[n, \(network.configuration.imageChannels), h, w] with h and w multiples of 4")
        }
        guard conditions.rank == 2, conditions.shape[0] == images.shape[0], conditions.shape[1] == network.configuration.conditionSize else {
            throw .conditionShapeMismatch(expected: network.configuration.conditionSize, actual: conditions.shape)
        }
        self.network = network
        self.schedule = schedule
        self.configuration = configuration
        self.images = images
        self.conditions = conditions
        var random = RandomGenerator(seed: configuration.seed)
        let space = try DiffusionArchitectureSpace(network: network)
        router = try PromptRouter(space: space, codeCount: configuration.codeCount, conditionSize: network.configuration.conditionSize, using: &random)
        cost = DiffusionCostModel(network: network, space: space, height: images.shape[2], width: images.shape[3])
        budget = try BudgetLoss(target: configuration.keptFraction, form: .logRatioTwoSided, weight: 1)
        optimizer = Adam.adamW(learningRate: configuration.learningRate, weightDecay: 0)
        self.random = random
        network.eval()
    }

    /// The gate layout.
    public var space: DiffusionArchitectureSpace { router.space }

    /// One update.
    public func step() -> Record {
        let c = configuration
        let batch = DiffusionDistillationBatch(size: c.batchSize, images: images, conditions: conditions, teacher: network,
                                               schedule: schedule, gamma: c.gamma, using: &random)
        let routed = completedSteps >= c.warmupSteps
        var usage: [Int] = []
        var parts = (denoising: 0.0, output: 0.0, block: 0.0, contrastive: 0.0, mean: 0.0, spread: 0.0)
        optimizer.learningRate = c.learningRate * Float(min(1, Double(completedSteps + 1) / Double(max(c.learningRateWarmup, 1))))
        let (_, gradients) = valueAndGradient(of: router) {
            let proposed = space.relaxedGates(try! router.logits(batch.conditions), using: &random)
            var gates = proposed
            if routed {
                let samples = space.relaxedGates(router.codebook.codes.value, using: &random)
                let similarities = withoutGradients {
                    SinkhornRouting.cosineSimilarities(space.normalized(proposed.detached()), space.normalized(samples.detached()))
                }
                let codes = c.optimalTransport ? c.routing.assign(similarities) : SinkhornRouting.nearest(similarities)
                usage = (0..<router.codebook.count).map { code in codes.count { $0 == code } }
                gates = samples.indexSelect(codes, alongAxis: 0)
            }
            let student = network.outputs(batch.noised, steps: batch.steps, condition: batch.conditions, masks: space.masks(gates))
            let (denoising, output, block) = batch.losses(of: student)
            let ratios = cost.ratios(gates)
            let mean = ratios.mean()
            let spread = ((ratios - mean).squared().mean() + 1e-12).sqrt()
            let contrastive = c.contrastive(architectures: space.normalized(proposed), prompts: batch.conditions)
            parts = (Double(denoising.scalars[0]), Double(output.scalars[0]), Double(block.scalars[0]), Double(contrastive.scalars[0]),
                     Double(mean.scalars[0]), Double(spread.scalars[0]))
            var total = denoising * c.denoisingWeight + output * c.outputDistillationWeight + block * c.blockDistillationWeight
            total = total + budget(mean) * c.resourceWeight + contrastive * c.contrastiveWeight
            return total - spread * c.spreadWeight + (1 - ratios.max()) * c.maximumWeight
        }
        optimizer.update(router, along: gradients)
        completedSteps += 1
        return Record(step: completedSteps, routed: routed, denoising: parts.denoising, outputDistillation: parts.output,
                      blockDistillation: parts.block, contrastive: parts.contrastive, meanRatio: parts.mean, ratioSpread: parts.spread,
                      codeUsage: usage)
    }

    /// Runs the remaining updates, reporting each.
    @discardableResult
    public func run(progress: ((Record) -> Void)? = nil) -> [Record] {
        var records: [Record] = []
        while completedSteps < configuration.steps {
            let record = step()
            records.append(record)
            progress?(record)
        }
        return records
    }

    /// The physically pruned expert of `code`: a copy of the network keeping what the code's hard
    /// gates keep (a block whose depth gate is 0 loses its residual branch), in evaluation mode.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a code
    ///   outside the codebook.
    public func expert(_ code: Int) throws -> DiffusionUNet {
        guard code >= 0 && code < router.codebook.count else {
            throw StructuralPruningError.invalidSetting(field: "code", value: Double(code), expected: "a code in 0..<\(router.codebook.count)")
        }
        return try Self.pruned(network, gates: router.codeGates().sliced(alongAxis: 0, from: code, count: 1), space: space)
    }

    /// A physically pruned copy of `network` keeping what the hard `gates` (one row of `space`)
    /// keep.
    public static func pruned(_ network: DiffusionUNet, gates: Tensor, space: DiffusionArchitectureSpace) throws -> DiffusionUNet {
        let architecture = space.architecture(ofHardGates: gates)
        var random = RandomGenerator(seed: 0)
        let copy = DiffusionUNet(configuration: network.configuration, using: &random)
        try copy.load(network.stateDictionary(), strict: true)
        try copy.prune(keptGroups: architecture.keptGroups, keptHeads: architecture.keptHeads)
        copy.eval()
        return copy
    }
}
