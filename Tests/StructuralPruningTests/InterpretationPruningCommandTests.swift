import Foundation
@testable import interpretation_pruning
import StructuralPruning
import Testing

@Suite("interpretation-pruning command")
struct InterpretationPruningCommandTests {
    @Test("Out-of-range numbers and unknown names are refused with the flag named", arguments: [
        (["--ratios", "0.5,1.5"], "--ratios"), (["--ratios", "x"], "--ratios"), (["--depth", "21"], "--depth"),
        (["--methods", "isp,magic"], "--methods"), (["--controller", "lstm"], "--controller"),
        (["--controller-epochs", "0"], "--controller-epochs"), (["--target-images", "0"], "--target-images"),
        (["--depth", "32"], "--base"), (["--threads", "0"], "--threads"),
    ])
    func badFlags(arguments: [String], flag: String) {
        do {
            _ = try InterpretationPruningCommand.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            let message = InterpretationPruningCommand.message(for: error)
            #expect(message.contains(flag), "\(arguments): \(message)")
        }
    }

    @Test("The defaults: both budgets, every method, the shipped base, equal fine-tuning")
    func defaults() throws {
        let command = try InterpretationPruningCommand.parse([])
        #expect(try command.parsedRatios() == [0.5, 0.7])
        #expect(Set(command.methods.split(separator: ",").map(String.init)) == ["isp", "kd", "ce", "l1-global", "l1-local", "random"])
        #expect(command.base == "shipped" && command.fineTuneEpochs == InterpretationSteeredConfiguration().fineTuneEpochs)
    }

    @Test("The fidelity files: one table row per model, curves and controller plots")
    func figures() throws {
        let row = FidelityRow(method: "isp", targetRemoved: 0.5, rbfIoU: 0.7, centreDistance: 1.5, widthDifference: 0.4, gradientIoU: 0.3,
                              deletion: 0.2, insertion: 0.4, agreement: 0.95, deletionCurve: [0.9, 0.5, 0.1], insertionCurve: [0.1, 0.6, 0.9])
        var dense = row
        dense.method = "dense"
        dense.targetRemoved = 0
        let markdown = FidelityRow.markdown([dense, row])
        #expect(markdown.split(separator: "\n").count == 4 && markdown.contains("| isp | −50 % | 0.700 |"))
        #expect(FidelityRow.csv([dense, row]).split(separator: "\n").count == 3)
        let files = try InterpretationFigures.files(
            fidelity: [dense, row], stages: [InterpretationStageRecord(stage: "predictor", epoch: 1, loss: 0.5, seconds: 1)],
            controllers: ["isp −50 %": [InterpretationControllerEpoch(epoch: 1, loss: 1, signal: 0.5, prunableRatio: 0.8, seconds: 1)]])
        let names = Set(files.map(\.name))
        #expect(names == ["fidelity.md", "fidelity.csv", "fidelity.json", "stages.json", "deletion.svg", "controller.svg"])
        #expect(files.first { $0.name == "deletion.svg" }!.text.contains("isp −50 % deletion"))
    }
}
