import Foundation
@testable import rlal
import StructuralPruning
import Testing

@Suite("rlal command")
struct RLALCommandTests {
    @Test("Out-of-range numbers and unknown names are refused with the flag named", arguments: [
        (["--ratios", "0.5,1.5"], "--ratios"), (["--ratios", "abc"], "--ratios"), (["--depth", "21"], "--depth"),
        (["--model", "vgg"], "--model"), (["--methods", "rlal,magic"], "--methods"), (["--episodes", "0"], "--episodes"),
        (["--search-epochs", "2", "--random-search-epochs", "3"], "--random-search-epochs"),
        (["--alignment", "-1"], "--alignment"), (["--mobilenet-width", "0"], "--mobilenet-width"),
        (["--threads", "0"], "--threads"),
    ])
    func badFlags(arguments: [String], flag: String) {
        do {
            _ = try RLALCommand.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            let message = RLALCommand.message(for: error)
            #expect(message.contains(flag), "\(arguments): \(message)")
        }
    }

    @Test("--full sets the public reproduction's schedule")
    func fullSchedule() throws {
        let command = try RLALCommand.parse(["--full"])
        #expect(command.trainImages == 0 && command.warmUpEpochs == 10 && command.searchEpochs == 80 && command.randomSearchEpochs == 10)
        #expect(command.warmUpEpochs + command.searchEpochs + command.alignedEpochs + command.fineTuneEpochs
            == command.pretrainEpochs + command.baselineFineTuneEpochs)
        let defaults = try RLALCommand.parse([])
        #expect(defaults.warmUpEpochs + defaults.searchEpochs + defaults.alignedEpochs + defaults.fineTuneEpochs
            == defaults.pretrainEpochs + defaults.baselineFineTuneEpochs)
    }

    @Test("The figures: histories and three SVG plots with every method's series")
    func plots() throws {
        let record = RLALEpoch(
            epoch: 1, phase: .search, trainingLoss: 0.5, meanReward: 0.6, bestEpisodeReward: 0.7, incumbentReward: 0.7,
            incumbentRatios: [0.5, 0.5], incumbentPrunableFraction: 0.5, decoderPredictionError: 0.1, decoderFitError: 0.05,
            validationAccuracy: 0.8, seconds: 1)
        var warm = record
        warm.phase = .warmUp
        warm.epoch = 0
        let files = try RLALPlots.files(
            histories: ["rlal −50 %": [warm, record], "rlal-no-z −50 %": [record], "amc −50 %": [record]],
            layerRatios: ["rlal −50 %": [0.1, 0.8], "l1-local −50 %": [0.5, 0.5]])
        #expect(files.map(\.name) == ["histories.json", "rewards.svg", "decoder-error.svg", "ratios.svg"])
        let rewards = try #require(files.first { $0.name == "rewards.svg" }?.text)
        #expect(rewards.hasPrefix("<svg") && rewards.contains("rlal-no-z −50 %: accuracy") && !rewards.contains("amc"))
        let ratios = try #require(files.first { $0.name == "ratios.svg" }?.text)
        #expect(ratios.contains("l1-local −50 %"))
        let decoded = try JSONDecoder().decode([String: [String: [RLALEpoch]]].self, from: Data(files[0].text.utf8).prefixJSONHistories())
        #expect(decoded["histories"]?["rlal −50 %"]?.count == 2)
    }
}

private extension Data {
    /// The `histories` object of `histories.json` alone (the file also has `layerRatios`).
    func prefixJSONHistories() throws -> Data {
        let object = try JSONSerialization.jsonObject(with: self) as? [String: Any] ?? [:]
        return try JSONSerialization.data(withJSONObject: ["histories": object["histories"] ?? [:]])
    }
}
