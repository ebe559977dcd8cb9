import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite("Diffusion: noise schedules, DDIM, the conditional U-Net and its gate sites")
struct DiffusionTests {
    @Test("Schedules: the linear one is the product of 1 − β_t; both decrease from near 1 towards 0")
    func schedules() {
        let linear = NoiseSchedule(kind: .linear, steps: 1000)
        var product = 1.0
        for t in 0..<1000 { product *= 1 - (1e-4 + (0.02 - 1e-4) * Double(t) / 999) }
        #expect(abs(linear.signal(at: 1000) - product) < 1e-12)
        #expect(abs(linear.signal(at: 1) - (1 - 1e-4)) < 1e-12)
        for schedule in [linear, NoiseSchedule(kind: .cosine, steps: 100)] {
            #expect(schedule.signal(at: 0) == 1)
            for t in 1...schedule.steps { #expect(schedule.signal(at: t) < schedule.signal(at: t - 1)) }
            #expect(schedule.signal(at: schedule.steps) < 1e-3)
        }
        // The cosine schedule's closed form at t = T/2 (β not clipped there).
        let cosine = NoiseSchedule(kind: .cosine, steps: 100)
        let f = { (t: Double) in pow(cos((t / 100 + 0.008) / 1.008 * .pi / 2), 2) }
        #expect(abs(cosine.signal(at: 50) - f(50) / f(0)) < 1e-9)
    }

    @Test("v-prediction: x₀ and ε recovered exactly; min-SNR weights")
    func velocity() {
        let schedule = NoiseSchedule(kind: .cosine, steps: 50)
        var random = RandomGenerator(seed: 1)
        let x0 = Tensor.randomUniform([3, 1, 4, 4], lower: -1, upper: 1, using: &random)
        let noise = Tensor.randomNormal([3, 1, 4, 4], using: &random)
        let steps = [1, 25, 50]
        let xt = schedule.noised(x0, noise: noise, steps: steps)
        let v = schedule.velocity(clean: x0, noise: noise, steps: steps)
        let (clean, recovered) = schedule.cleanAndNoise(fromVelocity: v, noised: xt, steps: steps)
        expectClose(clean, x0, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        expectClose(recovered, noise, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        let weights = schedule.minSNRVelocityWeights(steps: steps, gamma: 5).scalars
        for (t, w) in zip(steps, weights) {
            let snr = schedule.signal(at: t) / (1 - schedule.signal(at: t))
            #expect(abs(Double(w) - min(snr, 5) / (snr + 1)) < 1e-6)
        }
    }

    @Test("DDIM: a step with the true v lands on the closed form, and sampling with an oracle returns x₀")
    func ddim() {
        let schedule = NoiseSchedule(kind: .linear, steps: 100)
        let sampler = DDIMSampler(schedule: schedule, steps: 10)
        #expect(sampler.timesteps == [100, 90, 80, 70, 60, 50, 40, 30, 20, 10])
        var random = RandomGenerator(seed: 2)
        let x0 = Tensor.randomUniform([2, 1, 3, 3], lower: -0.9, upper: 0.9, using: &random)
        let noise = Tensor.randomNormal([2, 1, 3, 3], using: &random)
        let xt = schedule.noised(x0, noise: noise, steps: [60, 60])
        let next = sampler.step(xt, velocity: schedule.velocity(clean: x0, noise: noise, steps: [60, 60]), from: 60, to: 50)
        let expected = x0 * Float(schedule.signal(at: 50).squareRoot()) + noise * Float((1 - schedule.signal(at: 50)).squareRoot())
        expectClose(next, expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        // An oracle that knows x₀ predicts v = √ᾱ ε̂ − √(1 − ᾱ) x₀ with ε̂ implied by x_t.
        let sample = sampler.sample(from: Tensor.randomNormal([2, 1, 3, 3], using: &random)) { x, t in
            let a = Float(schedule.signal(at: t).squareRoot()), b = Float((1 - schedule.signal(at: t)).squareRoot())
            let epsilon = (x - x0 * a) / b
            return epsilon * a - x0 * b
        }
        expectClose(sample, x0, relativeTolerance: 1e-3, absoluteTolerance: 1e-4)
    }

    func tinyNetwork(seed: UInt64) -> DiffusionUNet {
        var random = RandomGenerator(seed: seed)
        return DiffusionUNet(configuration: .init(widths: [4, 8, 8], conditionSize: 6, embeddingSize: 8, groupSize: 2, heads: 2), using: &random)
    }

    @Test("The U-Net: output shape, gradients against finite differences, and the prompt changes the output")
    func network() {
        let network = tinyNetwork(seed: 3)
        var random = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([2, 1, 8, 8], using: &random)
        let prompt = Tensor.randomNormal([2, 6], using: &random)
        let out = withoutGradients { network(x, steps: [5, 40], condition: prompt) }
        #expect(out.shape == [2, 1, 8, 8])
        let other = withoutGradients { network(x, steps: [5, 40], condition: prompt * -1) }
        #expect(maximumAbsoluteDifference(out, other) > 1e-4)
        checkGradients(of: { network($0[0], steps: [7], condition: $0[1]) },
                       at: [x.sliced(alongAxis: 0, from: 0, count: 1), prompt.sliced(alongAxis: 0, from: 0, count: 1)],
                       step: 1e-2, relativeTolerance: 3e-2, absoluteTolerance: 3e-3)
    }

    @Test("Gate sites: zeroed groups, heads and depth gates compute what the physically pruned network computes")
    func gateSites() {
        let network = tinyNetwork(seed: 5)
        var random = RandomGenerator(seed: 6)
        let x = Tensor.randomNormal([1, 1, 8, 8], using: &random)
        let prompt = Tensor.randomNormal([1, 6], using: &random)
        // Keep groups {1} of 2 in every 4-channel block, {0, 2} of 4 in 8-channel blocks; head 1 of 2;
        // block mid.1's depth gate off.
        let keptGroups = network.blocks.map { $0.innerChannels == 4 ? [1] : [0, 2] }
        let widthMasks: [Tensor?] = zip(network.blocks, keptGroups).map { block, kept in
            Tensor(shape: [1, block.innerChannels], scalars: (0..<block.innerChannels).map { kept.contains($0 / block.groupSize) ? 1 : 0 })
        }
        let depth: [Tensor?] = (0..<6).map { $0 == 3 ? Tensor([0]) : nil }
        let masks = DiffusionUNet.Masks(width: widthMasks, heads: Tensor(shape: [1, 2], scalars: [0, 1]), depth: depth)
        let gated = withoutGradients { network(x, steps: [9], condition: prompt, masks: masks) }
        let dense = withoutGradients { network(x, steps: [9], condition: prompt) }
        #expect(maximumAbsoluteDifference(gated, dense) > 1e-4, "the masks change the output")
        for (block, kept) in zip(network.blocks, keptGroups) { block.keepGroups(kept) }
        network.attention.keepHeads([1])
        let pruned = withoutGradients { network(x, steps: [9], condition: prompt, masks: .init(width: Array(repeating: nil, count: 6), heads: nil, depth: depth)) }
        #expect(maximumAbsoluteDifference(gated, pruned) < 1e-5)
        #expect(network.attention.headCount == 1 && network.blocks[1].norm2.groupCount == 2)
    }
}

private func maximumAbsoluteDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite("Diffusion: prompts and training")
struct DiffusionPromptTests {
    /// A bright, wide block or a dark, narrow one per image, all of class 7 (sneaker).
    func garments() -> ImageClassificationDataSet {
        var pixels: [Float] = []
        let specs: [(Float, Int)] = [(0.25, 4), (0.5, 8), (0.75, 12), (0.25, 12), (0.75, 4), (0.5, 6)]
        for (value, width) in specs {
            var image = [Float](repeating: 0, count: 16 * 16)
            for y in 4..<12 { for x in 0..<width { image[y * 16 + 2 + x] = value } }
            pixels += image
        }
        return ImageClassificationDataSet(images: Tensor(shape: [specs.count, 1, 16, 16], scalars: pixels), labels: Array(repeating: 7, count: specs.count), classCount: 10)
    }

    @Test("Prompts name the class and the attributes that stand out within the class")
    func prompts() {
        let data = garments()
        let thresholds = FashionPrompts.Thresholds(from: data)
        // Brightness values 0.25, 0.25, 0.5, 0.5, 0.75, 0.75 → terciles at indices 2 and 4: 0.5 and 0.75
        // (a value equal to a tercile is not named).
        #expect(thresholds.brightness[7] == [0.5, 0.75])
        #expect(thresholds.width[7] == [6, 12])
        let attributes = FashionPrompts.attributes(of: data, thresholds: thresholds)
        #expect(attributes.map(\.prompt) == ["a narrow dark sneaker", "a sneaker", "a sneaker", "a dark sneaker", "a narrow sneaker", "a sneaker"])
        #expect(attributes.map(\.attributeCount) == [2, 0, 0, 1, 1, 0])
        #expect(FashionPrompts.Attributes(label: 8, brightness: .bright, width: .wide).prompt == "a wide bright bag")
        #expect(FashionPrompts.Attributes(label: 9, brightness: .plain, width: .plain).prompt == "an ankle boot")
        #expect(FashionPrompts.Attributes(label: 9, brightness: .dark, width: .plain).prompt == "a dark ankle boot")
    }

    @Test("Training lowers the min-SNR v loss of a tiny U-Net on two images")
    func training() {
        var random = RandomGenerator(seed: 7)
        let model = DiffusionUNet(configuration: .init(widths: [4, 8, 8], conditionSize: 3, embeddingSize: 8, groupSize: 2, heads: 2), using: &random)
        let images = Tensor.randomUniform([2, 1, 8, 8], lower: -1, upper: 1, using: &random)
        let conditions = Tensor(shape: [2, 3], scalars: [1, 0, 0, 0, 1, 0])
        var recipe = DiffusionTraining(steps: 120)
        recipe.batchSize = 2
        recipe.warmupSteps = 10
        recipe.learningRate = 3e-3
        let losses = recipe.train(model, schedule: NoiseSchedule(kind: .cosine, steps: 100), images: images, conditions: conditions)
        let first = losses.prefix(20).reduce(0, +) / 20, last = losses.suffix(20).reduce(0, +) / 20
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(last < 0.8 * first, "loss \(first) → \(last)")
    }
}

@Suite(.enabled(if: (try? ModelFiles.miniLM()) != nil, "all-MiniLM-L6-v2 files not found"))
struct DiffusionPromptEmbeddingTests {
    @Test("MiniLM embeds prompts that share the class closer than prompts that share only the attributes")
    func embeddings() throws {
        let encoder = try SentenceEncoder.miniLM()
        let prompts = ["a dark sneaker", "a bright sneaker", "a dark dress"]
        let z = encoder.embed(prompts)
        func cosine(_ i: Int, _ j: Int) -> Float {
            let a = z.sliced(alongAxis: 0, from: i, count: 1).scalars, b = z.sliced(alongAxis: 0, from: j, count: 1).scalars
            let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            return dot / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
        }
        #expect(z.shape == [3, 384])
        #expect(cosine(0, 1) > cosine(0, 2), "\(cosine(0, 1)) vs \(cosine(0, 2))")
    }
}

@Suite("Diffusion: the shipped teacher")
struct ShippedDiffusionTests {
    @Test("The shipped diffusion teacher loads with a verified checksum and draws garments of the prompted class")
    func shipped() throws {
        let (model, schedule, summary) = try ShippedDiffusionModel.teacher()
        #expect(summary.stepsCompleted >= 1000 && summary.lossHistory.last! < summary.lossHistory.first!)
        guard (try? ModelFiles.miniLM()) != nil else { return }
        let encoder = try SentenceEncoder.miniLM()
        let classifier = try ShippedCheckpoints.resnet20FashionMNIST()
        var random = RandomGenerator(seed: 5)
        // Eight samples each of "a pair of trousers" and "a bag", 10 DDIM steps.
        let prompts = Array(repeating: "a pair of trousers", count: 8) + Array(repeating: "a bag", count: 8)
        let condition = encoder.embed(prompts)
        let samples = DDIMSampler(schedule: schedule, steps: 10).sample(from: Tensor.randomNormal([16, 1, 28, 28], using: &random)) { x, t in
            model(x, steps: Array(repeating: t, count: 16), condition: condition)
        }
        let logits = withoutGradients { classifier(FashionMNIST.normalization(((samples + 1) * 0.5).clamped(min: 0, max: 1))) }
        let labels = Array(repeating: 1, count: 8) + Array(repeating: 8, count: 8)
        // Chance is 10 %; a teacher that follows its prompts gets most of them.
        #expect(accuracy(logits: logits, labels: labels) >= 0.6, "prompted class recognized in \(accuracy(logits: logits, labels: labels)) of the samples")
    }
}
