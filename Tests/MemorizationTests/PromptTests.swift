import Foundation
import Memorization
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite("Prompts")
struct PromptTests {
    @Test("At initialization the dynamic soft prompt is the dynamic hard prompt, bit for bit")
    func identityInitialization() throws {
        let target = MemorizationTestModels.random()
        let prefixes = MemorizationTestModels.canaries(5).map(\.prefix)
        let generator = try DynamicSoftPromptGenerator(target: target, configuration: .init(length: 4))
        let hard = DynamicHardPrompt(length: 4)
        let soft = generator.embeddings(forPrefixes: prefixes, target: target)!
        let reference = hard.embeddings(forPrefixes: prefixes, target: target)!
        #expect(soft.shape == [5, 4, 16])
        #expect(soft.scalars.map(\.bitPattern) == reference.scalars.map(\.bitPattern))
        // So the two prompts extract the same suffixes with the same loss.
        let samples = MemorizationTestModels.canaries(5)
        let a = try ExtractionEvaluator().evaluate(target, prompt: generator, samples: samples)
        let b = try ExtractionEvaluator().evaluate(target, prompt: hard, samples: samples)
        #expect(a.generated == b.generated && a.metrics.suffixLoss == b.metrics.suffixLoss)
        // The generator's blocks are not trivial: their other weights are random.
        #expect(generator.blocks[0].attention.queryProjection.weight.value.scalars.contains { $0 != 0 })
        #expect(generator.blocks.allSatisfy { $0.attention.outputProjection.weight.value.scalars.allSatisfy { $0 == 0 } })
    }

    @Test("The constant soft prompt starts as the constant hard prompt of its tokens")
    func constantInitialization() {
        let target = MemorizationTestModels.random()
        let soft = ConstantSoftPrompt(initialTokens: [3, 1, 4], target: target)
        let hard = ConstantHardPrompt(tokens: [3, 1, 4])
        let prefixes = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]
        #expect(soft.embeddings(forPrefixes: prefixes, target: target)!.scalars == hard.embeddings(forPrefixes: prefixes, target: target)!.scalars)
        #expect(NoPrompt().embeddings(forPrefixes: prefixes, target: target) == nil)
    }

    @Test("The constant soft prompt's gradient through the frozen target matches finite differences")
    func constantSoftGradient() {
        let target = MemorizationTestModels.random(hidden: 8)
        target.freeze()
        let prompt = ConstantSoftPrompt(initialTokens: [7, 8, 9], target: target)
        let samples = Array(MemorizationTestModels.canaries(3))
        // Tolerances: relative 2e-2, absolute 2e-3 (float32 central differences, step 1e-2).
        checkGradients(of: { inputs in
            prompt.vectors.value = inputs[0]
            return ExtractionEvaluator.suffixLoss(target, prompt: prompt, samples: samples)
        }, at: [prompt.vectors.value])
    }

    @Test("The generator's gradient (its zero-initialized output projection) matches finite differences")
    func generatorGradient() throws {
        let target = MemorizationTestModels.random(hidden: 8)
        target.freeze()
        let generator = try DynamicSoftPromptGenerator(target: target, configuration: .init(length: 3, standardDeviation: 0.3))
        let samples = Array(MemorizationTestModels.canaries(2))
        let down = generator.blocks[1].mlp.downProjection.weight
        checkGradients(of: { inputs in
            down.value = inputs[0]
            return ExtractionEvaluator.suffixLoss(target, prompt: generator, samples: samples)
        }, at: [testTensor(down.shape, lower: -0.2, upper: 0.2)])
    }

    @Test("Training moves only the prompt: the target is bit-identical and still trainable afterwards")
    func gradientsReachOnlyTheGenerator() throws {
        let target = MemorizationTestModels.random()
        let before = target.stateDictionary().mapValues(\.scalars)
        let generator = try DynamicSoftPromptGenerator(target: target, configuration: .init(length: 4))
        let initial = generator.stateDictionary().mapValues(\.scalars)
        // No validation split: the last step is kept, so the trained weights are visible.
        let splits = try ExtractionSplits(samples: MemorizationTestModels.canaries(24), validationCount: 0, testCount: 4)
        let trainLoss = try ExtractionEvaluator().evaluate(target, prompt: generator, samples: splits.train).metrics.suffixLoss
        let report = try PromptTraining(configuration: .init(steps: 6, batchSize: 4, learningRate: 1e-2, embeddingLearningRate: 1e-2))
            .train(generator, target: target, splits: splits)
        #expect(target.stateDictionary().mapValues(\.scalars) == before)
        #expect(target.trainableParameters().count == target.namedParameters().count, "the target's frozen flags are restored")
        let after = generator.stateDictionary()
        for name in ["layers.0.self_attn.o_proj.weight", "layers.1.mlp.down_proj.weight", "embed_tokens.weight"] {
            #expect(after[name]!.scalars != initial[name]!, "\(name) did not train")
        }
        #expect(report.stepLosses.count == 6 && report.evaluations.isEmpty && report.selectedStep == 6)
        #expect(try ExtractionEvaluator().evaluate(target, prompt: generator, samples: splits.train).metrics.suffixLoss < trainLoss)
    }

    @Test("The step kept is the one with the lowest validation loss, and the prompt holds it")
    func selection() throws {
        let target = MemorizationTestModels.random()
        let prompt = ConstantSoftPrompt(initialTokens: [1, 2, 3], target: target)
        let splits = try ExtractionSplits(samples: MemorizationTestModels.canaries(24), validationCount: 4, testCount: 4)
        var snapshots: [Int: [Float]] = [:]
        let report = try PromptTraining(configuration: .init(steps: 6, batchSize: 4, embeddingLearningRate: 0.2, evaluationInterval: 3))
            .train(prompt, target: target, splits: splits) { step, _, evaluation in
                if evaluation != nil { snapshots[step] = prompt.vectors.value.scalars }
            }
        #expect(report.evaluations.map(\.step) == [0, 3, 6])
        #expect(report.evaluations.allSatisfy { $0.exactRate != nil })
        let best = report.evaluations.min { $0.loss < $1.loss }!
        #expect(report.selectedStep == best.step)
        #expect(prompt.vectors.value.scalars == snapshots[best.step])
    }

    @Test("Freezing the copied embedding leaves it out of training")
    func frozenEmbedding() throws {
        let target = MemorizationTestModels.random()
        let generator = try DynamicSoftPromptGenerator(target: target, configuration: .init(length: 2, freezesEmbedding: true))
        #expect(generator.embeddingParameters.isEmpty)
        #expect(!generator.trainableParameters().contains { $0 === generator.embedding.weight })
        let table = generator.embedding.weight.value.scalars
        let splits = try ExtractionSplits(samples: MemorizationTestModels.canaries(12), validationCount: 2, testCount: 2)
        try PromptTraining(configuration: .init(steps: 2, batchSize: 2, embeddingLearningRate: 1)).train(generator, target: target, splits: splits)
        #expect(generator.embedding.weight.value.scalars == table)
    }

    @Test("The constant-input ablation gives one prompt for every prefix")
    func constantInput() throws {
        let target = MemorizationTestModels.random()
        let generator = try DynamicSoftPromptGenerator(target: target, configuration: .init(length: 3, constantInput: true))
        let prompt = generator.embeddings(forPrefixes: [[1, 2, 3, 4], [9, 8, 7, 6]], target: target)!
        #expect(prompt.sliced(alongAxis: 0, from: 0, count: 1).scalars == prompt.sliced(alongAxis: 0, from: 1, count: 1).scalars)
        #expect(generator.methodName == "dynamic-soft-constant-input")
    }

    @Test("Bad configurations are refused with the field named")
    func badConfigurations() {
        let target = MemorizationTestModels.random()
        for (configuration, field) in [
            (DynamicSoftPromptConfiguration(length: 0), "length"), (.init(blockCount: 0), "blockCount"),
            (.init(blockCount: 2, readoutBlockCount: 3), "readoutBlockCount"), (.init(standardDeviation: .nan), "standardDeviation"),
        ] {
            do {
                _ = try DynamicSoftPromptGenerator(target: target, configuration: configuration)
                Issue.record("\(configuration) was accepted")
            } catch {
                if case let .invalidConfiguration(found, _) = error { #expect(found == field) } else { Issue.record("\(error)") }
            }
        }
        #expect(throws: MemorizationError.self) { try PromptTrainingConfiguration(steps: -1).validate() }
        #expect(throws: MemorizationError.self) { try PromptTrainingConfiguration(learningRate: .infinity).validate() }
        #expect(throws: MemorizationError.self) { try PromptTrainingConfiguration(gradientClipNorm: 0).validate() }
    }

    @Test("Checkpoints round-trip and refuse another method's or shape's file")
    func checkpoints() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memorization-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = MemorizationTestModels.random()
        let prompt = ConstantSoftPrompt(initialTokens: [1, 2, 3], target: target)
        prompt.vectors.value = testTensor([3, 16])
        let url = folder.appendingPathComponent("prompt.safetensors")
        try PromptCheckpoint.save(prompt, to: url, metadata: ["note": "x"])
        let restored = ConstantSoftPrompt(initialTokens: [4, 5, 6], target: target)
        let metadata = try PromptCheckpoint.load(into: restored, from: url)
        #expect(restored.vectors.value.scalars == prompt.vectors.value.scalars && metadata["note"] == "x")
        #expect(throws: MemorizationError.self) { try PromptCheckpoint.load(into: ConstantSoftPrompt(initialTokens: [1, 2], target: target), from: url) }
        let generator = try DynamicSoftPromptGenerator(target: target, configuration: .init(length: 3))
        #expect(throws: MemorizationError.self) { try PromptCheckpoint.load(into: generator, from: url) }
    }
}
