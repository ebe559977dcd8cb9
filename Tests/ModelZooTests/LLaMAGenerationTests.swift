import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct LLaMAGenerationTests {
    /// Greedy continuation by repeated full forward passes (no cache), as a reference.
    func referenceGreedy(_ model: LlamaModel, prompt: [Int], count: Int) -> [Int] {
        var sequence = prompt
        for _ in 0..<count {
            let logits = evaluate(model, [sequence])
            let last = Array(logits.scalars.suffix(64))
            sequence.append(last.indices.max { last[$0] < last[$1] || (last[$0] == last[$1] && $0 > $1) }!)
        }
        return Array(sequence.dropFirst(prompt.count))
    }

    @Test("greedy generation with the cache equals argmax of full forward passes")
    func greedyMatchesReference() throws {
        for model in [try tinyLlamaModel(), try tinyPrunedModel()] {
            let generated = model.generate(from: [3, 17, 42], maxNewTokens: 10, stopTokens: [])
            #expect(generated.count == 10)
            #expect(generated == referenceGreedy(model, prompt: [3, 17, 42], count: 10))
        }
    }

    @Test("generation stops after a stop token, by default the configuration's EOS")
    func stopping() throws {
        let configuration = tinyLlamaConfiguration()
        let weights = randomLlamaWeights(configuration)
        let model = try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        let free = model.generate(from: [5, 6], maxNewTokens: 12, stopTokens: [])
        let stop = free[4]
        let cut = Array(free.prefix(through: free.firstIndex(of: stop)!))
        #expect(model.generate(from: [5, 6], maxNewTokens: 12, stopTokens: [stop]) == cut)
        var withEOS = configuration
        withEOS.eosTokenID = stop
        let eosModel = try LlamaModel(configuration: withEOS, weights: weights, naming: .huggingFace)
        #expect(eosModel.generate(from: [5, 6], maxNewTokens: 12) == cut)
        #expect(model.generate(from: [5, 6], maxNewTokens: 0).isEmpty)
    }

    @Test("batched generation equals generating each prompt alone")
    func batched() throws {
        let model = try tinyLlamaModel()
        let prompts = tinyTokens.map { Array($0.prefix(4)) }
        var random = RandomGenerator(seed: 1)
        let together = model.generate(from: prompts, maxNewTokens: 6, stopTokens: [], using: &random)
        for (prompt, output) in zip(prompts, together) {
            #expect(output == model.generate(from: prompt, maxNewTokens: 6, stopTokens: []))
        }
    }

    @Test("sampled generation is fixed by the seed and varies across seeds")
    func seeded() throws {
        let model = try tinyLlamaModel()
        let sampling = LlamaSampling(temperature: 1.5, topK: 40, topP: 0.95)
        func run(_ seed: UInt64) -> [Int] {
            var random = RandomGenerator(seed: seed)
            return model.generate(from: [7, 8, 9], maxNewTokens: 12, sampling: sampling, stopTokens: [], using: &random)
        }
        #expect(run(3) == run(3))
        #expect(Set((1...5).map { run($0) }).count > 1)
    }

    @Test("top-k 1 and a tiny top-p reduce sampling to greedy")
    func degenerateSampling() {
        var random = RandomGenerator(seed: 4)
        for row in 0..<20 {
            let logits = (0..<50).map { _ in random.nextNormal() * 3 }
            let greedy = LlamaSampling.greedy.nextToken(fromLogits: logits, using: &random)
            #expect(greedy == logits.indices.max { logits[$0] < logits[$1] }!, "row \(row)")
            #expect(LlamaSampling(temperature: 2, topK: 1).nextToken(fromLogits: logits, using: &random) == greedy)
            #expect(LlamaSampling(temperature: 0.7, topP: 1e-6).nextToken(fromLogits: logits, using: &random) == greedy)
        }
    }

    @Test("sampling frequencies follow the filtered softmax (20 000 draws, ±0.015)")
    func frequencies() {
        let logits: [Float] = [0, 1, 2, 0.5]
        func frequencies(_ sampling: LlamaSampling) -> [Double] {
            var random = RandomGenerator(seed: 9)
            var counts = [Double](repeating: 0, count: 4)
            for _ in 0..<20_000 { counts[sampling.nextToken(fromLogits: logits, using: &random)] += 1 }
            return counts.map { $0 / 20_000 }
        }
        func softmax(_ values: [Double]) -> [Double] {
            let e = values.map { Foundation.exp($0) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        }
        let cases: [(LlamaSampling, [Double])] = [
            (LlamaSampling(temperature: 1), softmax([0, 1, 2, 0.5])),
            (LlamaSampling(temperature: 0.5), softmax([0, 2, 4, 1])),
            // Top-2 keeps tokens 2 and 1.
            (LlamaSampling(temperature: 1, topK: 2), [0] + softmax([1, 2]) + [0]),
            // Probabilities 0.579, 0.213, 0.129, 0.078: top-p 0.6 keeps tokens 2 and 1.
            (LlamaSampling(temperature: 1, topP: 0.6), [0] + softmax([1, 2]) + [0]),
        ]
        for (sampling, expected) in cases {
            let observed = frequencies(sampling)
            for i in 0..<4 { #expect(abs(observed[i] - expected[i]) < 0.015, "\(sampling): token \(i) \(observed[i]) vs \(expected[i])") }
        }
    }
}

@Suite struct LLaMAPerplexityTests {
    /// Σ −log softmax(logits[t])[targets[t]] in double precision, from the model's logits.
    func negativeLogLikelihood(_ model: LlamaModel, input: [Int], targets: [Int]) -> Double {
        let logits = evaluate(model, [input]).scalars
        var total = 0.0
        for (t, target) in targets.enumerated() {
            let row = logits[(t * 64)..<((t + 1) * 64)].map(Double.init)
            let top = row.max()!
            total += top + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) }) - row[target]
        }
        return total
    }

    @Test("perplexity over non-overlapping windows matches the logits (1e-6 relative)")
    func windows() throws {
        let model = try tinyLlamaModel()
        let ids = [4, 9, 33, 2, 61, 17, 8, 8, 40, 12, 5, 30, 27, 3, 59, 14, 22]
        let windows = [Array(ids[0..<6]), Array(ids[6..<12]), Array(ids[12..<17])]

        let plain = model.perplexity(of: ids, windowLength: 6)
        let plainTotal = windows.reduce(0.0) { $0 + negativeLogLikelihood(model, input: $1, targets: Array($1.dropFirst())) }
        #expect(plain.tokenCount == 14)
        #expect(abs(plain.meanNegativeLogLikelihood - plainTotal / 14) < 1e-6 * plainTotal / 14)
        #expect(abs(plain.perplexity - Foundation.exp(plainTotal / 14)) < 1e-5 * plain.perplexity)
        #expect(plain.tokensPerSecond > 0)

        let withBOS = model.perplexity(of: ids, windowLength: 6, prependBOS: true)
        let bosTotal = windows.reduce(0.0) { $0 + negativeLogLikelihood(model, input: [1] + $1, targets: $1) }
        #expect(withBOS.tokenCount == 17)
        #expect(abs(withBOS.meanNegativeLogLikelihood - bosTotal / 17) < 1e-6 * bosTotal / 17)

        // A final window of one token has nothing to score without a BOS.
        let short = model.perplexity(of: Array(ids.prefix(13)), windowLength: 6)
        #expect(short.tokenCount == 10)
        #expect(abs(short.meanNegativeLogLikelihood - (plainTotal - negativeLogLikelihood(model, input: windows[2], targets: Array(windows[2].dropFirst()))) / 10) < 1e-5)
    }

    @Test("a model whose logits are all zero has the vocabulary size as perplexity")
    func uniform() throws {
        let configuration = tinyLlamaConfiguration()
        var weights = randomLlamaWeights(configuration)
        weights["model.norm.weight"] = Tensor.zeros([32])  // all logits zero
        let model = try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        let result = model.perplexity(of: Array(0..<20), windowLength: 8)
        #expect(abs(result.perplexity - 64) < 1e-3)
        #expect(result.tokenCount == 7 + 7 + 3)
    }
}
