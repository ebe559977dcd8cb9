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
        case .visionTransformerFashionMNIST:
            let vit = try ShippedCheckpoints.visionTransformerFashionMNIST()
            #expect(vit.configuration.patchCount == 49 && vit.configuration.depth == 6 && vit.configuration.width == 96)
            model = vit
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

@Suite struct ShippedTranslationModelTests {
    @Test("The shipped pix2pix teachers and the segmenter load with verified checksums and beat trivial baselines on held-out pairs")
    func shipped() throws {
        let segmenter = try ShippedTranslationModels.segmenter()
        #expect(segmenter.summary.metrics["meanIoU"].map { $0 > 0.8 } == true, "\(segmenter.summary.metrics)")
        for task in ShippedTranslationModels.Task.allCases {
            let teacher = try ShippedTranslationModels.teacher(task)
            #expect(teacher.generator.configuration.levels == 3 && teacher.discriminator.configuration.stridedLayers == 2)
            let pairs: PairedImages
            switch task {
            case .fashionEdges:
                guard DataFiles.directory != nil else { continue }
                pairs = FashionMNISTEdges.pairs(from: try FashionMNIST.load(split: .test).prefix(64))
            case .labelMaps:
                pairs = SyntheticLabelMaps.pairs(count: 64, seed: 2)
            }
            teacher.generator.eval()
            let generated = withoutGradients { teacher.generator(pairs.inputs) }
            let error = (generated - pairs.targets).abs().mean().scalars[0]
            // The best constant image (the per-pixel median of the targets) as the trivial baseline.
            let constant = withoutGradients { pairs.targets.mean(alongAxis: 0).unsqueezed(at: 0) }
            let trivial = (pairs.targets - constant).abs().mean().scalars[0]
            #expect(error < 0.75 * trivial, "\(task.rawValue): L1 \(error) vs constant image \(trivial)")
            if task == .labelMaps {
                let predicted = SegmentationScore.classes(ofScores: withoutGradients { segmenter.model(generated) })
                let miou = try SegmentationScore(predicted: predicted, truth: pairs.labelMaps!, classCount: SyntheticLabelMaps.classCount).meanIoU
                #expect(miou > 0.5, "teacher's scenes segment back to their label maps: mIoU \(miou)")
            }
        }
    }

    @Test("A teacher folder whose weights do not match its manifest is refused, naming both files")
    func tampered() throws {
        var random = RandomGenerator(seed: 1)
        let generator = UNetGenerator(configuration: .init(inputChannels: 1, outputChannels: 1, baseWidth: 2, levels: 2), using: &random)
        let discriminator = PatchDiscriminator(configuration: .init(inputChannels: 2, baseWidth: 2, stridedLayers: 1), using: &random)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("teachers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ShippedTranslationModels.write([("pix2pix-fashion-edges", generator, discriminator, .init(
            generator: generator.configuration, discriminator: discriminator.configuration, recipe: "test", metrics: [:]))], to: folder)
        let loaded = try ShippedTranslationModels.teacher(.fashionEdges, from: folder)
        let original = generator.stateDictionary()
        for (name, value) in loaded.generator.stateDictionary() { #expect(value.scalars == original[name]?.scalars, "\(name)") }
        let weights = folder.appendingPathComponent("pix2pix-fashion-edges-generator.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: weights)
        do {
            _ = try ShippedTranslationModels.teacher(.fashionEdges, from: folder)
            Issue.record("a changed weights file loaded")
        } catch let error as ShippedCheckpointError {
            #expect("\(error)".contains("pix2pix-fashion-edges-generator.safetensors") && "\(error)".contains("translation-manifest.json"))
        }
    }
}
