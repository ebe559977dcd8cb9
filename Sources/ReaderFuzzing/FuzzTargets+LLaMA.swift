import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore

extension FuzzTargets {
    /// A tiny LLaMA configuration for seeds.
    static func tinyConfiguration(vocabularySize: Int = 64, tied: Bool = false) -> LlamaConfiguration {
        LlamaConfiguration(
            vocabularySize: vocabularySize, hiddenSize: 32, layerCount: 2, headCount: 4, keyValueHeadCount: 2, headDimension: 8,
            intermediateSize: 64, rmsNormEpsilon: 1e-5, ropeTheta: 10_000, ropePairing: .halves, tiedEmbeddings: tied,
            maxPositions: 32, bosTokenID: 1, eosTokenID: 2)
    }

    /// A tiny dense model with random weights.
    static func tinyDenseModel() throws -> LlamaModel {
        let configuration = tinyConfiguration()
        var random = RandomGenerator(seed: 5)
        var weights: [String: Tensor] = [:]
        for (name, shape) in configuration.parameterShapes() {
            weights[name] = shape.count == 1
                ? Tensor.randomUniform(shape, lower: 0.5, upper: 1.5, using: &random)
                : Tensor.randomNormal(shape, standardDeviation: 0.3, using: &random)
        }
        return try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
    }

    /// The tiny model pruned unevenly, so that its configuration has per-layer widths.
    static func tinyPrunedModel() throws -> LlamaModel {
        try tinyDenseModel().selecting([
            LlamaLayerSelection(intermediateIndices: Array(stride(from: 0, to: 64, by: 2)), rotaryPairs: [[0, 3, 1], [2, 1, 3]]),
            LlamaLayerSelection(intermediateIndices: Array(0..<40), rotaryPairs: [[1, 2]]),
        ])
    }

    /// `config.json` of a pruned LLaMA with per-layer widths.
    static func llamaConfiguration() throws -> FuzzTarget {
        let json = String(decoding: try tinyPrunedModel().configuration.jsonData(), as: UTF8.self)
        return FuzzTarget(name: "llama-config", seeds: [FuzzSeed(label: "pruned", files: [.json(name: "config.json", text: json)])]) { folder in
            _ = try LlamaConfiguration.load(from: folder.appendingPathComponent("config.json"))
        }
    }

    /// A saved LLaMA model folder, with the configuration in the weights' metadata or only in
    /// `config.json`.
    static func llamaDirectory() throws -> FuzzTarget {
        let model = try tinyPrunedModel()
        let saved = try FuzzScratch.files { try model.save(toDirectory: $0) }
        let bare = try FuzzScratch.files { folder in
            try SafeTensors.write(model.stateDictionary(), to: folder.appendingPathComponent(LlamaModel.weightsFileName))
            try model.configuration.write(to: folder.appendingPathComponent(LlamaModel.configurationFileName))
        }
        func seed(_ label: String, _ files: [String: [UInt8]]) -> FuzzSeed {
            FuzzSeed(label: label, files: [
                FuzzScratch.safeTensorsSeed(name: LlamaModel.weightsFileName, bytes: files[LlamaModel.weightsFileName]!),
                .json(name: LlamaModel.configurationFileName, text: String(decoding: files[LlamaModel.configurationFileName]!, as: UTF8.self)),
            ])
        }
        return FuzzTarget(name: "llama-directory", seeds: [seed("self-describing", saved), seed("config-json", bare)]) { folder in
            _ = try LlamaModel.load(from: folder)
        }
    }

    /// A saved low-rank (MoDeGPT/SVD) model folder.
    static func lowRankDirectory() throws -> FuzzTarget {
        var configuration = tinyConfiguration()
        configuration.tiedEmbeddings = false
        var random = RandomGenerator(seed: 9)
        var weights: [String: Tensor] = [:]
        for (name, shape) in configuration.parameterShapes() {
            weights[name] = shape.count == 1 ? Tensor.ones(shape) : Tensor.randomNormal(shape, standardDeviation: 0.3, using: &random)
        }
        let source = try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        let calibration = (0..<2).map { _ in (0..<8).map { _ in random.nextInt(below: 64) } }
        let (compressed, _) = try TruncatedSVDCompression(compressionRatio: 0.4, weighting: .plain).compress(source, calibration: calibration)
        let saved = try FuzzScratch.files { try compressed.save(toDirectory: $0) }
        let seed = FuzzSeed(label: "svd", files: [
            FuzzScratch.safeTensorsSeed(name: LowRankLlamaModel.weightsFileName, bytes: saved[LowRankLlamaModel.weightsFileName]!),
            .json(name: LowRankLlamaModel.architectureFileName, text: String(decoding: saved[LowRankLlamaModel.architectureFileName]!, as: UTF8.self)),
        ])
        return FuzzTarget(name: "low-rank-directory", seeds: [seed]) { folder in
            _ = try LowRankLlamaModel.load(from: folder)
        }
    }
}
