import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion
@testable import token_fusion

@Suite struct TokenFusionExampleTests {
    @Test("the default r values stop at the largest r no block caps")
    func rValues() {
        // 49 patches + class token over 6 blocks: r = 7 leaves 8 tokens, r = 8 is capped in block 5.
        #expect(ViTBenchmark.largestUncappedR(tokenCount: 50, layerCount: 6) == 7)
        #expect(ViTBenchmark.defaultRValues(tokenCount: 50, layerCount: 6) == [0, 2, 4, 6, 7])
        #expect(MergeSchedule.constant(8).tokenCounts(initialTokenCount: 50, layerCount: 6, protectedCount: 1).last == 6)
        // ViT-B/16: r = 16 is capped in the last block, r = 15 is not.
        #expect(ViTBenchmark.largestUncappedR(tokenCount: 197, layerCount: 12) == 15)
        #expect(ViTBenchmark.defaultRValues(tokenCount: 17, layerCount: 3) == [0, 2, 4])
    }

    @Test("ToFu with averaging keeps ToFu's split and averages where ToFu uses MLERP")
    func ablation() {
        let reductions = ToFuAblation.withAveraging(.constant(4), layerCount: 6).strategy.reductions(layerCount: 6)
        #expect(reductions == [.prune, .prune, .prune, .prune, .average, .average])
        #expect(TokenFusionConfiguration.tofu(.constant(4)).strategy.reductions(layerCount: 6)
            == [.prune, .prune, .prune, .prune, .mlerp, .mlerp])
    }

    @Test("blockMultiplyAccumulates counts projections, attention and MLP per block on its token counts; the predicted speed-up is their ratio")
    func predictedSpeedup() {
        let architecture = VisionTransformer.Configuration(
            imageSize: 28, patchSize: 4, inputChannels: 1, classCount: 10, width: 96, depth: 6, heads: 4, mlpRatio: 2)
        var random = RandomGenerator(seed: 0)
        let model = VisionTransformer(configuration: architecture, using: &random)
        #expect(ViTBenchmark.predictedSpeedup(.identity, model: model) == 1)
        let (d, h) = (96.0, 192.0)
        func layer(_ n: Double, _ m: Double) -> Double { 4 * d * d * n + 2 * n * n * d + 2 * d * h * m }
        let counts = [42.0, 34, 26, 18, 10, 6]
        let reduced = zip([50.0] + counts.dropLast(), counts).reduce(0.0) { $0 + layer($1.0, $1.1) }
        #expect(TokenMergingViT(model: model, configuration: .identity).blockMultiplyAccumulates == 6 * layer(50, 50))
        #expect(TokenMergingViT(model: model, configuration: .tome(.constant(8))).blockMultiplyAccumulates == reduced)
        #expect(abs(ViTBenchmark.predictedSpeedup(.tome(.constant(8)), model: model) - 6 * layer(50, 50) / reduced) < 1e-9)
    }

    static let rows = [
        ViTRow(method: "unmodified", r: 0, tokensAfterEachLayer: [5, 5], accuracy: 0.9, imagesPerSecond: 100, speedup: 1, predictedSpeedup: 1),
        ViTRow(method: "ToMe (average)", r: 1, tokensAfterEachLayer: [4, 3], accuracy: 0.85, imagesPerSecond: 120, speedup: 1.2, predictedSpeedup: 1.3),
        ViTRow(method: "ToMe (average)", r: 2, tokensAfterEachLayer: [3, 2], accuracy: 0.8, imagesPerSecond: 140, speedup: 1.4, predictedSpeedup: 1.6),
        ViTRow(method: "tuned \"x\"", r: 2, tokensAfterEachLayer: [3, 2], accuracy: 0.82, imagesPerSecond: 139, speedup: 1.39, predictedSpeedup: 1.6),
    ]

    @Test("the table, CSV and plot hold every row; method curves start at the unmodified model")
    func report() {
        let markdown = ViTReport.markdown(Self.rows).split(separator: "\n")
        #expect(markdown.count == 2 + Self.rows.count)
        #expect(markdown[4] == "| ToMe (average) | 2 | 3, 2 | 80.00 % | 140 | 1.40× | 1.60× |")
        let csv = ViTReport.csv(Self.rows).split(separator: "\n")
        #expect(csv.count == 1 + Self.rows.count)
        #expect(csv[4].hasPrefix("\"tuned \"\"x\"\"\",2,3 2,0.82,"))
        let plot = ViTReport.plot(Self.rows, title: "t")
        #expect(plot.series.map(\.name) == ["ToMe (average)", "tuned \"x\""])
        #expect(plot.series[0].x == [100, 120, 140] && plot.series[0].mean.map { $0 ?? -1 } == [90, 85, 80])
        #expect(plot.series[1].x == [139])
        #expect(plot.reference?.value == 90)
    }

    @Test("the norm table gives each method's mean norm and its ratio to no merging")
    func normTable() {
        let check = NormCheck(r: 2, rowCount: 4, entries: [
            .init(method: "no merging", afterReduction: [2, 4], output: [3, 5], tokensPerRow: [5, 5]),
            .init(method: "average", afterReduction: [1, 3], output: [1.5, 4], tokensPerRow: [3, 1.5]),
        ])
        let lines = check.markdown().split(separator: "\n")
        #expect(lines.count == 2 + 4)
        #expect(lines[2] == "| 0 | after reduction | 3 of 5 | 2.000 (1.000×) | 1.000 (0.500×) |")
        #expect(lines[5] == "| 1 | output | 1.5 of 5 | 5.000 (1.000×) | 4.000 (0.800×) |")
        #expect(NormCheck.configurations(r: 2, layerCount: 6).map(\.name)
            == ["no merging", "average (ToMe)", "MLERP", "ToFu (prune, MLERP)", "ToFu (prune, average)"])
    }

    @Test("a checkpoint loads with its JSON summary; a missing file is named with the command that makes it")
    func checkpoint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("token-fusion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("vit-fashion-mnist.safetensors")
        #expect(ViTCheckpoint.summaryURL(for: weights).lastPathComponent == "vit-fashion-mnist.json")

        let error = #expect(throws: ViTCheckpointError.self) { try ViTCheckpoint(weights: weights) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains(weights.path) && message.contains("train-baselines --model vit"))

        let model = TokenMergingViTTests.model()
        try model.save(to: weights)
        let json = """
            {"architecture": {"imageSize": 8, "patchSize": 2, "inputChannels": 1, "classCount": 3, "width": 8,
             "depth": 3, "heads": 2, "mlpRatio": 4},
             "normalization": {"mean": [0.5], "standardDeviation": [0.25]}, "epochsCompleted": 2, "epochsPlanned": 5,
             "testAccuracy": 0.5}
            """
        try json.write(to: ViTCheckpoint.summaryURL(for: weights), atomically: true, encoding: .utf8)
        let loaded = try ViTCheckpoint(weights: weights)
        #expect(loaded.summary.normalization == ImageNormalization(mean: [0.5], standardDeviation: [0.25]))
        #expect(loaded.trainingNote == "epoch 2 of 5, test accuracy 50.00 %")
        let images = testTensor([2, 1, 8, 8], seed: 85)
        let copy = try loaded.makeModel()
        #expect(withoutGradients { copy(images) }.scalars == withoutGradients { model(images) }.scalars)

        try "{\"architecture\": 3}".write(to: ViTCheckpoint.summaryURL(for: weights), atomically: true, encoding: .utf8)
        let unreadable = #expect(throws: ViTCheckpointError.self) { try ViTCheckpoint(weights: weights) }
        #expect(unreadable.map { "\($0)" }?.contains("vit-fashion-mnist.json") == true)
    }
}
