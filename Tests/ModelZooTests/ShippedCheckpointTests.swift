import Foundation
import ModelZoo
import PruningCore
import Testing

@Suite struct ShippedCheckpointTests {
    @Test("The shipped ResNet-20 loads with a verified checksum and classifies Fashion-MNIST test images")
    func resnet20() throws {
        let entries = try ShippedCheckpoints.entries()
        let entry = try #require(entries.first { $0.name == "resnet20-fashion-mnist" })
        #expect(entry.testAccuracy > 0.9)
        let model = try ShippedCheckpoints.resnet20FashionMNIST()
        #expect(model.parameterCount == 272_186)
        guard DataFiles.directory != nil else { return }
        let test = try FashionMNIST.load(split: .test).prefix(500).normalized(by: FashionMNIST.normalization)
        var correct = 0.0
        withoutGradients {
            for batch in test.batches(size: 250) {
                correct += accuracy(logits: model(batch.images), labels: batch.labels) * Double(batch.labels.count)
            }
        }
        // The manifest's accuracy is over all 10,000 images; 500 of them agree within a few points.
        #expect(abs(correct / 500 - entry.testAccuracy) < 0.04, "\(correct / 500) vs \(entry.testAccuracy)")
    }

    @Test("A changed file fails the checksum, naming the file")
    func tampered() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tampered-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("abc".utf8).write(to: url)
        try ShippedCheckpoints.verify(url, sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        try Data("abd".utf8).write(to: url)
        #expect(throws: ShippedCheckpointError.self) {
            try ShippedCheckpoints.verify(url, sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }
}
