import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore
import Testing

@Suite struct LowRankPersistenceTests {
    let calibration = randomSequences(count: 4, length: 12)
    let evaluation = randomSequences(count: 2, length: 10, seed: 11)

    /// A fresh empty directory under the temporary directory.
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lowrank-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A model whose projections alternate between the dense source weights and the factors of
    /// a 30 % truncated SVD (the compression itself factorizes every projection at any ratio
    /// above zero), with an untied LM head.
    func mixedModel() throws -> LowRankLlamaModel {
        var configuration = tinyConfiguration()
        configuration.tiedEmbeddings = false
        let source = try tinyModel(configuration)
        let (dense, _) = try TruncatedSVDCompression(compressionRatio: 0, weighting: .plain).compress(source, calibration: calibration)
        let (factorized, _) = try TruncatedSVDCompression(compressionRatio: 0.3, weighting: .plain)
            .compress(source, calibration: calibration)
        let layers = zip(dense.layers, factorized.layers).enumerated().map { index, pair in
            func pick(_ projection: KeyPath<LowRankLlamaLayer, LowRankLinear>, _ slot: Int) -> LowRankLinear {
                let chosen = (slot + index) % 2 == 0 ? pair.0[keyPath: projection] : pair.1[keyPath: projection]
                if let weight = chosen.weight { return LowRankLinear(weight: weight.value) }
                return LowRankLinear(outputFactor: chosen.outputFactor!.value, inputFactor: chosen.inputFactor!.value)
            }
            return LowRankLlamaLayer(
                query: pick(\.query, 0), key: pick(\.key, 1), value: pick(\.value, 2), output: pick(\.output, 3),
                gate: pick(\.gate, 4), up: pick(\.up, 5), down: pick(\.down, 6), inputNorm: pair.1.inputNorm,
                postAttentionNorm: pair.1.postAttentionNorm, headCount: pair.1.headCount,
                keyValueHeadCount: pair.1.keyValueHeadCount)
        }
        return LowRankLlamaModel(source: source, layers: layers)
    }

    /// Saves `model`, reloads it, and checks structure, parameters and logits are identical.
    func expectRoundTrip(_ model: LowRankLlamaModel, _ label: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.save(toDirectory: directory)
        for url in [directory, directory.appendingPathComponent(LowRankLlamaModel.weightsFileName)] {
            let loaded = try LowRankLlamaModel.load(from: url)
            #expect(loaded.architecture == model.architecture, "\(label)")
            #expect(loaded.parameterCount == model.parameterCount, "\(label)")
            #expect(loaded.blockParameterCount == model.blockParameterCount, "\(label)")
            let original = model.stateDictionary()
            let reloaded = loaded.stateDictionary()
            #expect(Set(original.keys) == Set(reloaded.keys), "\(label)")
            for (name, value) in original { #expect(reloaded[name]?.scalars == value.scalars, "\(label): \(name)") }
            let expected = withoutGradients { model.logits(for: evaluation) }
            let actual = withoutGradients { loaded.logits(for: evaluation) }
            #expect(actual.shape == expected.shape && actual.scalars == expected.scalars, "\(label): logits differ")
        }
        let json = try Data(contentsOf: directory.appendingPathComponent(LowRankLlamaModel.architectureFileName))
        #expect(try LowRankLlamaArchitecture.decode(json, source: "test") == model.architecture)
    }

    @Test("truncated-SVD models (both weightings, 0 % and 30 %) reload with bit-identical logits")
    func compressedRoundTrip() throws {
        let source = try tinyModel()
        for weighting in [TruncatedSVDCompression.Weighting.plain, .activationAware] {
            let results = try TruncatedSVDCompression.compress(
                source, calibration: calibration,
                variants: [0, 0.3].map { TruncatedSVDCompression(compressionRatio: $0, weighting: weighting) })
            #expect(results[0].0.layers.allSatisfy { $0.query.rank == nil && $0.down.rank == nil })
            #expect(results[1].0.layers.allSatisfy { $0.query.rank != nil && $0.down.rank != nil })
            for (model, report) in results {
                try expectRoundTrip(model, "\(weighting) at \(report.targetCompressionRatio)")
            }
        }
    }

    @Test("a model mixing dense and factorized projections, untied head, reloads exactly")
    func mixedRoundTrip() throws {
        let model = try mixedModel()
        let ranks = model.layers.flatMap { [$0.query, $0.key, $0.value, $0.output, $0.gate, $0.up, $0.down].map(\.rank) }
        #expect(ranks.contains(nil) && ranks.contains { $0 != nil })
        #expect(model.languageModelHead != nil)
        try expectRoundTrip(model, "mixed")
        let architecture = model.architecture
        #expect(architecture.layers[0].projections["self_attn.q_proj"]?.rank == nil)
        #expect(architecture.layers[0].projections["self_attn.k_proj"]?.rank == model.layers[0].key.rank)
    }

    /// Writes the weights of `model` with `tensors` edited and `metadata` (nil: the model's own
    /// architecture) to a fresh directory, and returns the weights file.
    func writeEdited(
        _ model: LowRankLlamaModel, metadata: String? = nil, edit: (inout [String: Tensor]) -> Void = { _ in }
    ) throws -> URL {
        let directory = try temporaryDirectory()
        var tensors = model.stateDictionary()
        edit(&tensors)
        let json = try metadata ?? String(decoding: model.architecture.jsonData(), as: UTF8.self)
        let url = directory.appendingPathComponent(LowRankLlamaModel.weightsFileName)
        try SafeTensors.write(tensors, metadata: [LowRankLlamaModel.architectureMetadataKey: json], to: url)
        return url
    }

    @Test("a missing, mis-shaped or unexpected tensor throws an error naming file and tensor")
    func tensorErrors() throws {
        let model = try mixedModel()
        let factor = "model.layers.0.self_attn.k_proj.input_factor"
        #expect(model.stateDictionary()[factor] != nil)

        let missing = try writeEdited(model) { $0[factor] = nil }
        defer { try? FileManager.default.removeItem(at: missing.deletingLastPathComponent()) }
        #expect(throws: FormatError.tensorNotFound(file: missing.path, tensor: factor)) {
            try LowRankLlamaModel.load(from: missing)
        }

        let reshaped = try writeEdited(model) { $0[factor] = .zeros([$0[factor]!.shape[0] + 1, 32]) }
        defer { try? FileManager.default.removeItem(at: reshaped.deletingLastPathComponent()) }
        let rank = model.layers[0].key.rank!
        #expect(throws: LowRankModelFileError.shapeMismatch(file: reshaped.path, tensor: factor, expected: [rank, 32], found: [rank + 1, 32])) {
            try LowRankLlamaModel.load(from: reshaped)
        }

        let extra = try writeEdited(model) { $0["model.layers.0.self_attn.q_proj.input_factor"] = .zeros([2, 32]) }
        defer { try? FileManager.default.removeItem(at: extra.deletingLastPathComponent()) }
        #expect(throws: LowRankModelFileError.unexpectedTensor(file: extra.path, tensor: "model.layers.0.self_attn.q_proj.input_factor")) {
            try LowRankLlamaModel.load(from: extra)
        }

        // The description claims a dense k_proj while the file holds its factors.
        var edited = model.architecture
        edited.layers[0].projections["self_attn.k_proj"]?.rank = nil
        let denseClaim = try writeEdited(model, metadata: String(decoding: try edited.jsonData(), as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: denseClaim.deletingLastPathComponent()) }
        #expect(throws: FormatError.tensorNotFound(file: denseClaim.path, tensor: "model.layers.0.self_attn.k_proj.weight")) {
            try LowRankLlamaModel.load(from: denseClaim)
        }
    }

    @Test("truncated, inconsistent or absent descriptions and damaged files throw, naming the field")
    func descriptionErrors() throws {
        let model = try mixedModel()
        let json = String(decoding: try model.architecture.jsonData(), as: UTF8.self)

        let truncated = try writeEdited(model, metadata: String(json.prefix(json.count / 2)))
        defer { try? FileManager.default.removeItem(at: truncated.deletingLastPathComponent()) }
        let error = try #require(throws: LowRankModelFileError.self) { try LowRankLlamaModel.load(from: truncated) }
        guard case .invalidDescription(let file, _, _) = error else { Issue.record("\(error)"); return }
        #expect(file == truncated.path + " (metadata)")

        var wrongRank = model.architecture
        wrongRank.layers[1].projections["mlp.up_proj"]?.rank = 0
        let badRank = try writeEdited(model, metadata: String(decoding: try wrongRank.jsonData(), as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: badRank.deletingLastPathComponent()) }
        #expect(throws: LowRankModelFileError.invalidDescription(
            file: badRank.path + " (metadata)", field: "layers[1].projections.mlp.up_proj.rank", reason: "0 must be positive or null")) {
            try LowRankLlamaModel.load(from: badRank)
        }

        var wrongWidth = model.architecture
        wrongWidth.layers[0].projections["mlp.down_proj"]?.inputCount = 40
        #expect(throws: LowRankModelFileError.invalidDescription(
            file: "x", field: "layers[0].projections.mlp.down_proj.in_features", reason: "40 differs from gate_proj's 48")) {
            try wrongWidth.validate(source: "x")
        }
        var missingLayer = model.architecture
        missingLayer.layers.removeLast()
        #expect(throws: LowRankModelFileError.self) { try missingLayer.validate(source: "x") }

        let noKey = Data(json.replacingOccurrences(of: "\"head_count\"", with: "\"heads\"").utf8)
        let missingField = try #require(throws: LowRankModelFileError.self) {
            try LowRankLlamaArchitecture.decode(noKey, source: "x")
        }
        #expect(missingField == .invalidDescription(file: "x", field: "layers[0].head_count", reason: "missing"))

        // Without metadata, the JSON file beside the weights is read; truncated, it throws naming it.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent(LowRankLlamaModel.weightsFileName)
        let beside = directory.appendingPathComponent(LowRankLlamaModel.architectureFileName)
        try SafeTensors.write(model.stateDictionary(), to: weights)
        #expect(throws: LowRankModelFileError.missingDescription(file: weights.path, descriptionFile: beside.path)) {
            try LowRankLlamaModel.load(from: directory)
        }
        try Data(json.prefix(200).utf8).write(to: beside)
        let besideError = try #require(throws: LowRankModelFileError.self) { try LowRankLlamaModel.load(from: directory) }
        guard case .invalidDescription(let besideFile, _, _) = besideError else { Issue.record("\(besideError)"); return }
        #expect(besideFile == beside.path)
        try Data(json.utf8).write(to: beside)
        let loaded = try LowRankLlamaModel.load(from: directory)
        #expect(loaded.architecture == model.architecture)

        // A weights file cut short and a missing directory throw format errors.
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 5).write(to: weights)
        #expect(throws: FormatError.self) { try LowRankLlamaModel.load(from: directory) }
        let nowhere = directory.appendingPathComponent("absent")
        #expect(throws: FormatError.fileNotFound(file: nowhere.path)) { try LowRankLlamaModel.load(from: nowhere) }
    }
}
