import Foundation
import Memorization
import ModelZoo
import PruningCore
import StructuralPruning

extension FuzzTargets {
    /// A channel-pruned ResNet saved with its architecture file.
    static func prunedCNNDirectory() throws -> FuzzTarget {
        let configuration = ResNet.Configuration(inputChannels: 1, classCount: 4, stageWidths: [4, 8], blocksPerStage: [1, 1], stem: .cifar)
        var random = RandomGenerator(seed: 31)
        let model = ResNet(configuration: configuration, using: &random)
        let groups = model.prunableGroups
        try model.pruneGroup(groups[0].name, keeping: [0, 2, 3])
        try model.pruneGroup(groups[groups.count - 1].name, keeping: [1, 4, 6])
        let saved = try FuzzScratch.files { try ChannelMaskExport.save(model, base: configuration, to: $0) }
        let seed = FuzzSeed(label: "resnet", files: [
            FuzzScratch.safeTensorsSeed(name: ChannelMaskExport.weightsFileName, bytes: saved[ChannelMaskExport.weightsFileName]!),
            .json(name: ChannelMaskExport.architectureFileName, text: String(decoding: saved[ChannelMaskExport.architectureFileName]!, as: UTF8.self)),
        ])
        return FuzzTarget(name: "pruned-cnn-directory", seeds: [seed]) { folder in
            let _: ResNet = try ChannelMaskExport.load(from: folder) { (base: ResNet.Configuration) in
                var generator = RandomGenerator(seed: 0)
                return ResNet(configuration: base, using: &generator)
            }
        }
    }

    /// A DISP-LLM training checkpoint (the hypernetwork's weights and the step history), loaded
    /// into a pruner with the same settings.
    static func dispLLMCheckpoint() throws -> FuzzTarget {
        let dense = try tinyDenseModel()
        let pruner = try DISPLLMPruner(model: dense, configuration: DISPLLMConfiguration(keptFraction: 0.5))
        let saved = try FuzzScratch.files { try pruner.saveCheckpoint(to: $0.appendingPathComponent("controller.safetensors")) }
        let seed = FuzzSeed(label: "fresh", files: [FuzzScratch.safeTensorsSeed(name: "controller.safetensors", bytes: saved["controller.safetensors"]!)])
        return FuzzTarget(name: "displlm-checkpoint", seeds: [seed]) { folder in
            let fresh = try DISPLLMPruner(model: dense, configuration: DISPLLMConfiguration(keptFraction: 0.5))
            try fresh.loadCheckpoint(from: folder.appendingPathComponent("controller.safetensors"))
        }
    }

    /// A trained soft prompt's checkpoint, loaded into a prompt for a tiny target.
    static func promptCheckpoint() throws -> FuzzTarget {
        let target = try tinyPrunedModel()
        let prompt = ConstantSoftPrompt(initialTokens: [3, 4, 5, 6], target: target)
        let saved = try FuzzScratch.files { try PromptCheckpoint.save(prompt, to: $0.appendingPathComponent("prompt.safetensors"), metadata: ["steps": "10"]) }
        let seed = FuzzSeed(label: "constant-soft", files: [FuzzScratch.safeTensorsSeed(name: "prompt.safetensors", bytes: saved["prompt.safetensors"]!)])
        return FuzzTarget(name: "prompt-checkpoint", seeds: [seed]) { folder in
            let fresh = ConstantSoftPrompt(initialTokens: [3, 4, 5, 6], target: target)
            try PromptCheckpoint.load(into: fresh, from: folder.appendingPathComponent("prompt.safetensors"))
        }
    }
}

extension FuzzTargets {
    /// A folder of image-to-image teachers (summary JSON, generator and discriminator weights,
    /// checksum manifest), loaded as `gan-compression --teachers` loads it.
    static func translationTeachers() throws -> FuzzTarget {
        var random = RandomGenerator(seed: 41)
        let generator = UNetGenerator(configuration: .init(inputChannels: 1, outputChannels: 1, baseWidth: 2, levels: 2), using: &random)
        let discriminator = PatchDiscriminator(configuration: .init(inputChannels: 2, baseWidth: 2, stridedLayers: 1), using: &random)
        let task = ShippedTranslationModels.Task.fashionEdges
        let saved = try FuzzScratch.files { folder in
            try ShippedTranslationModels.write([(task.rawValue, generator, discriminator, .init(
                generator: generator.configuration, discriminator: discriminator.configuration, recipe: "fuzz seed", metrics: ["meanAbsoluteError": 0.5]))],
                to: folder)
        }
        var files: [FuzzSeedFile] = []
        for (name, bytes) in saved.sorted(by: { $0.key < $1.key }) {
            files.append(name.hasSuffix(".safetensors") ? FuzzScratch.safeTensorsSeed(name: name, bytes: bytes)
                                                        : .json(name: name, text: String(decoding: bytes, as: UTF8.self)))
        }
        return FuzzTarget(name: "translation-teachers", seeds: [FuzzSeed(label: "unet", files: files)]) { folder in
            _ = try ShippedTranslationModels.teacher(task, from: folder)
        }
    }
}

extension FuzzTargets {
    /// A folder holding a diffusion teacher (weights, summary, checksum manifest), loaded as the
    /// shipped one is.
    static func diffusionTeacher() throws -> FuzzTarget {
        var random = RandomGenerator(seed: 43)
        let configuration = DiffusionUNet.Configuration(widths: [2, 4, 4], conditionSize: 3, embeddingSize: 4, groupSize: 2, heads: 2)
        let model = DiffusionUNet(configuration: configuration, using: &random)
        let summary = ShippedDiffusionModel.Summary(
            architecture: configuration, schedule: .cosine, scheduleSteps: 10,
            thresholds: FashionPrompts.Thresholds(from: ImageClassificationDataSet(images: Tensor.zeros([1, 1, 4, 4]), labels: [0], classCount: 10)),
            stepsCompleted: 1, lossHistory: [0.5])
        let saved = try FuzzScratch.files { folder in
            let weights = folder.appendingPathComponent(ShippedDiffusionModel.weightsName)
            try model.save(to: weights)
            try AtomicFile.write(JSONEncoder().encode(summary), to: folder.appendingPathComponent(ShippedDiffusionModel.summaryName))
            let manifest = [ShippedTranslationModels.ManifestEntry(file: ShippedDiffusionModel.weightsName, sha256: try SHA256.hexDigest(ofFile: weights))]
            try AtomicFile.write(JSONEncoder().encode(manifest), to: folder.appendingPathComponent(ShippedDiffusionModel.manifestName))
        }
        let files: [FuzzSeedFile] = saved.sorted(by: { $0.key < $1.key }).map { name, bytes in
            name.hasSuffix(".safetensors") ? FuzzScratch.safeTensorsSeed(name: name, bytes: bytes)
                                           : .json(name: name, text: String(decoding: bytes, as: UTF8.self))
        }
        return FuzzTarget(name: "diffusion-teacher", seeds: [FuzzSeed(label: "unet", files: files)]) { folder in
            _ = try ShippedDiffusionModel.teacher(from: folder)
        }
    }

    /// A pruned diffusion U-Net folder (weights and architecture with the pruned shape), loaded
    /// with `DiffusionUNet.load(fromDirectory:)`.
    static func diffusionExpert() throws -> FuzzTarget {
        var random = RandomGenerator(seed: 44)
        let model = DiffusionUNet(configuration: Self.smallDiffusionConfiguration, using: &random)
        try model.prune(keptGroups: [[0], [1], [], [0, 1], [0], [1]], keptHeads: [1])
        let saved = try FuzzScratch.files { folder in try model.save(toDirectory: folder) }
        return FuzzTarget(name: "diffusion-expert", seeds: [FuzzSeed(label: "pruned", files: Self.seedFiles(saved))]) { folder in
            _ = try DiffusionUNet.load(fromDirectory: folder)
        }
    }

    /// A saved APTP router (predictor and codes with their layout), loaded with
    /// `PromptRouter.load(fromDirectory:)`.
    static func aptpRouter() throws -> FuzzTarget {
        var random = RandomGenerator(seed: 45)
        let network = DiffusionUNet(configuration: Self.smallDiffusionConfiguration, using: &random)
        let router = try PromptRouter(space: try DiffusionArchitectureSpace(network: network), codeCount: 2, conditionSize: 3, using: &random)
        let saved = try FuzzScratch.files { folder in try router.save(toDirectory: folder, network: network.configuration) }
        return FuzzTarget(name: "aptp-router", seeds: [FuzzSeed(label: "router", files: Self.seedFiles(saved))]) { folder in
            _ = try PromptRouter.load(fromDirectory: folder)
        }
    }

    private static let smallDiffusionConfiguration = DiffusionUNet.Configuration(widths: [4, 4, 4], conditionSize: 3, embeddingSize: 4, groupSize: 2, heads: 2)

    private static func seedFiles(_ saved: [String: [UInt8]]) -> [FuzzSeedFile] {
        saved.sorted(by: { $0.key < $1.key }).map { name, bytes in
            name.hasSuffix(".safetensors") ? FuzzScratch.safeTensorsSeed(name: name, bytes: bytes)
                                           : .json(name: name, text: String(decoding: bytes, as: UTF8.self))
        }
    }
}
