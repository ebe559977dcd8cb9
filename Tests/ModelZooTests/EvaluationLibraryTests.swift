import Foundation
import ModelZoo
import PruningCore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The shared evaluation library: the generic perplexity protocol, classification accuracy and
/// throughput helpers, the image scorer, and the result writers.
@Suite struct EvaluationLibraryTests {
    @Test("windowedPerplexity equals a hand computation of the windowed log-softmax, with and without a BOS")
    func perplexityByHand() throws {
        let configuration = tinyLlamaConfiguration()
        let model = try LlamaModel(configuration: configuration, weights: randomLlamaWeights(configuration), naming: .huggingFace)
        let ids = [5, 9, 12, 3, 40, 41, 7, 7, 19, 22, 60]   // windows of 4: [5 9 12 3] [40 41 7 7] [19 22 60]
        func reference(bos: Int?) -> Double {
            var total = 0.0, count = 0
            var begin = 0
            while begin < ids.count {
                let window = Array(ids[begin..<min(begin + 4, ids.count)])
                begin += 4
                let input = bos.map { [$0] + window } ?? window
                let targets = bos == nil ? Array(window.dropFirst()) : window
                let logits = withoutGradients { model.logits(for: [input]) }.scalars
                let vocabulary = configuration.vocabularySize
                for (position, target) in targets.enumerated() {
                    let row = logits[(position * vocabulary)..<((position + 1) * vocabulary)].map(Double.init)
                    let largest = row.max()!
                    let logSum = largest + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - largest) })
                    total += logSum - row[target]
                    count += 1
                }
            }
            return Foundation.exp(total / Double(count))
        }
        let plain = model.windowedPerplexity(of: ids, windowLength: 4)
        #expect(plain.tokenCount == 3 + 3 + 2)
        #expect(abs(plain.perplexity - reference(bos: nil)) / reference(bos: nil) < 1e-4)
        let withBOS = model.windowedPerplexity(of: ids, windowLength: 4, beginningOfSequence: 1)
        #expect(withBOS.tokenCount == ids.count)
        #expect(abs(withBOS.perplexity - reference(bos: 1)) / reference(bos: 1) < 1e-4)
        // LlamaModel.perplexity is the same protocol.
        #expect(model.perplexity(of: ids, windowLength: 4, prependBOS: true).perplexity == withBOS.perplexity)
    }

    @Test("accuracy of a layer and of the same function agree and match a hand count; throughput is positive and finite")
    func classificationHelpers() {
        var random = RandomGenerator(seed: 3)
        let model = Sequential([Flatten(), Linear(inputCount: 16, outputCount: 3, using: &random)])
        let images = Tensor.randomNormal([10, 1, 4, 4], using: &random)
        let logits = withoutGradients { model(images) }
        // Labels: the predicted class for the first 7, another class for the last 3.
        let predicted = (0..<10).map { row in (0..<3).max { logits.scalars[row * 3 + $0] < logits.scalars[row * 3 + $1] }! }
        let labels = predicted.enumerated().map { $0.offset < 7 ? $0.element : ($0.element + 1) % 3 }
        let data = ImageClassificationDataSet(images: images, labels: labels, classCount: 3)
        #expect(abs(ImageClassificationEvaluation.accuracy(of: model, on: data, batchSize: 4) - 0.7) < 1e-12)
        #expect(abs(ImageClassificationEvaluation.accuracy(of: { model($0) }, on: data, batchSize: 3) - 0.7) < 1e-12)
        let speed = ImageClassificationEvaluation.imagesPerSecond(of: model, sample: images.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: [1, 4, 4]), batchSize: 8, repeats: 2)
        #expect(speed.isFinite && speed > 0)
    }

    @Test("ReportTable: Markdown escapes pipes, CSV quotes commas, quotes and line breaks, rows are padded to the columns")
    func reportTable() {
        var table = ReportTable(columns: ["method", "value"])
        table.append(["a|b", "1"])
        table.append(["x, \"y\"\nz"])
        table.append(["p", "2", "dropped"])
        #expect(table.markdown() == "| method | value |\n|---|---|\n| a\\|b | 1 |\n| x, \"y\"\nz |  |\n| p | 2 |\n")
        #expect(table.csv() == "method,value\na|b,1\n\"x, \"\"y\"\"\nz\",\np,2\n")
    }

    @Test("SVGScatterPlot: well-formed XML with one marker per finite point, one legend entry per group, labels escaped")
    func scatterPlot() throws {
        let plot = SVGScatterPlot(
            title: "a <title>", xLabel: "x", yLabel: "y",
            points: [.init(group: "LLM", label: "MoDeGPT", x: 70, y: 40), .init(group: "LLM", label: "A&B", x: 71, y: 20),
                     .init(group: "CNN", label: "ATO", x: 30, y: 95), .init(group: "CNN", label: "bad", x: .nan, y: 1)],
            xReference: 100, yReference: 100)
        let svg = plot.render()
        let document = try XMLDocument(xmlString: svg)
        let circles = try document.nodes(forXPath: "//*[local-name()='circle']")
        #expect(circles.count == 3 + 2, "three finite points and two legend markers")
        #expect(svg.contains("A&amp;B") && svg.contains("a &lt;title&gt;") && !svg.contains(">bad<"))
        #expect(plot.groups == ["LLM", "CNN"])
    }

    @Test("FashionMNISTImageScorer: real test images against themselves give FD ≈ 0 and the classifier's accuracy")
    func imageScorer() throws {
        guard DataFiles.directory != nil else { return }
        let test = try FashionMNIST.load(split: .test).prefix(300)
        let scorer = try FashionMNISTImageScorer.shipped()
        let images = test.images * 2 - 1
        let real = scorer.classify(images).features
        let scores = try scorer.scores(of: images, realFeatures: real, labels: test.labels)
        #expect(abs(scores.frechetDistance) < 1e-2, "\(scores.frechetDistance)")
        #expect(scores.accuracy > 0.85 && scores.classProbability > 0.8 && scores.classProbability <= 1)
        // Padded 32 × 32 images (the pix2pix outputs) are centre-cropped: the same features.
        let padded = images.padded([(0, 0), (0, 0), (2, 2), (2, 2)], value: -1)
        let cropped = scorer.classify(padded).features
        #expect((cropped - real).abs().max().scalars[0] < 1e-5)
    }

    @Test("Routed DDIM sampling: each row equals sampling it alone with its assigned model")
    func routedSampling() {
        var random = RandomGenerator(seed: 8)
        let configuration = DiffusionUNet.Configuration(widths: [8, 16, 16], conditionSize: 6, embeddingSize: 12, groupSize: 4, heads: 2)
        let models = [DiffusionUNet(configuration: configuration, using: &random), DiffusionUNet(configuration: configuration, using: &random)]
        models.forEach { $0.eval() }
        let sampler = DDIMSampler(schedule: NoiseSchedule(kind: .cosine, steps: 100), steps: 3)
        let noise = Tensor.randomNormal([5, 1, 28, 28], using: &random)
        let conditions = Tensor.randomNormal([5, 6], using: &random)
        let assignment = [1, 0, 1, 1, 0]
        let routed = sampler.sample(models: models, assignment: assignment, noise: noise, conditions: conditions, chunkSize: 2)
        for row in 0..<5 {
            let model = models[assignment[row]]
            let alone = sampler.sample(from: noise.sliced(alongAxis: 0, from: row, count: 1)) { x, t in
                model(x, steps: [t], condition: conditions.sliced(alongAxis: 0, from: row, count: 1))
            }
            #expect((routed.sliced(alongAxis: 0, from: row, count: 1) - alone).abs().max().scalars[0] < 1e-4)
        }
    }
}
