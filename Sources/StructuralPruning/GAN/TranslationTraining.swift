import Foundation
import ModelZoo
import PruningCore

/// pix2pix training of a generator against a conditional PatchGAN, optionally distilling a
/// teacher's outputs: the recipe that trains the teachers, fine-tunes pruned generators and
/// trains the uniformly slimmer students of the baselines.
///
/// Every step updates the discriminator on a real and a generated pair, then the generator on
/// `Pix2PixLoss` plus `distillationWeight · mean|G(x) − T(x)|` when teacher outputs are given.
/// Adam with β = (0.5, 0.999) for both networks, as pix2pix; the learning rate is constant and
/// then decays linearly to zero over the last ``decayFraction`` of the steps.
public struct TranslationTraining: Sendable {
    /// The number of updates.
    public var steps: Int
    /// Pairs per update.
    public var batchSize: Int = 32
    /// Adam's learning rate for both networks (pix2pix: 2e-4).
    public var learningRate: Float = 2e-4
    /// The fraction of the steps over which the learning rate decays to zero.
    public var decayFraction: Double = 0.5
    /// The pix2pix objective.
    public var loss = Pix2PixLoss()
    /// The weight of the L1 distance to the teacher's outputs (0: plain pix2pix).
    public var distillationWeight: Float = 0
    /// The seed of the batch order.
    public var seed: UInt64 = 0

    /// A recipe of `steps` updates.
    public init(steps: Int) {
        self.steps = steps
    }

    /// The losses of one update.
    public struct Record: Sendable, Codable, Equatable {
        /// The update, from 1.
        public var step: Int
        /// The generator's adversarial term `BCE(D(x, G(x)), 1)`.
        public var generatorAdversarial: Double
        /// `mean|G(x) − y|`.
        public var reconstruction: Double
        /// The discriminator's loss.
        public var discriminator: Double
    }

    /// The learning rate at update `step` (from 1) of `steps`.
    public static func learningRate(_ base: Float, step: Int, steps: Int, decayFraction: Double) -> Float {
        let decaySteps = Int((Double(steps) * decayFraction).rounded())
        let start = steps - decaySteps
        guard decaySteps > 0, step > start else { return base }
        return base * Float(steps - step + 1) / Float(decaySteps + 1)
    }

    /// Trains `generator` and `discriminator` on `pairs` (with `teacherOutputs` `[count, …]`
    /// aligned with the pairs when ``distillationWeight`` is positive), leaving both in
    /// evaluation mode.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a bad step
    ///   count, batch size, or teacher outputs that do not match the pairs.
    @discardableResult
    public func train(
        _ generator: some Layer, discriminator: PatchDiscriminator, on pairs: PairedImages, teacherOutputs: Tensor? = nil,
        progress: ((Record) -> Void)? = nil
    ) throws -> [Record] {
        guard steps >= 1 else { throw StructuralPruningError.invalidSetting(field: "steps", value: Double(steps), expected: "at least 1") }
        guard batchSize >= 1, batchSize <= pairs.count else {
            throw StructuralPruningError.invalidSetting(field: "batchSize", value: Double(batchSize), expected: "1...\(pairs.count) (the pairs)")
        }
        if let teacherOutputs, teacherOutputs.shape != pairs.targets.shape {
            throw StructuralPruningError.invalidSetting(
                field: "teacherOutputs", value: Double(teacherOutputs.shape.first ?? 0), expected: "outputs shaped like the targets \(pairs.targets.shape)")
        }
        let generatorOptimizer = Adam(learningRate: learningRate, beta1: 0.5)
        let discriminatorOptimizer = Adam(learningRate: learningRate, beta1: 0.5)
        var sampler = PairSampler(count: pairs.count, seed: seed)
        var records: [Record] = []
        generator.train()
        discriminator.train()
        for step in 1...steps {
            let rate = Self.learningRate(learningRate, step: step, steps: steps, decayFraction: decayFraction)
            generatorOptimizer.learningRate = rate
            discriminatorOptimizer.learningRate = rate
            let indices = sampler.next(batchSize)
            let x = pairs.inputs.indexSelect(indices, alongAxis: 0)
            let y = pairs.targets.indexSelect(indices, alongAxis: 0)
            let teacher = distillationWeight > 0 ? teacherOutputs?.indexSelect(indices, alongAxis: 0) : nil
            let fake = withoutGradients { generator(x) }
            let (dLoss, dGradients) = valueAndGradient(of: discriminator) {
                loss.discriminator(realLogits: discriminator(condition: x, image: y), fakeLogits: discriminator(condition: x, image: fake))
            }
            discriminatorOptimizer.update(discriminator, along: dGradients)
            var adversarial = 0.0, reconstruction = 0.0
            let (_, gGradients) = valueAndGradient(of: generator) {
                let generated = generator(x)
                let adv = loss.adversarial(fakeLogits: discriminator(condition: x, image: generated))
                let l1 = (generated - y).abs().mean()
                adversarial = Double(adv.scalars[0])
                reconstruction = Double(l1.scalars[0])
                var total = adv + l1 * loss.reconstructionWeight
                if let teacher { total = total + (generated - teacher).abs().mean() * distillationWeight }
                return total
            }
            generatorOptimizer.update(generator, along: gGradients)
            let record = Record(step: step, generatorAdversarial: adversarial, reconstruction: reconstruction, discriminator: Double(dLoss.scalars[0]))
            records.append(record)
            progress?(record)
        }
        generator.eval()
        discriminator.eval()
        return records
    }

    /// The outputs of `generator` in evaluation mode for every input of `pairs`, in batches.
    public static func outputs(of generator: some Layer, for inputs: Tensor, batchSize: Int = 256) -> Tensor {
        let training = generator.isTraining
        generator.eval()
        defer { if training { generator.train() } }
        var pieces: [Tensor] = []
        var start = 0
        withoutGradients {
            while start < inputs.shape[0] {
                let count = Swift.min(batchSize, inputs.shape[0] - start)
                pieces.append(generator(inputs.sliced(alongAxis: 0, from: start, count: count)))
                start += count
            }
        }
        return Tensor.concatenate(pieces, alongAxis: 0)
    }
}

/// Batches drawn without replacement from a reshuffled order, epoch after epoch.
struct PairSampler {
    private var order: [Int] = []
    private var position = 0
    private var random: RandomGenerator
    private let count: Int

    init(count: Int, seed: UInt64) {
        self.count = count
        random = RandomGenerator(seed: seed)
    }

    /// The next `size` indices.
    mutating func next(_ size: Int) -> [Int] {
        var result: [Int] = []
        while result.count < size {
            if position >= order.count {
                order = Array(0..<count)
                for i in stride(from: count - 1, to: 0, by: -1) {
                    order.swapAt(i, Int(random.nextUniformDouble() * Double(i + 1)) % (i + 1))
                }
                position = 0
            }
            result.append(order[position])
            position += 1
        }
        return result
    }
}
