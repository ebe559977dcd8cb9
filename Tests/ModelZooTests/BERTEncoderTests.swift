import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

/// A tiny random BERT checked against loop references, finite differences and itself.
@Suite struct BERTEncoderTests {
    static let tiny = BERTConfiguration(
        vocabularySize: 20, hiddenSize: 8, layerCount: 2, headCount: 2, intermediateSize: 16, maximumPositionCount: 10)

    static func model(seed: UInt64 = 1) -> BERTEncoder {
        let model = BERTEncoder(configuration: tiny, initializer: .random(seed: seed))
        model.eval()
        // Non-trivial layer-norm parameters, so that the tests see them.
        for (name, parameter) in model.namedParameters() where name.hasSuffix("LayerNorm.weight") || name.hasSuffix("LayerNorm.bias") {
            let base: Float = name.hasSuffix("weight") ? 1 : 0
            parameter.value = testTensor(parameter.shape, lower: base - 0.3, upper: base + 0.3, seed: UInt64(name.count))
        }
        return model
    }

    // MARK: Structure

    @Test("parameters are named as in Hugging Face's BertModel")
    func parameterNames() {
        let names = Self.model().namedParameters().map(\.name)
        #expect(names.count == 5 + 16 * 2)
        let expected = [
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
            "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.key.bias",
            "encoder.layer.1.attention.self.value.weight", "encoder.layer.1.attention.output.dense.weight",
            "encoder.layer.1.attention.output.LayerNorm.bias", "encoder.layer.0.intermediate.dense.weight",
            "encoder.layer.0.output.dense.bias", "encoder.layer.1.output.LayerNorm.weight",
        ]
        for name in expected { #expect(names.contains(name), "\(name)") }
        let model = Self.model()
        #expect(model.layers[1].query === model.layers[1].attention.selfAttention.query)
        #expect(model.layers[0].feedForwardProjection.weight.shape == [8, 16])
        #expect(model.layers[0].attentionProjection.weight.shape == [8, 8])
        #expect(model.layers[0].headCount == 2)
    }

    // MARK: Loop references

    @Test("embeddings are the normalized sum of word, position and token-type vectors")
    func embeddings() {
        let model = Self.model()
        let input = BERTInput(tokenIDs: [3, 7, 7, 0, 5, 1], tokenTypeIDs: [0, 1, 1, 0, 0, 1], attentionMask: [1, 1, 1, 1, 1, 0],
                              batchSize: 2, length: 3)
        let output = withoutGradients { model.embeddings(input) }
        let words = model.embeddings.wordEmbeddings.weight.value
        let positions = model.embeddings.positionEmbeddings.weight.value
        let types = model.embeddings.tokenTypeEmbeddings.weight.value
        let gamma = model.embeddings.layerNorm.weight!.value, beta = model.embeddings.layerNorm.bias!.value
        var expected: [Float] = []
        for row in 0..<2 {
            for t in 0..<3 {
                let k = row * 3 + t
                let sum = (0..<8).map { words[input.tokenIDs[k], $0] + positions[t, $0] + types[input.tokenTypeIDs[k], $0] }
                let mean = sum.reduce(0, +) / 8
                let variance = sum.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
                expected += (0..<8).map { (sum[$0] - mean) / (variance + 1e-12).squareRoot() * gamma[$0] + beta[$0] }
            }
        }
        expectClose(output, Tensor(shape: [2, 3, 8], scalars: expected), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }

    @Test("self-attention with a padding mask matches a loop reference")
    func selfAttention() {
        let attention = Self.model().layers[0].attention.selfAttention
        let x = testTensor([2, 4, 8], seed: 3)
        let lengths = [4, 2]
        let input = BERTInput(sequences: [[1, 2, 3, 4], [5, 6]])
        let output = withoutGradients { attention(x, mask: input.keyPaddingMask) }
        func project(_ linear: Linear, _ b: Int, _ t: Int, _ o: Int) -> Float {
            (0..<8).reduce(linear.bias!.value[o]) { $0 + x[b, t, $1] * linear.weight.value[o, $1] }
        }
        var expected = [Float](repeating: 0, count: 2 * 4 * 8)
        for b in 0..<2 {
            for h in 0..<2 {
                for i in 0..<4 {
                    let dims = (h * 4)..<(h * 4 + 4)
                    let scores = (0..<lengths[b]).map { j in
                        dims.reduce(Float(0)) { $0 + project(attention.query, b, i, $1) * project(attention.key, b, j, $1) } / 2
                    }
                    let top = scores.max()!
                    let weights = scores.map { Foundation.exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for d in dims {
                        expected[(b * 4 + i) * 8 + d] = (0..<lengths[b]).reduce(Float(0)) {
                            $0 + weights[$1] / total * project(attention.value, b, $1, d)
                        }
                    }
                }
            }
        }
        expectClose(output, Tensor(shape: [2, 4, 8], scalars: expected), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }

    @Test("mean pooling and normalization match loops")
    func pooling() {
        let hidden = testTensor([2, 3, 4], seed: 4)
        let mask = Tensor(shape: [2, 3], scalars: [1, 1, 0, 1, 1, 1])
        let pooled = SentenceEncoder.meanPooled(hidden, mask: mask)
        var expected: [Float] = []
        for (b, count) in [(0, 2), (1, 3)] {
            expected += (0..<4).map { d in (0..<count).reduce(Float(0)) { $0 + hidden[b, $1, d] } / Float(count) }
        }
        expectClose(pooled, Tensor(shape: [2, 4], scalars: expected))
        let unit = SentenceEncoder.normalized(pooled)
        for b in 0..<2 {
            let row = Array(expected[(b * 4)..<(b * 4 + 4)])
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            expectClose(unit.sliced(alongAxis: 0, from: b, count: 1).scalars, row.map { $0 / norm })
        }
        // An all-padding row pools to zeros instead of dividing by zero.
        let empty = SentenceEncoder.meanPooled(hidden, mask: Tensor.zeros([2, 3]))
        #expect(empty.scalars.allSatisfy { $0 == 0 })
    }

    // MARK: Gradients

    @Test("a layer's input gradient matches finite differences")
    func layerGradient() {
        let layer = Self.model().layers[1]
        let mask = BERTInput(sequences: [[1, 2, 3]], paddingID: 0).keyPaddingMask
        #expect(mask == nil)
        let padded = BERTInput(sequences: [[1, 2, 3], [4, 5]]).keyPaddingMask
        checkGradients(of: { layer($0[0], mask: padded) }, at: [testTensor([2, 3, 8], seed: 5)], step: 1e-2,
                       relativeTolerance: 3e-2, absoluteTolerance: 3e-3)
    }

    @Test("pooling and normalization gradients match finite differences")
    func poolingGradient() {
        let mask = Tensor(shape: [2, 3], scalars: [1, 0, 0, 1, 1, 1])
        checkGradients(of: { SentenceEncoder.normalized(SentenceEncoder.meanPooled($0[0], mask: mask)) },
                       at: [testTensor([2, 3, 4], lower: 0.2, upper: 1, seed: 6)])
    }

    // MARK: Composition and padding

    @Test("layer pieces compose to the layer; hidden states end in the output")
    func composition() {
        let model = Self.model()
        let input = BERTInput(sequences: [[1, 4, 9, 2], [1, 3, 2]])
        let mask = input.keyPaddingMask
        withoutGradients {
            let x = model.embeddings(input)
            let layer = model.layers[0]
            let whole = layer(x, mask: mask)
            expectClose(layer.feedForward(layer.attention(x, mask: mask)), whole, relativeTolerance: 0, absoluteTolerance: 0)
            let parts = layer.activations(x, mask: mask)
            expectClose(parts.output, whole, relativeTolerance: 0, absoluteTolerance: 0)
            #expect(parts.query.shape == [2, 2, 4, 4] && parts.key.shape == [2, 2, 4, 4] && parts.value.shape == [2, 2, 4, 4])
            #expect(parts.context.shape == [2, 4, 8] && parts.attentionOutput.shape == [2, 4, 8])
            #expect(parts.intermediate.shape == [2, 4, 16])
            expectClose(layer.intermediate(parts.attentionOutput), parts.intermediate, relativeTolerance: 0, absoluteTolerance: 0)
            let states = model.hiddenStates(input)
            #expect(states.count == 3)
            expectClose(states[2], model(input), relativeTolerance: 0, absoluteTolerance: 0)
            expectClose(states[1], whole, relativeTolerance: 0, absoluteTolerance: 0)
            let all = model.layerActivations(input)
            #expect(all.count == 2)
            expectClose(all[0].output, whole, relativeTolerance: 0, absoluteTolerance: 0)
            expectClose(all[1].output, states[2], relativeTolerance: 0, absoluteTolerance: 0)
        }
    }

    @Test("a padded batch gives each sequence's hidden states alone")
    func paddingMask() {
        let model = Self.model()
        let sequences = [[1, 5, 6, 7, 2], [1, 8, 2], [1, 2]]
        let batch = withoutGradients { model(BERTInput(sequences: sequences)) }
        for (row, sequence) in sequences.enumerated() {
            let alone = withoutGradients { model(BERTInput(sequences: [sequence])) }
            let rows = batch.sliced(alongAxis: 0, from: row, count: 1).sliced(alongAxis: 1, from: 0, count: sequence.count)
            expectClose(rows, alone, relativeTolerance: 0, absoluteTolerance: 1e-5, "row \(row)")
        }
    }

    @Test("dropout acts in training mode only")
    func dropout() {
        let model = BERTEncoder(configuration: Self.tiny, initializer: .random(seed: 2))
        let input = BERTInput(sequences: [[1, 4, 9, 2]])
        let first = withoutGradients { model(input) }
        let second = withoutGradients { model(input) }
        #expect(first.scalars != second.scalars)
        model.eval()
        let third = withoutGradients { model(input) }
        expectClose(withoutGradients { model(input) }, third, relativeTolerance: 0, absoluteTolerance: 0)
    }

    @Test("the sentence encoder batches by length and returns rows in input order")
    func sentenceEncoder() throws {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "b", "c", "##d"] + (8..<20).map { "w\($0)" }
        let encoder = SentenceEncoder(model: Self.model(), tokenizer: try WordPieceTokenizer(tokens: tokens), maximumLength: 6)
        let sentences = ["a b", "c", "a cd b a c b a", "b b"]
        let all = encoder.embed(sentences, batchSize: 3)
        #expect(all.shape == [4, 8])
        for (i, sentence) in sentences.enumerated() {
            let alone = encoder.embed(encoder.tokenizer.encode([sentence], maxLength: 6))
            expectClose(all.sliced(alongAxis: 0, from: i, count: 1), alone, relativeTolerance: 0, absoluteTolerance: 1e-5, "\(sentence)")
            let norm = alone.norm().scalar
            #expect(abs(norm - 1) < 1e-5)
        }
        #expect(encoder.embed([]).shape == [0, 8])
    }

    // MARK: Loading

    @Test("weights round-trip through safetensors, with or without a bert. prefix; extra tensors are skipped")
    func loading() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Self.model(seed: 1)
        let input = BERTInput(sequences: [[1, 4, 9, 2], [1, 3, 2]])
        let expected = withoutGradients { source(input) }

        let plain = folder.appendingPathComponent("plain.safetensors")
        try source.save(to: plain)
        let copy = BERTEncoder(configuration: Self.tiny, initializer: .zeros)
        copy.eval()
        #expect(try copy.loadWeights(from: plain).isEmpty)
        expectClose(withoutGradients { copy(input) }, expected, relativeTolerance: 0, absoluteTolerance: 0)

        var prefixed: [String: Tensor] = [:]
        for (name, value) in source.stateDictionary() { prefixed["bert." + name] = value }
        prefixed["bert.pooler.dense.weight"] = Tensor.zeros([8, 8])
        prefixed["bert.embeddings.position_ids"] = Tensor.arange(0, 10).reshaped(to: [1, 10])
        let withPrefix = folder.appendingPathComponent("prefixed.safetensors")
        try SafeTensors.write(prefixed, to: withPrefix)
        let other = BERTEncoder(configuration: Self.tiny, initializer: .zeros)
        other.eval()
        #expect(try other.loadWeights(from: withPrefix) == ["bert.embeddings.position_ids", "bert.pooler.dense.weight"])
        expectClose(withoutGradients { other(input) }, expected, relativeTolerance: 0, absoluteTolerance: 0)
    }

    @Test("loading errors name the file and the tensor")
    func loadingErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = BERTEncoder(configuration: Self.tiny, initializer: .zeros)
        var values = model.stateDictionary()

        values["encoder.layer.1.output.dense.bias"] = nil
        let missing = folder.appendingPathComponent("missing.safetensors")
        try SafeTensors.write(values, to: missing)
        #expect(throws: BERTError.missingWeight(file: missing.path, tensor: "encoder.layer.1.output.dense.bias")) {
            try model.loadWeights(from: missing)
        }

        values["encoder.layer.1.output.dense.bias"] = Tensor.zeros([9])
        let misshapen = folder.appendingPathComponent("misshapen.safetensors")
        try SafeTensors.write(values, to: misshapen)
        #expect(throws: BERTError.weightShapeMismatch(
            file: misshapen.path, tensor: "encoder.layer.1.output.dense.bias", expected: [8], found: [9])) {
            try model.loadWeights(from: misshapen)
        }

        let absent = folder.appendingPathComponent("absent.safetensors")
        let error = #expect(throws: BERTError.self) { try model.loadWeights(from: absent) }
        guard case .unreadableFile(let file, _)? = error else {
            Issue.record("expected unreadableFile, got \(String(describing: error))")
            return
        }
        #expect(file == absent.path)
        #expect(BERTError.missingWeight(file: "m.safetensors", tensor: "x.weight").description.contains("x.weight"))
    }
}
