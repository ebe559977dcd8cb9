import ExampleSupport
import Foundation
import ModelZoo
import PruningCore

/// What is written next to the diffusion teacher's weights.
struct DiffusionSummary: Codable {
    var model: String
    var architecture: DiffusionUNet.Configuration
    var parameterCount: Int
    var schedule: NoiseSchedule.Kind
    var scheduleSteps: Int
    var steps: Int
    var stepsCompleted: Int
    var batchSize: Int
    var learningRate: Float
    var trainingImages: Int
    var promptCount: Int
    var promptEncoder: String
    var thresholds: FashionPrompts.Thresholds
    var seed: UInt64
    /// The mean loss of every 100 updates.
    var lossHistory: [Double]
    var seconds: Double
}

/// `train-baselines --model diffusion`: the text-conditioned diffusion U-Net on Fashion-MNIST
/// with prompts from the class and its attributes, encoded by all-MiniLM-L6-v2.
struct DiffusionTeacherRun {
    var training: ImageClassificationDataSet
    var steps: Int
    var batchSize: Int
    var learningRate: Float
    var logInterval: Int
    var output: URL
    var seed: UInt64

    func run() throws {
        let began = ContinuousClock.now
        let images = training.images * 2 - 1
        let thresholds = FashionPrompts.Thresholds(from: training)
        let attributes = FashionPrompts.attributes(of: training, thresholds: thresholds)
        let prompts = attributes.map(\.prompt)
        let unique = Array(Set(prompts)).sorted()
        let encoder = try SentenceEncoder.miniLM()
        let embeddings = encoder.embed(unique)
        let row = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($0.element, $0.offset) })
        let conditions = embeddings.indexSelect(prompts.map { row[$0]! }, alongAxis: 0)
        writeLine("diffusion: \(training.count) images, \(unique.count) distinct prompts (e.g. \(unique.prefix(3).joined(separator: "; "))), \(steps) updates at batch \(batchSize)")

        var random = RandomGenerator(seed: seed)
        let configuration = DiffusionUNet.Configuration()
        let model = DiffusionUNet(configuration: configuration, using: &random)
        let schedule = NoiseSchedule(kind: .cosine, steps: 1000)
        var recipe = DiffusionTraining(steps: steps)
        recipe.batchSize = batchSize
        recipe.learningRate = learningRate
        recipe.seed = seed
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let weights = output.appendingPathComponent("diffusion-fashion-mnist.safetensors")
        var window: [Double] = []
        var history: [Double] = []
        func summary(_ completed: Int) -> DiffusionSummary {
            DiffusionSummary(
                model: "diffusion", architecture: configuration, parameterCount: model.parameterCount, schedule: schedule.kind,
                scheduleSteps: schedule.steps, steps: steps, stepsCompleted: completed, batchSize: batchSize, learningRate: learningRate,
                trainingImages: training.count, promptCount: unique.count, promptEncoder: "all-MiniLM-L6-v2", thresholds: thresholds,
                seed: seed, lossHistory: history, seconds: (ContinuousClock.now - began) / .seconds(1))
        }
        func save(_ completed: Int) throws {
            let transaction = FileTransaction()
            try transaction.writeSafeTensors(model.stateDictionary(), metadata: ["model": "diffusion", "step": "\(completed)"], to: weights)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try transaction.write(encoder.encode(summary(completed)), to: output.appendingPathComponent("diffusion-fashion-mnist.json"))
            try transaction.commit()
        }
        var failure: Error?
        recipe.train(model, schedule: schedule, images: images, conditions: conditions) { step, loss in
            window.append(loss)
            if window.count == 100 {
                history.append(window.reduce(0, +) / 100)
                window.removeAll()
            }
            if logInterval > 0 && step % logInterval == 0 {
                let seconds = (ContinuousClock.now - began) / .seconds(1)
                writeLine(String(format: "  step %d/%d: loss %.4f (last 100: %.4f)  [%.0f s, ETA %.0f s]", step, steps, loss,
                                 history.last ?? loss, seconds, seconds / Double(step) * Double(steps - step)))
            }
            if step % 1000 == 0 && failure == nil {
                do { try save(step) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        model.eval()
        try save(steps)
        // Samples for a look: one row per prompt, DDIM with 50 steps.
        let shown = ["a sneaker", "a dark sneaker", "a wide bright bag", "a pair of trousers", "a narrow dress", "a bright ankle boot"]
        let sampler = DDIMSampler(schedule: schedule, steps: 50)
        var rows: [[PNGImage]] = []
        for prompt in shown {
            let condition = encoder.embed([prompt])
            let batch = Tensor.concatenate(Array(repeating: condition, count: 8), alongAxis: 0)
            let samples = sampler.sample(from: Tensor.randomNormal([8, 1, 28, 28], using: &random)) { x, t in
                model(x, steps: Array(repeating: t, count: 8), condition: batch)
            }
            rows.append(try (0..<8).map { i in
                try PNGImage(grayscale: samples.sliced(alongAxis: 0, from: i, count: 1).scalars, width: 28, height: 28, range: -1...1)
            })
        }
        try PNGImage.grid(rows).write(to: output.appendingPathComponent("diffusion-fashion-mnist-samples.png"))
        writeLine(String(format: "wrote %@ (and samples for: %@) in %.0f s", weights.path, shown.joined(separator: "; "),
                         (ContinuousClock.now - began) / .seconds(1)))
    }
}
