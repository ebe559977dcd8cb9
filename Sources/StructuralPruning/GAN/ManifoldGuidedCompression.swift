import Foundation
import ModelZoo
import PruningCore

/// Manifold-guided compression of a conditional image-to-image GAN (after "Compressing
/// Image-to-Image Translation GANs Using Local Density Structures on Their Learned Manifold",
/// AAAI 2024, arXiv:2312.14776): the generator and the discriminator are pruned together by two
/// agents that read each other's architecture, while the pruned generator is held to the
/// original generator's local density structure.
///
/// What is the paper's: neighbourhoods of the original generator's outputs, each a centre and
/// its neighbours; an adversarial, KDE-like objective matching the pruned and original
/// distributions in each neighbourhood; two pruning agents `genG` and `genD` exchanging their
/// peer's architecture. What is ours (no code or equations are public): the neighbourhoods are
/// the `k` nearest teacher outputs of a pool (``NeighbourhoodIndex``); the objective is the
/// KDE L2 distance plus a neighbourhood discriminator weighted by kernel weights
/// (``LocalDensityObjective``); the agents are ``PeerConditionedController``s over hard
/// Gumbel-sigmoid gates on every channel group, each reading its peer's last hard mask; the
/// budgets are two-sided log-ratio losses on each network's MACs, the discriminator's target
/// following the generator's current kept fraction down to its floor, so that D never shrinks
/// ahead of G.
///
/// Each update: the discriminator (weights and agent) on the pix2pix loss of the gated
/// networks plus its budget; the neighbourhood discriminator on teacher versus student members;
/// then the generator (weights and agent) on pix2pix + distillation + local density + budget.
/// ``export()`` removes the channels the noise-free masks drop from both networks.
public final class ManifoldGuidedCompression<Generator: ChannelPrunable & Layer> {
    /// The losses and sizes of one update.
    public struct Record: Sendable, Codable, Equatable {
        /// The update, from 1.
        public var step: Int
        /// The generator's adversarial term against the gated discriminator.
        public var generatorAdversarial: Double
        /// `mean|G'(x) − y|`.
        public var reconstruction: Double
        /// The discriminator's pix2pix loss (without its budget term).
        public var discriminator: Double
        /// The density term (0 when off).
        public var density: Double
        /// The neighbourhood discriminator's loss (0 when off).
        public var neighbourhoodDiscriminator: Double
        /// The generator's kept MAC fraction under this update's hard mask.
        public var generatorKept: Double
        /// The discriminator's kept MAC fraction under this update's hard mask.
        public var discriminatorKept: Double
    }

    /// The settings.
    public let configuration: ManifoldGuidedCompressionConfiguration
    /// The generator being pruned (trained in place).
    public let generator: Generator
    /// The discriminator being pruned (or kept dense) and trained in place.
    public let discriminator: PatchDiscriminator
    /// The neighbourhood discriminator `D_N(centre, member)` (nil without the local-density
    /// term).
    public let neighbourhoodDiscriminator: PatchDiscriminator?
    /// The gates on every channel group of the generator.
    public let generatorGating: ChannelGating
    /// The gates on every hidden layer of the discriminator.
    public let discriminatorGating: ChannelGating
    /// The generator's MACs as a function of its masks.
    public let generatorCost: ChannelCostModel
    /// The discriminator's MACs as a function of its masks.
    public let discriminatorCost: ChannelCostModel
    /// `genG`, reading the discriminator's mask.
    public let generatorAgent: PeerConditionedController
    /// `genD`, reading the generator's mask.
    public let discriminatorAgent: PeerConditionedController
    /// The neighbourhoods of the pool (nil without the local-density term).
    public let neighbourhoods: NeighbourhoodIndex?
    private let pairs: PairedImages
    private let teacherOutputs: Tensor
    /// The last hard masks, concatenated (each agent's condition).
    public private(set) var generatorMask: Tensor
    /// The last hard masks of the discriminator, concatenated.
    public private(set) var discriminatorMask: Tensor

    /// A compression of `generator` (a copy of the trained teacher, pruned in place) with
    /// `discriminator` (a copy of the teacher's discriminator) on `pairs`, whose original
    /// outputs are `teacherOutputs`.
    ///
    /// - Throws: ``StructuralPruningError`` for bad settings, teacher outputs that do not match
    ///   the pairs, or a pool too small for the neighbourhoods.
    public init(
        generator: Generator, discriminator: PatchDiscriminator, pairs: PairedImages, teacherOutputs: Tensor,
        configuration: ManifoldGuidedCompressionConfiguration
    ) throws {
        try configuration.validate()
        guard teacherOutputs.shape == pairs.targets.shape else {
            throw StructuralPruningError.invalidSetting(
                field: "teacherOutputs", value: Double(teacherOutputs.shape.first ?? 0), expected: "outputs shaped like the targets \(pairs.targets.shape)")
        }
        guard configuration.batchSize <= pairs.count else {
            throw StructuralPruningError.invalidSetting(field: "centresPerBatch", value: Double(configuration.centresPerBatch),
                                                        expected: "a batch of at most \(pairs.count) pairs")
        }
        self.configuration = configuration
        self.generator = generator
        self.discriminator = discriminator
        self.pairs = pairs
        self.teacherOutputs = teacherOutputs
        let generatorShape = [pairs.inputChannels, pairs.height, pairs.width]
        let discriminatorShape = [pairs.inputChannels + pairs.outputChannels, pairs.height, pairs.width]
        generatorGating = try ChannelGating(model: generator)
        discriminatorGating = try ChannelGating(model: discriminator)
        generatorCost = try ChannelCostModel(model: generator, inputShape: generatorShape, measure: .macs)
        discriminatorCost = try ChannelCostModel(model: discriminator, inputShape: discriminatorShape, measure: .macs)
        var random = RandomGenerator(seed: configuration.seed)
        generatorAgent = try PeerConditionedController(
            gates: generatorGating.gates, peerWidth: discriminatorGating.gates.totalWidth, hidden: configuration.controllerHidden, using: &random)
        discriminatorAgent = try PeerConditionedController(
            gates: discriminatorGating.gates, peerWidth: generatorGating.gates.totalWidth, hidden: configuration.controllerHidden, using: &random)
        generatorMask = Tensor.ones([generatorGating.gates.totalWidth])
        discriminatorMask = Tensor.ones([discriminatorGating.gates.totalWidth])
        if let density = configuration.localDensity {
            neighbourhoods = try NeighbourhoodIndex(outputs: teacherOutputs, neighbours: density.neighbours)
            neighbourhoodDiscriminator = PatchDiscriminator(
                configuration: .init(inputChannels: 2 * pairs.outputChannels, baseWidth: discriminator.configuration.baseWidth,
                                     stridedLayers: discriminator.configuration.stridedLayers),
                using: &random)
        } else {
            neighbourhoods = nil
            neighbourhoodDiscriminator = nil
        }
    }

    /// Runs the pruning phase: ``ManifoldGuidedCompressionConfiguration/steps`` updates.
    ///
    /// - Returns: one record per update.
    /// - Throws: ``StructuralPruningError`` from the gates.
    @discardableResult
    public func run(progress: ((Record) -> Void)? = nil) throws -> [Record] {
        let settings = configuration
        let generatorParameters = generator.trainableParameters()
        let discriminatorParameters = discriminator.trainableParameters()
        let generatorAgentParameters = generatorAgent.trainableParameters()
        let discriminatorAgentParameters = settings.prunesDiscriminator ? discriminatorAgent.trainableParameters() : []
        let weights = (g: Adam(learningRate: settings.learningRate, beta1: 0.5), d: Adam(learningRate: settings.learningRate, beta1: 0.5),
                       n: Adam(learningRate: settings.learningRate, beta1: 0.5))
        let agents = (g: Adam(learningRate: settings.controllerLearningRate), d: Adam(learningRate: settings.controllerLearningRate))
        let generatorBudget = try BudgetLoss(target: settings.keptFraction, form: .logRatioTwoSided, weight: settings.budgetWeight)
        let discriminatorFloor = settings.discriminatorKeptFraction ?? settings.keptFraction
        var generatorKeptSoFar = 1.0
        var sampler = PairSampler(count: pairs.count, seed: settings.seed &+ 1)
        var noise = RandomGenerator(seed: settings.seed &+ 2)
        let relaxation = settings.relaxation
        let allOnesDiscriminator = Tensor.ones([discriminatorGating.gates.totalWidth])
        var records: [Record] = []
        generator.train()
        discriminator.train()
        neighbourhoodDiscriminator?.train()
        for step in 1...settings.steps {
            let indices: [Int]
            if let neighbourhoods {
                indices = neighbourhoods.batch(centres: sampler.next(settings.centresPerBatch))
            } else {
                indices = sampler.next(settings.batchSize)
            }
            let x = pairs.inputs.indexSelect(indices, alongAxis: 0)
            let y = pairs.targets.indexSelect(indices, alongAxis: 0)
            let teacher = teacherOutputs.indexSelect(indices, alongAxis: 0)
            let peerOfGenerator = settings.prunesDiscriminator ? discriminatorMask : allOnesDiscriminator
            // Both agents sample from the peer's previous mask.
            let (generatorHard, fake) = try withoutGradients {
                let masks = try generatorAgent.logits(peer: peerOfGenerator).map { relaxation.hard($0, using: &noise) }
                return (masks, try generatorGating.withMasks(masks, on: generator) { generator(x) })
            }

            // 1. The discriminator and its agent.
            var discriminatorHard = discriminatorGating.gates.split(allOnesDiscriminator)
            var discriminatorKept = 1.0
            var discriminatorLoss = 0.0
            let (_, dGradients) = try valueAndGradient(of: discriminatorParameters + discriminatorAgentParameters) {
                var masks = discriminatorHard
                var budget: Tensor? = nil
                if settings.prunesDiscriminator {
                    masks = try discriminatorAgent.logits(peer: generatorMask).map { relaxation.hard($0, using: &noise) }
                    let ratio = discriminatorCost.ratio(masks)
                    discriminatorKept = Double(ratio.scalars[0])
                    // The discriminator follows the generator down to its own floor.
                    let target = max(discriminatorFloor, generatorKeptSoFar)
                    if target < 1 {
                        budget = try BudgetLoss(target: target, form: .logRatioTwoSided, weight: settings.discriminatorBudgetWeight)(ratio)
                    }
                }
                discriminatorHard = masks.map { $0.detached() }
                let loss = try discriminatorGating.withMasks(masks, on: discriminator) {
                    settings.loss.discriminator(realLogits: discriminator(condition: x, image: y), fakeLogits: discriminator(condition: x, image: fake))
                }
                discriminatorLoss = Double(loss.scalars[0])
                return budget.map { loss + $0 } ?? loss
            }
            weights.d.update(discriminatorParameters, along: dGradients)
            if settings.prunesDiscriminator { agents.d.update(discriminatorAgentParameters, along: dGradients) }

            // 2. The neighbourhood discriminator: (centre, teacher member) against (centre, student member).
            var neighbourhoodLoss = 0.0
            var density: (objective: LocalDensityObjective, tau: Float, weights: Tensor, centres: Tensor, groups: Int)? = nil
            if let objective = settings.localDensity, let critic = neighbourhoodDiscriminator {
                let grouped = objective.grouped(teacher)
                let tau = objective.medianBandwidth(grouped)
                let kernelWeights = LocalDensityObjective.kernelWeights(teacher: grouped, bandwidth: tau).reshaped(to: [indices.count])
                let members = objective.neighbours + 1
                let centreImages = teacher.reshaped(to: [indices.count / members, members] + Array(teacher.shape.dropFirst()))
                    .sliced(alongAxis: 1, from: 0, count: 1)
                    .expanded(to: [indices.count / members, members] + Array(teacher.shape.dropFirst()))
                    .reshaped(to: teacher.shape)
                let groups = indices.count / members
                density = (objective, tau, kernelWeights, centreImages, groups)
                let (nValue, nGradients) = valueAndGradient(of: critic) {
                    (weightedBinaryCrossEntropy(logits: critic(condition: centreImages, image: teacher), target: 1, weights: kernelWeights)
                        + weightedBinaryCrossEntropy(logits: critic(condition: centreImages, image: fake), target: 0, weights: kernelWeights))
                        * (0.5 / Float(groups))
                }
                weights.n.update(critic, along: nGradients)
                neighbourhoodLoss = Double(nValue.scalars[0])
            }

            // 3. The generator and its agent.
            var adversarial = 0.0, reconstruction = 0.0, densityValue = 0.0, generatorKept = 0.0
            var generatorSample = generatorHard
            let (_, gGradients) = try valueAndGradient(of: generatorParameters + generatorAgentParameters) {
                let masks = try generatorAgent.logits(peer: peerOfGenerator).map { relaxation.hard($0, using: &noise) }
                generatorSample = masks.map { $0.detached() }
                let ratio = generatorCost.ratio(masks)
                generatorKept = Double(ratio.scalars[0])
                let generated = try generatorGating.withMasks(masks, on: generator) { generator(x) }
                let adv = try discriminatorGating.withMasks(discriminatorHard, on: discriminator) {
                    settings.loss.adversarial(fakeLogits: discriminator(condition: x, image: generated))
                }
                let l1 = (generated - y).abs().mean()
                adversarial = Double(adv.scalars[0])
                reconstruction = Double(l1.scalars[0])
                var total = adv + l1 * settings.loss.reconstructionWeight + generatorBudget(ratio)
                if settings.distillationWeight > 0 { total = total + (generated - teacher).abs().mean() * settings.distillationWeight }
                if let density, let critic = neighbourhoodDiscriminator {
                    let distance = LocalDensityObjective.densityDistance(
                        teacher: density.objective.grouped(teacher), student: density.objective.grouped(generated), bandwidth: density.tau)
                    densityValue = Double(distance.scalars[0])
                    let fooling = weightedBinaryCrossEntropy(
                        logits: critic(condition: density.centres, image: generated), target: 1, weights: density.weights) / Float(density.groups)
                    total = total + distance * density.objective.densityWeight + fooling * density.objective.adversarialWeight
                }
                return total
            }
            weights.g.update(generatorParameters, along: gGradients)
            agents.g.update(generatorAgentParameters, along: gGradients)
            generatorKeptSoFar = generatorKept
            generatorMask = generatorGating.gates.concatenated(generatorSample)
            discriminatorMask = discriminatorGating.gates.concatenated(discriminatorHard)
            let record = Record(
                step: step, generatorAdversarial: adversarial, reconstruction: reconstruction, discriminator: discriminatorLoss,
                density: densityValue, neighbourhoodDiscriminator: neighbourhoodLoss, generatorKept: generatorKept,
                discriminatorKept: discriminatorKept)
            records.append(record)
            progress?(record)
        }
        generator.eval()
        discriminator.eval()
        return records
    }

    /// The noise-free hard masks of both agents: starting from the last sampled masks, each
    /// agent's deterministic mask is recomputed from the other's, three rounds; a gate left
    /// empty keeps its highest-logit entry.
    public func finalMasks() throws -> (generator: [Tensor], discriminator: [Tensor]) {
        var generatorMasks = generatorGating.gates.split(generatorMask)
        var discriminatorMasks = discriminatorGating.gates.split(discriminatorMask)
        let relaxation = configuration.relaxation
        func deterministic(_ logits: [Tensor]) -> [Tensor] {
            logits.map { logit in
                let mask = relaxation.deterministic(logit)
                guard mask.scalars.allSatisfy({ $0 < 0.5 }) else { return mask }
                var values = [Float](repeating: 0, count: logit.count)
                values[logit.argsort(alongAxis: 0, descending: true)[0]] = 1
                return Tensor(shape: logit.shape, scalars: values)
            }
        }
        try withoutGradients {
            for _ in 0..<3 {
                if configuration.prunesDiscriminator {
                    discriminatorMasks = deterministic(try discriminatorAgent.logits(peer: generatorGating.gates.concatenated(generatorMasks)))
                }
                let peer = configuration.prunesDiscriminator
                    ? discriminatorGating.gates.concatenated(discriminatorMasks) : Tensor.ones([discriminatorGating.gates.totalWidth])
                generatorMasks = deterministic(try generatorAgent.logits(peer: peer))
            }
        }
        return (generatorMasks, discriminatorMasks)
    }

    /// Removes the channels the final masks drop from the generator and (when pruned) the
    /// discriminator, in place.
    ///
    /// - Returns: the kept indices of every generator group and every discriminator group.
    @discardableResult
    public func export() throws -> (generator: [[Int]], discriminator: [[Int]]) {
        let masks = try finalMasks()
        let kept = try ChannelMaskExport.apply(masks.generator, gating: generatorGating, to: generator)
        let discriminatorKept = configuration.prunesDiscriminator
            ? try ChannelMaskExport.apply(masks.discriminator, gating: discriminatorGating, to: discriminator)
            : discriminatorGating.groups.map { Array(0..<$0.size) }
        return (kept, discriminatorKept)
    }
}
