import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

/// A CIFAR-style ResNet-8 (one block per stage, widths 4/8/16) for 1 × 8 × 8 images, 3 classes.
private func tinyClassifier(seed: UInt64 = 1) -> ResNet {
    var random = RandomGenerator(seed: seed)
    let model = ResNet.cifar(depth: 8, inputChannels: 1, classCount: 3, width: 4, using: &random)
    model.eval()
    return model
}

/// Synthetic 8 × 8 images whose label depends on where the bright blob is.
private func blobImages(_ count: Int, seed: UInt64 = 3) -> ImageClassificationDataSet {
    var random = RandomGenerator(seed: seed)
    var scalars: [Float] = [], labels: [Int] = []
    for _ in 0..<count {
        let label = random.nextInt(below: 3)
        let (cr, cc) = [(2, 2), (2, 5), (5, 4)][label]
        for r in 0..<8 { for c in 0..<8 {
            let d = Float((r - cr) * (r - cr) + (c - cc) * (c - cc))
            scalars.append(2 * Foundation.exp(-d / 3) + 0.3 * random.nextNormal())
        } }
        labels.append(label)
    }
    return ImageClassificationDataSet(images: Tensor(shape: [count, 1, 8, 8], scalars: scalars), labels: labels, classCount: 3)
}

private let tinyMap = try! RBFSaliencyMap(height: 8, width: 8, centreRange: 3, randomWidths: 1...2)

private func tinySettings() -> InterpretationSteeredConfiguration {
    var settings = InterpretationSteeredConfiguration()
    settings.predictorEpochs = 1
    settings.selectorEpochs = 1
    settings.controllerEpochs = 2
    settings.fineTuneEpochs = 0
    settings.batchSize = 8
    settings.selectorBatchSize = 8
    settings.controllerLearningRate = 0.05
    return settings
}

private func tinyPipeline(_ model: ResNet = tinyClassifier(), settings: InterpretationSteeredConfiguration = tinySettings(),
                          directory: URL? = nil) throws -> InterpretationSteeredPruning<ResNet> {
    try InterpretationSteeredPruning(original: model, inputShape: [1, 8, 8], classCount: 3, saliency: tinyMap,
                                     configuration: settings, checkpointDirectory: directory)
}

/// Central finite differences of `loss` in a few entries of each of `module`'s parameters,
/// against the autodiff gradient (relative 5e-2, absolute 5e-3: ReLU kinks and BatchNorm in
/// single precision).
private func checkParameterGradients(of module: some Module, entriesPerParameter: Int = 2, step: Float = 1e-2,
                                     sourceLocation: SourceLocation = #_sourceLocation, _ loss: () throws -> Tensor) throws {
    let (_, gradients) = try valueAndGradient(of: module) { try loss() }
    var checked = 0
    for (name, parameter) in module.namedParameters() where !parameter.isFrozen {
        guard let gradient = gradients[parameter] else { continue }
        for k in 0..<min(entriesPerParameter, parameter.value.count) {
            let index = (k * 7919) % parameter.value.count
            let saved = parameter.value
            func value(_ delta: Float) throws -> Double {
                var changed = saved
                changed.withUnsafeMutableBufferPointer { $0[index] += delta }
                parameter.value = changed
                defer { parameter.value = saved }
                return Double(try withoutGradients { try loss() }.scalars[0])
            }
            let numeric = (try value(step) - value(-step)) / Double(2 * step)
            let analytic = Double(gradient.scalars[index])
            #expect(abs(analytic - numeric) <= 5e-3 + 5e-2 * abs(numeric), "\(name)[\(index)]: \(analytic) vs \(numeric)",
                    sourceLocation: sourceLocation)
            checked += 1
        }
    }
    #expect(checked > 0, sourceLocation: sourceLocation)
}

@Suite("Interpretation-steered pruning")
struct InterpretationTests {
    @Test("RBF masks peak at exactly 1 and give back their centre (arg-max) and width (second moment)")
    func rbfMasks() throws {
        let map = RBFSaliencyMap.fashionMNIST
        let rows: [Float] = [14, 9.3, 17.6], columns: [Float] = [14, 20.2, 11.4], sigmas: [Float] = [3, 2.5, 2.2]
        let masks = map.masks(row: Tensor(rows), column: Tensor(columns), sigma: Tensor(sigmas))
        #expect(masks.shape == [3, 1, 28, 28])
        for b in 0..<3 {
            let plane = Array(masks.scalars[(b * 784)..<((b + 1) * 784)])
            #expect(abs((plane.max() ?? 0) - 1) < 1e-6)
            #expect(plane.allSatisfy { $0 >= 0 && $0 <= 1 })
            let arg = plane.indices.max { plane[$0] < plane[$1] }!
            #expect(arg / 28 == Int(rows[b].rounded()) && arg % 28 == Int(columns[b].rounded()))
            var total = 0.0, meanRow = 0.0, meanColumn = 0.0, spread = 0.0
            for i in 0..<784 { total += Double(plane[i]); meanRow += Double(plane[i]) * Double(i / 28); meanColumn += Double(plane[i]) * Double(i % 28) }
            meanRow /= total; meanColumn /= total
            for i in 0..<784 { spread += Double(plane[i]) * (pow(Double(i / 28) - meanRow, 2) + pow(Double(i % 28) - meanColumn, 2)) }
            let sigma = (spread / total / 2).squareRoot()
            #expect(abs(meanRow - Double(rows[b])) < 0.02 && abs(meanColumn - Double(columns[b])) < 0.02, "centre \(meanRow), \(meanColumn)")
            #expect(abs(sigma - Double(sigmas[b])) < 0.02, "width \(sigma) vs \(sigmas[b])")
        }
        // Gradients in centre and width against finite differences. The peak's scale is a
        // constant to autodiff; at centres on grid points the peak stays 1 to first order, so
        // central differences see the same derivative.
        checkGradients(of: { map.masks(row: $0[0], column: $0[1], sigma: $0[2]) },
                       at: [Tensor([13, 10]), Tensor([15, 12]), Tensor([3.1, 4.4])], step: 1e-2)
    }

    @Test("The selector's parameters map into the allowed centres and positive widths; random masks stay in range")
    func selectorRanges() throws {
        let map = RBFSaliencyMap.fashionMNIST
        let raw = Tensor(shape: [4, 3], scalars: [-1000, 1000, -50, 0, 0, 0, 37, -5, 20, 1e6, -1e6, -1e6])
        let (row, column, sigma) = map.geometry(raw)
        for value in row.scalars + column.scalars { #expect(value >= 2 - 1e-4 && value <= 26 + 1e-4) }
        #expect(sigma.scalars.allSatisfy { $0 > 0 })
        #expect(abs(row.scalars[1] - 14) < 1e-6 && abs(sigma.scalars[1] - Float(log(2.0))) < 1e-6)
        let masks = map.masks(raw: raw)
        #expect(masks.scalars.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        var random = RandomGenerator(seed: 4)
        let samples = map.randomMasks(count: 200, using: &random)
        for b in 0..<200 {
            let plane = Array(samples.scalars[(b * 784)..<((b + 1) * 784)])
            let arg = plane.indices.max { plane[$0] < plane[$1] }!
            #expect(abs(Float(arg / 28) - 14) <= 12.5 && abs(Float(arg % 28) - 14) <= 12.5)
        }
        // A selector on a real classifier's stages returns [batch, 3].
        let pipeline = try tinyPipeline()
        let data = blobImages(5)
        let parameters = pipeline.saliencyParameters(of: pipeline.original, images: data.images, labels: data.labels)
        #expect(parameters.shape == [5, 3] && parameters.scalars.allSatisfy(\.isFinite))
    }

    @Test("Relaxed Bernoulli: P(s > ½) = p at every temperature; the mean tends to p as T → 0; gradients in p")
    func relaxedBernoulli() throws {
        let p: [Float] = [0.1, 0.5, 0.8]
        for temperature: Float in [1, 0.1] {
            let sampler = try RelaxedBernoulli(temperature: temperature)
            var random = RandomGenerator(seed: 9)
            let n = 20_000
            let probabilities = Tensor(shape: [n, 3], scalars: (0..<n).flatMap { _ in p })
            let s = sampler.sample(probabilities, using: &random).scalars
            for k in 0..<3 {
                let column = stride(from: k, to: s.count, by: 3).map { s[$0] }
                let above = Double(column.filter { $0 > 0.5 }.count) / Double(n)
                // Binomial standard error ≤ 0.0036 at n = 20,000: 4 standard errors.
                #expect(abs(above - Double(p[k])) < 0.015, "T \(temperature), p \(p[k]): P(s > ½) = \(above)")
                if temperature == 0.1 {
                    let mean = column.reduce(0, +) / Float(n)
                    #expect(abs(mean - p[k]) < 0.03, "T 0.1, p \(p[k]): mean \(mean)")
                }
            }
        }
        let sampler = try RelaxedBernoulli(temperature: 1)
        checkGradients(of: { var random = RandomGenerator(seed: 2); return sampler.sample($0[0], using: &random) },
                       at: [Tensor([0.2, 0.45, 0.7, 0.9])], step: 1e-3)
        #expect(throws: StructuralPruningError.self) { try RelaxedBernoulli(temperature: 0) }
    }

    @Test("Pixel shuffle moves channel c·4 + 2i + j to pixel (2h + i, 2w + j); distillation and mask penalties on hand cases")
    func buildingBlocks() throws {
        let input = Tensor(shape: [1, 8, 2, 3], scalars: (0..<48).map(Float.init))
        let out = SubpixelUpsampleBlock.pixelShuffle(input, factor: 2)
        #expect(out.shape == [1, 2, 4, 6])
        for c in 0..<2 { for h in 0..<2 { for w in 0..<3 { for i in 0..<2 { for j in 0..<2 {
            let source = ((c * 4 + i * 2 + j) * 2 + h) * 3 + w
            let target = (c * 4 + 2 * h + i) * 6 + 2 * w + j
            #expect(out.scalars[target] == Float(source))
        } } } } }
        // KL(softmax(t) ‖ softmax(s)) by hand for one row; zero for equal logits.
        let t: [Float] = [1, 0, -1], s: [Float] = [0, 0.5, 0]
        let pt = t.map { Foundation.exp($0) }, ps = s.map { Foundation.exp($0) }
        let (zt, zs) = (pt.reduce(0, +), ps.reduce(0, +))
        let expected = (0..<3).reduce(Float(0)) { $0 + pt[$1] / zt * Foundation.log((pt[$1] / zt) / (ps[$1] / zs)) }
        let kl = distillationLoss(logits: Tensor(shape: [1, 3], scalars: s), targetLogits: Tensor(shape: [1, 3], scalars: t))
        #expect(abs(kl.scalars[0] - expected) < 1e-6)
        #expect(abs(distillationLoss(logits: Tensor(shape: [1, 3], scalars: t), targetLogits: Tensor(shape: [1, 3], scalars: t)).scalars[0]) < 1e-6)
        checkGradients(of: { distillationLoss(logits: $0[0], targetLogits: Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.3, 0.2, 2]), temperature: 2) },
                       at: [testTensor([2, 3])])
        // Smoothness on a 3 × 3 mask with a single 1 in the middle: 4 unit differences each way … 
        var centre = [Float](repeating: 0, count: 9); centre[4] = 1
        let single = Tensor(shape: [1, 1, 3, 3], scalars: centre)
        #expect(abs(SaliencyMaskPenalties.smoothness(single).scalars[0] - 2) < 1e-6)  // (2 + 2 + 0.3·0) / 2
        let ones = Tensor.ones([2, 1, 3, 3])
        #expect(abs(SaliencyMaskPenalties.smoothness(ones).scalars[0] - 0.3 * 8 * 2 / 4) < 1e-6)  // border of 8 pixels, 2 images
        #expect(abs(SaliencyMaskPenalties.area(ones, power: 1).scalars[0] - 1.0005) < 1e-6)
        checkGradients(of: { SaliencyMaskPenalties.smoothness($0[0]) + SaliencyMaskPenalties.area($0[0]) },
                       at: [testTensor([2, 1, 4, 5], lower: 0.1, upper: 0.9)], step: 1e-3)
    }

    @Test("Each stage's loss has the gradients of finite differences: predictor, selector, controller signal")
    func stageGradients() throws {
        let pipeline = try tinyPipeline()
        let data = blobImages(6)
        let batch = ImageBatch(images: data.images, labels: data.labels)
        // Stage 1: the predictor's distillation loss on masked images, in evaluation mode.
        pipeline.predictor.eval()
        var random = RandomGenerator(seed: 1)
        let masked = data.images * pipeline.saliency.randomMasks(count: 6, using: &random)
        let teacher = withoutGradients { pipeline.original(data.images) }
        try checkParameterGradients(of: pipeline.predictor) { distillationLoss(logits: pipeline.predictor(masked), targetLogits: teacher) }
        // Stage 2: the selector's loss, sampling with the same noise each time.
        pipeline.selector.eval()
        try checkParameterGradients(of: pipeline.selector, step: 1e-2) {
            var noise = RandomGenerator(seed: 5)
            return try pipeline.selectorLoss(batch, using: &noise).total
        }
        // Stage 4: every signal's loss as a function of the gate values.
        let targets = try pipeline.targets(for: data)
        let widths = pipeline.gating.gates.gates.map(\.width)
        let start = widths.enumerated().map { testTensor([$0.element], lower: 0.3, upper: 1, seed: UInt64(10 + $0.offset)) }
        for signal in ControllerSignal.allCases {
            checkGradients(of: { masks in try! pipeline.signalLoss(signal, masks: masks, targets: targets, rows: [0, 2, 3, 5]) },
                           at: start, step: 1e-2, relativeTolerance: 5e-2, absoluteTolerance: 5e-3)
        }
    }

    @Test("A controller epoch changes only the controller; its masks meet the budget; export equals the gated network")
    func controllerAndExport() throws {
        let model = tinyClassifier()
        let pipeline = try tinyPipeline(model)
        let data = blobImages(16)
        try pipeline.trainPredictor(on: data)
        try pipeline.trainSelector(on: data)
        let before = (model.stateDictionary(), pipeline.selector.stateDictionary(), pipeline.predictor.stateDictionary())
        let targets = try pipeline.targets(for: data)
        let result = try pipeline.trainController(signal: .saliency, targets: targets)
        #expect(result.history.count == 2)
        let controllerValues = result.controller.stateDictionary()
        #expect(controllerValues.values.contains { !$0.scalars.allSatisfy { $0 == 0 } })
        for (name, dictionary) in [("original", before.0), ("selector", before.1), ("predictor", before.2)] {
            let after = name == "original" ? model.stateDictionary() : name == "selector" ? pipeline.selector.stateDictionary() : pipeline.predictor.stateDictionary()
            for (key, value) in dictionary { #expect(after[key]?.scalars == value.scalars, "\(name).\(key) changed") }
        }
        #expect(result.prunableRatio <= 0.5 + 1e-9)
        // The exported copy computes what the gated original computes, logits and explanations.
        let pruned = try pipeline.exportAndFineTune(result.masks, training: data)
        #expect(ChannelCostModel.count(pruned, inputShape: [1, 8, 8], measure: .parameters)
                < ChannelCostModel.count(model, inputShape: [1, 8, 8], measure: .parameters))
        let gated = try withoutGradients { try pipeline.gating.withMasks(result.masks, on: model) { model(data.images) } }
        expectClose(withoutGradients { pruned(data.images) }, gated, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        let gatedSaliency = try pipeline.gating.withMasks(result.masks, on: model) {
            pipeline.saliencyParameters(of: model, images: data.images, labels: data.labels)
        }
        expectClose(pipeline.saliencyParameters(of: pruned, images: data.images, labels: data.labels), gatedSaliency,
                    relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        // The original is untouched by the export.
        for (key, value) in before.0 { #expect(model.stateDictionary()[key]?.scalars == value.scalars) }
    }

    @Test("Stages resume from the checkpoint directory with equal settings and train again when they differ")
    func checkpoints() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isp-\(UInt64.random(in: 0..<UInt64.max))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = blobImages(16)
        let first = try tinyPipeline(directory: directory)
        #expect(try first.trainPredictor(on: data).count == 1)
        #expect(try first.trainSelector(on: data).count == 1)
        let targets = try first.targets(for: data)
        let trained = try first.trainController(signal: .distillation, targets: targets)
        let second = try tinyPipeline(directory: directory)
        #expect(try second.trainPredictor(on: data).isEmpty)
        #expect(try second.trainSelector(on: data).isEmpty)
        let loaded = try second.trainController(signal: .distillation, targets: try second.targets(for: data))
        #expect(loaded.history.isEmpty)
        #expect(zip(loaded.masks, trained.masks).allSatisfy { $0.scalars == $1.scalars })
        expectClose(second.saliencyParameters(of: second.original, images: data.images, labels: data.labels),
                    first.saliencyParameters(of: first.original, images: data.images, labels: data.labels), relativeTolerance: 0, absoluteTolerance: 0)
        var changed = tinySettings()
        changed.selectorEpochs = 2
        let third = try tinyPipeline(settings: changed, directory: directory)
        #expect(try third.trainPredictor(on: data).isEmpty)
        #expect(try third.trainSelector(on: data).count == 2)
    }

    @Test("Explanation fidelity: top-k IoU and deletion / insertion curves on hand cases")
    func fidelity() throws {
        let a = Tensor(shape: [1, 4], scalars: [4, 3, 2, 1])
        #expect(ExplanationFidelity.topFractionIoU(a, a, fraction: 0.5) == 1)
        #expect(ExplanationFidelity.topFractionIoU(a, Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), fraction: 0.5) == 0)
        #expect(abs(ExplanationFidelity.topFractionIoU(a, Tensor(shape: [1, 4], scalars: [4, 1, 3, 2]), fraction: 0.5) - 1.0 / 3) < 1e-12)
        let model = tinyClassifier()
        let data = blobImages(6)
        let order = ExplanationFidelity.gradientSaliency(of: model, images: data.images, classes: data.labels)
        #expect(order.shape == [6, 1, 8, 8] && order.scalars.allSatisfy { $0 >= 0 } && order.scalars.contains { $0 > 0 })
        let curves = ExplanationFidelity.deletionAndInsertion(of: model, images: data.images, classes: data.labels, order: order, steps: 4)
        let probabilities = withoutGradients { model(data.images).softmax(alongAxis: 1) }.scalars
        let full = (0..<6).reduce(0.0) { $0 + Double(probabilities[$1 * 3 + data.labels[$1]]) } / 6
        let empty = withoutGradients { model(Tensor.zeros([6, 1, 8, 8])).softmax(alongAxis: 1) }.scalars
        let blank = (0..<6).reduce(0.0) { $0 + Double(empty[$1 * 3 + data.labels[$1]]) } / 6
        #expect(abs(curves.deletionCurve[0] - full) < 1e-6 && abs(curves.insertionCurve[4] - full) < 1e-6)
        #expect(abs(curves.deletionCurve[4] - blank) < 1e-6 && abs(curves.insertionCurve[0] - blank) < 1e-6)
        var area = 0.0
        for step in 0..<4 { area += (curves.deletionCurve[step] + curves.deletionCurve[step + 1]) / 8 }
        #expect(abs(curves.deletion - area) < 1e-12 && curves.insertion >= 0 && curves.insertion <= 1)
    }

    @Test("Bad settings and inputs name their field")
    func validation() throws {
        var settings = tinySettings()
        settings.keptFraction = 1.2
        #expect(throws: StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: 1.2)) { try tinyPipeline(settings: settings) }
        settings = tinySettings()
        settings.selectorLearningRate = -1
        #expect(throws: StructuralPruningError.invalidSetting(field: "selectorLearningRate", value: -1, expected: "a positive finite value")) {
            try tinyPipeline(settings: settings)
        }
        #expect(throws: StructuralPruningError.self) {
            try InterpretationSteeredPruning(original: tinyClassifier(), inputShape: [1, 8, 8], classCount: 3, saliency: .fashionMNIST)
        }
        let empty = ImageClassificationDataSet(images: Tensor.zeros([0, 1, 8, 8]), labels: [], classCount: 3)
        #expect(throws: StructuralPruningError.self) { try tinyPipeline().trainPredictor(on: empty) }
        #expect(throws: StructuralPruningError.self) { try RBFSaliencyMap(height: 0, width: 8, centreRange: 3, randomWidths: 1...2) }
    }
}
