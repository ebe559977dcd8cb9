import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore
import Testing

@Suite struct MoDeGPTTests {
    let calibration = randomSequences(count: 6, length: 16)
    let evaluation = randomSequences(count: 2, length: 12, seed: 11)

    func compress(
        _ model: LlamaModel, ratio: Double, modules: MoDeGPTModules = .all,
        allocation: MoDeGPTConfiguration.Allocation = .blockInfluence(temperature: 0.15),
        source: MoDeGPTConfiguration.StatisticsSource = .denseModel
    ) throws -> (LlamaModel, CompressionReport) {
        let configuration = MoDeGPTConfiguration(
            compressionRatio: ratio, modules: modules, allocation: allocation, statisticsSource: source, batchSize: 4)
        return try MoDeGPT(configuration: configuration).compress(model, calibration: calibration)
    }

    @Test("0 % compression returns a model with identical logits")
    func zeroCompressionIsIdentity() throws {
        let model = try tinyModel()
        let (compressed, report) = try compress(model, ratio: 0)
        #expect(maximumDifference(logits(model, evaluation), logits(compressed, evaluation)) == 0)
        #expect(report.parametersAfter == report.parametersBefore)
        #expect(report.blockCompressionRatio == 0)
        #expect(report.layerSparsities == [0, 0])
    }

    @Test("30 % with all modules: smaller widths, the budget met within rounding, finite logits")
    func compressesToTarget() throws {
        let model = try tinyModel()
        let (compressed, report) = try compress(model, ratio: 0.3)
        #expect(abs(report.blockCompressionRatio - 0.3) < 0.06, "removed \(report.blockCompressionRatio)")
        #expect(report.parametersAfter == compressed.parameterCount)
        #expect(report.blockInfluences?.count == 2 && report.blockInfluences!.allSatisfy { $0 > 0 })
        #expect(abs(report.layerSparsities.reduce(0, +) / 2 - 0.3) < 1e-12)
        #expect(report.calibrationTokenCount == 96)
        #expect(report.peakResidentBytes > 0)
        // The less influential layer is pruned more, down to every width.
        let influences = report.blockInfluences!
        let weak = influences[0] < influences[1] ? 0 : 1
        #expect(report.layerSparsities[weak] > report.layerSparsities[1 - weak])
        let weakWidths = report.layerWidths![weak]
        #expect(weakWidths.rotaryPairCount < 4 && weakWidths.valueHeadDimension < 8)
        for index in 0..<2 {
            let layer = compressed.configuration.dimensions(ofLayer: index)
            let widths = report.layerWidths![index]
            #expect(layer.intermediateSize == widths.intermediateSize && widths.intermediateSize < 48)
            #expect(layer.rotaryPairs.allSatisfy { $0.count == widths.rotaryPairCount })
            #expect(layer.valueHeadDimension == widths.valueHeadDimension)
            // Kept pairs are distinct dense pairs, ascending; the attention keeps the dense scale.
            for pairs in layer.rotaryPairs { #expect(pairs == pairs.sorted() && Set(pairs).count == pairs.count) }
            #expect(compressed.layers[index].attention.scale == model.configuration.attentionScale)
        }
        let output = logits(compressed, evaluation)
        #expect(output.shape == [2, 12, 64] && output.scalars.allSatisfy { $0.isFinite })
    }

    @Test("the output error grows with the compression ratio")
    func errorGrowsWithRatio() throws {
        let model = try tinyModel()
        let dense = logits(model, calibration)
        let errors = try [0.1, 0.25, 0.45].map { ratio in
            let (compressed, _) = try compress(model, ratio: ratio, allocation: .uniform)
            return maximumDifference(dense, logits(compressed, calibration))
        }
        #expect(errors[0] < errors[1] && errors[1] < errors[2], "\(errors)")
    }

    @Test("the saved compressed model reloads with identical logits")
    func saveAndReload() throws {
        let (compressed, _) = try compress(try tinyModel(), ratio: 0.3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("modegpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try compressed.save(toDirectory: folder)
        let reloaded = try LlamaModel.load(from: folder)
        #expect(reloaded.configuration == compressed.configuration)
        #expect(maximumDifference(logits(compressed, evaluation), logits(reloaded, evaluation)) == 0)
    }

    @Test("interleaved and halves layouts select the same rotary pairs and compute the same model (1e-4)")
    func pairingLayoutsAgree() throws {
        let halves = try tinyModel(tinyConfiguration(pairing: .halves))
        let interleaved = halves.convertingRopePairing(to: .interleaved)
        let (fromHalves, _) = try compress(halves, ratio: 0.3)
        let (fromInterleaved, _) = try compress(interleaved, ratio: 0.3)
        for index in 0..<2 {
            let a = fromHalves.configuration.dimensions(ofLayer: index)
            let b = fromInterleaved.configuration.dimensions(ofLayer: index)
            #expect(a.rotaryPairs == b.rotaryPairs)
            #expect(a.intermediateSize == b.intermediateSize && a.valueHeadDimension == b.valueHeadDimension)
        }
        #expect(maximumDifference(logits(fromHalves, evaluation), logits(fromInterleaved, evaluation)) < 1e-4)
    }

    @Test("module ablations change only the enabled widths")
    func ablations() throws {
        let model = try tinyModel()
        let cases: [(MoDeGPTModules, Bool, Bool, Bool)] = [
            ([.mlp], true, false, false), ([.mlp, .keyQuery], true, true, false), (.all, true, true, true),
        ]
        for (modules, mlp, keyQuery, valueOutput) in cases {
            let (compressed, report) = try compress(model, ratio: 0.2, modules: modules, allocation: .uniform)
            #expect(abs(report.blockCompressionRatio - 0.2) < 0.06, "\(modules): \(report.blockCompressionRatio)")
            for override in compressed.configuration.layers {
                #expect((override.intermediateSize != nil) == mlp)
                #expect((override.rotaryPairs != nil) == keyQuery)
                #expect((override.valueHeadDimension != nil) == valueOutput)
            }
            #expect(report.method.contains(modules.description))
        }
    }

    @Test("uniform allocation gives every layer the same widths; the sequential variant runs")
    func allocationAndStatisticsSource() throws {
        let model = try tinyModel()
        let (uniform, report) = try compress(model, ratio: 0.3, allocation: .uniform)
        #expect(report.blockInfluences == nil && report.layerSparsities == [0.3, 0.3])
        #expect(report.layerWidths![0] == report.layerWidths![1])
        #expect(uniform.configuration.layers.allSatisfy { $0.intermediateSize == report.layerWidths![0].intermediateSize })
        let (sequential, _) = try compress(model, ratio: 0.3, allocation: .uniform, source: .compressedPrefix)
        // Layer 0 sees the same inputs either way; layer 1 is fitted to the compressed layer 0.
        #expect(sequential.configuration.layers[0] == uniform.configuration.layers[0])
        #expect(maximumDifference(logits(sequential, evaluation), logits(uniform, evaluation)) > 0)
        #expect(logits(sequential, evaluation).scalars.allSatisfy { $0.isFinite })
    }

    @Test("a compressed model compresses again: widths shrink, kept pairs are a subset of the first round's")
    func secondRound() throws {
        let (first, _) = try compress(try tinyModel(), ratio: 0.3, allocation: .uniform)
        let (second, report) = try compress(first, ratio: 0.3, allocation: .uniform)
        #expect(report.blockParametersBefore == CompressionReport.blockParameterCount(of: first.configuration))
        for index in 0..<2 {
            let before = first.configuration.dimensions(ofLayer: index)
            let after = second.configuration.dimensions(ofLayer: index)
            #expect(after.intermediateSize < before.intermediateSize)
            #expect(after.valueHeadDimension < before.valueHeadDimension)
            for (kept, previous) in zip(after.rotaryPairs, before.rotaryPairs) {
                #expect(kept.count < previous.count && Set(kept).isSubset(of: previous))
            }
        }
        #expect(logits(second, evaluation).scalars.allSatisfy { $0.isFinite })
    }

    @Test("bad configurations and calibration sets throw typed errors")
    func errors() throws {
        let model = try tinyModel()
        let compressor = MoDeGPT()
        #expect(throws: MoDeGPTError.emptyCalibration) { try compressor.compress(model, calibration: []) }
        #expect(throws: MoDeGPTError.unequalSequenceLengths(lengths: [3, 4])) {
            try compressor.compress(model, calibration: [[1, 2, 3], [1, 2, 3, 4]])
        }
        #expect(throws: MoDeGPTError.tokenOutOfRange(id: 99, vocabularySize: 64)) {
            try compressor.compress(model, calibration: [[1, 99]])
        }
        #expect(throws: MoDeGPTError.sequenceTooLong(length: 65, maxPositions: 64)) {
            try compressor.compress(model, calibration: [Array(repeating: 1, count: 65)])
        }
        #expect(throws: MoDeGPTError.self) {
            try MoDeGPT(configuration: MoDeGPTConfiguration(compressionRatio: 1.2)).compress(model, calibration: calibration)
        }
        #expect(throws: MoDeGPTError.textTooShort(tokenCount: 3, needed: 4)) {
            try CalibrationSequences.windows(of: [1, 2, 3], count: 2, length: 4)
        }
        let windows = try CalibrationSequences.windows(of: Array(0..<100), count: 5, length: 10, seed: 1)
        #expect(windows.count == 5 && windows.allSatisfy { $0.count == 10 && $0.last! - $0.first! == 9 })
        let defaults = try MoDeGPTConfiguration().calibrationWindows(of: Array(0..<1000))
        #expect(defaults.count == 32 && defaults.allSatisfy { $0.count == 512 })
        #expect(try CalibrationSequences.consecutiveWindows(of: Array(0..<20), count: 2, length: 8) == [Array(0..<8), Array(8..<16)])
    }

    @Test("one calibration pass for several variants gives the same models as separate runs, in order")
    func variantsMatchSeparateRuns() throws {
        let model = try tinyModel()
        let configurations = [
            MoDeGPTConfiguration(compressionRatio: 0.2, batchSize: 4),
            MoDeGPTConfiguration(compressionRatio: 0.4, allocation: .uniform, batchSize: 4),
            MoDeGPTConfiguration(compressionRatio: 0.3, modules: .mlp, batchSize: 4),
        ]
        var progress: [Int] = []
        let shared = try MoDeGPT.compress(model, calibration: calibration, variants: configurations) { done, total in
            #expect(total == 2)
            progress.append(done)
        }
        #expect(progress == [1, 2])
        #expect(shared.count == 3)
        for (configuration, (model2, report)) in zip(configurations, shared) {
            let (separate, separateReport) = try MoDeGPT(configuration: configuration).compress(model, calibration: calibration)
            #expect(model2.configuration == separate.configuration)
            #expect(maximumDifference(logits(model2, evaluation), logits(separate, evaluation)) == 0)
            #expect(report.targetCompressionRatio == configuration.compressionRatio)
            #expect(report.layerWidths == separateReport.layerWidths)
        }
    }

    @Test("variant passes reject an empty list, mixed batch sizes and a sequential variant among others")
    func variantValidation() throws {
        let model = try tinyModel()
        #expect(throws: MoDeGPTError.self) { try MoDeGPT.compress(model, calibration: calibration, variants: []) }
        #expect(throws: MoDeGPTError.self) {
            try MoDeGPT.compress(model, calibration: calibration, variants: [
                MoDeGPTConfiguration(batchSize: 4), MoDeGPTConfiguration(batchSize: 2),
            ])
        }
        #expect(throws: MoDeGPTError.self) {
            try MoDeGPT.compress(model, calibration: calibration, variants: [
                MoDeGPTConfiguration(statisticsSource: .compressedPrefix, batchSize: 4), MoDeGPTConfiguration(batchSize: 4),
            ])
        }
    }
}
