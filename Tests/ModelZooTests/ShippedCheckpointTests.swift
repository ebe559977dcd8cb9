import Foundation
import ModelZoo
import PruningCore
import Testing

@Suite struct ShippedCheckpointTests {
    @Test("Every shipped model loads with a verified checksum and classifies Fashion-MNIST test images", arguments: ShippedCheckpoints.Name.allCases)
    func shipped(_ name: ShippedCheckpoints.Name) throws {
        let entry = try ShippedCheckpoints.entry(name)
        #expect(entry.testAccuracy > 0.88, "\(name.rawValue): \(entry.testAccuracy)")
        let model: any Layer
        switch name {
        case .resnet20FashionMNIST:
            let resnet = try ShippedCheckpoints.resnet20FashionMNIST()
            #expect(resnet.parameterCount == 272_186)
            model = resnet
        case .resnet56FashionMNIST:
            let resnet = try ShippedCheckpoints.resnet56FashionMNIST()
            #expect(resnet.stages.map(\.count) == [9, 9, 9])
            model = resnet
        case .mobileNetV2FashionMNIST:
            let mobileNet = try ShippedCheckpoints.mobileNetV2FashionMNIST()
            #expect(mobileNet.configuration.inputChannels == 1 && mobileNet.configuration.classCount == 10)
            model = mobileNet
        }
        guard DataFiles.directory != nil else { return }
        let count = 200
        let test = try FashionMNIST.load(split: .test).prefix(count).normalized(by: FashionMNIST.normalization)
        var correct = 0.0
        withoutGradients {
            for batch in test.batches(size: 100) {
                correct += accuracy(logits: model(batch.images), labels: batch.labels) * Double(batch.labels.count)
            }
        }
        // The manifest's accuracy is over all 10,000 images; the first 200 agree within a few
        // points (binomial standard deviation ≈ 2 points).
        let measured = correct / Double(count)
        #expect(abs(measured - entry.testAccuracy) < 0.06, "\(name.rawValue): \(measured) vs \(entry.testAccuracy)")
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
