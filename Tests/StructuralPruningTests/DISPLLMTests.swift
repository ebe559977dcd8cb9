import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("DISP-LLM")
struct DISPLLMTests {
    @Test("A short training run on a tiny LLaMA lowers the loss and moves the parameter ratio to p; the export meets p within 1 %")
    func shortTrainingRun() throws {
        let model = try tinyModel()
        var settings = DISPLLMConfiguration(keptFraction: 0.5)
        settings.steps = 40
        settings.sequenceLength = 12
        settings.batchSize = 2
        settings.learningRate = 0.02
        settings.controller = .hypernetwork(.init(codeSize: 8, hiddenSize: 8, codes: .normal, activation: .gelu))
        let pruner = try DISPLLMPruner(model: model, configuration: settings)
        let text = randomSequences(count: 1, length: 400, seed: 12)[0]
        let report = try pruner.train(tokens: text)
        let first = report.history.prefix(5), last = report.history.suffix(5)
        #expect(first.first!.parameterRatio > 0.99)
        let meanLoss = { (s: ArraySlice<DISPLLMStep>) in s.reduce(0) { $0 + $1.loss } / Double(s.count) }
        #expect(meanLoss(last) < meanLoss(first))
        let lastRatio = last.reduce(0) { $0 + $1.parameterRatio } / Double(last.count)
        #expect(abs(lastRatio - 0.5) < abs(first.first!.parameterRatio - 0.5) / 2, "ratio \(lastRatio)")
        let pruned = try pruner.prunedModel()
        let kept = Double(LlamaMaskExport.blockParameterCount(of: pruned)) / Double(LlamaMaskExport.blockParameterCount(of: model))
        #expect(abs(kept - 0.5) < 0.01, "exported ratio \(kept)")
        #expect(report.keptBlockParameters == LlamaMaskExport.blockParameterCount(of: pruned))
        // The frozen model's weights got no gradient and did not move.
        let before = try tinyModel()
        #expect(model.stateDictionary().allSatisfy { name, value in value.scalars == before.stateDictionary()[name]!.scalars })
    }

    @Test("Free logits train too, and a checkpoint resumes with the same controller and history")
    func freeLogitsAndCheckpoint() throws {
        let model = try tinyModel()
        var settings = DISPLLMConfiguration(keptFraction: 0.7)
        settings.steps = 6
        settings.sequenceLength = 10
        settings.controller = .freeLogits
        let pruner = try DISPLLMPruner(model: model, configuration: settings)
        let text = randomSequences(count: 1, length: 100, seed: 2)[0]
        _ = try pruner.train(tokens: text)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("disp-ckpt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try pruner.saveCheckpoint(to: url)
        let resumed = try DISPLLMPruner(model: model, configuration: settings)
        try resumed.loadCheckpoint(from: url)
        #expect(resumed.history == pruner.history)
        for (a, b) in zip(resumed.currentLogits(), pruner.currentLogits()) { #expect(a.scalars == b.scalars) }
        // A finished run does nothing more when resumed.
        #expect(try resumed.train(tokens: text).history.count == 6)
        var other = settings
        other.keptFraction = 0.6
        #expect(throws: StructuralPruningError.self) { try DISPLLMPruner(model: model, configuration: other).loadCheckpoint(from: url) }
    }

    @Test("Bad settings and short text are typed errors naming the field and value")
    func badSettings() throws {
        let model = try tinyModel()
        for p in [0.0, 1.0, 1.2] {
            #expect(throws: StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: p)) {
                try DISPLLMPruner(model: model, configuration: DISPLLMConfiguration(keptFraction: p))
            }
        }
        var settings = DISPLLMConfiguration(keptFraction: 0.5)
        settings.sequenceLength = 1
        #expect(throws: StructuralPruningError.invalidSetting(field: "sequenceLength", value: 1, expected: "at least 2 tokens")) {
            try DISPLLMPruner(model: model, configuration: settings)
        }
        settings.sequenceLength = 64
        let pruner = try DISPLLMPruner(model: model, configuration: settings)
        #expect(throws: StructuralPruningError.textTooShort(field: "tokens", tokens: 20, needed: 64)) {
            try pruner.train(tokens: Array(repeating: 3, count: 20))
        }
        #expect(throws: StructuralPruningError.self) { try pruner.step(batch: [[1, 2, 3], [1, 2]]) }
    }
}
