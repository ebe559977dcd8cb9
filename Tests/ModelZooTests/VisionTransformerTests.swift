import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct VisionTransformerTests {
    /// imageSize 8, patch 4 (4 patches), 1 channel, 3 classes, width 8, depth 2, 2 heads, MLP 16.
    static func tinyModel(seed: UInt64 = 0) -> VisionTransformer {
        var random = RandomGenerator(seed: seed)
        return VisionTransformer(
            imageSize: 8, patchSize: 4, inputChannels: 1, classCount: 3, width: 8, depth: 2, heads: 2, mlpRatio: 2,
            using: &random)
    }

    @Test("parameter names follow timm and the count matches the hand count")
    func namesAndCount() {
        let model = Self.tinyModel()
        let names = model.namedParameters().map(\.name)
        #expect(Array(names.prefix(4)) == ["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"])
        for name in ["blocks.0.norm1.weight", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias", "blocks.1.attn.proj.weight",
                     "blocks.1.norm2.bias", "blocks.1.mlp.fc1.weight", "blocks.1.mlp.fc2.bias", "norm.weight", "head.weight"] {
            #expect(names.contains(name), "missing \(name)")
        }
        // Patch embedding 8·1·4·4 + 8 = 136, class token 8, positions 5·8 = 40; per block: two
        // norms 2·16, qkv 8·24 + 24 = 216, proj 8·8 + 8 = 72, fc1 8·16 + 16 = 144, fc2 16·8 + 8 = 136
        // (600); final norm 16; head 8·3 + 3 = 27.
        #expect(model.parameterCount == 136 + 8 + 40 + 2 * 600 + 16 + 27)
        #expect(model.positionEmbedding.shape == [1, 5, 8])
    }

    @Test("forward shapes; step-by-step and key-returning forwards agree with the plain one")
    func stepByStep() {
        let model = Self.tinyModel(seed: 1)
        let images = testTensor([3, 1, 8, 8], seed: 2)
        let logits = withoutGradients { model(images) }
        #expect(logits.shape == [3, 3])
        let tokens = withoutGradients { model.embed(images) }
        #expect(tokens.shape == [3, 5, 8])
        let stepped = withoutGradients { model.classify(model.blocks.reduce(tokens) { $1($0) }) }
        expectClose(stepped, logits, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
        let (keyedLogits, keys) = withoutGradients { model.forwardReturningKeys(images) }
        expectClose(keyedLogits, logits, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
        #expect(keys.map(\.shape) == [[3, 5, 4], [3, 5, 4]])
        // A zero additive mask changes nothing.
        let block = model.blocks[0]
        let zeroMask = AttentionMask.additive(Tensor.zeros([3, 1, 1, 5]))
        let masked = withoutGradients { block.forward(tokens, mask: zeroMask) }
        expectClose(masked.output, withoutGradients { block(tokens) }, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    @Test("attention matches a per-head loop reference")
    func attentionReference() {
        var random = RandomGenerator(seed: 3)
        let attention = SelfAttention(width: 4, heads: 2, using: &random)
        attention.qkv.bias?.value = testTensor([12], seed: 4)
        let input = testTensor([2, 3, 4], seed: 5)
        let output = withoutGradients { attention.forward(input) }

        let (batch, tokens, width, heads, d) = (2, 3, 4, 2, 2)
        let x = input.scalars, w = attention.qkv.weight.value.scalars, b = attention.qkv.bias?.value.scalars ?? []
        let pw = attention.proj.weight.value.scalars, pb = attention.proj.bias?.value.scalars ?? []
        var expected = [Float](repeating: 0, count: batch * tokens * width)
        var expectedKeys = [Float](repeating: 0, count: batch * tokens * d)
        for n in 0..<batch {
            // qkv[t][j] = b[j] + Σ_i x[t][i] w[j][i].
            var qkv = [[Float]](repeating: [Float](repeating: 0, count: 3 * width), count: tokens)
            for t in 0..<tokens {
                for j in 0..<(3 * width) {
                    var s = b[j]
                    for i in 0..<width { s += x[(n * tokens + t) * width + i] * w[j * width + i] }
                    qkv[t][j] = s
                }
            }
            var merged = [[Float]](repeating: [Float](repeating: 0, count: width), count: tokens)
            for h in 0..<heads {
                for t in 0..<tokens {
                    var scores = (0..<tokens).map { u -> Float in
                        var s: Float = 0
                        for k in 0..<d { s += qkv[t][h * d + k] * qkv[u][width + h * d + k] }
                        return s / Float(d).squareRoot()
                    }
                    let top = scores.max() ?? 0
                    scores = scores.map { Foundation.exp($0 - top) }
                    let total = scores.reduce(0, +)
                    for k in 0..<d {
                        var s: Float = 0
                        for u in 0..<tokens { s += scores[u] / total * qkv[u][2 * width + h * d + k] }
                        merged[t][h * d + k] = s
                    }
                    for k in 0..<d { expectedKeys[(n * tokens + t) * d + k] += qkv[t][width + h * d + k] / Float(heads) }
                }
            }
            for t in 0..<tokens {
                for o in 0..<width {
                    var s = pb[o]
                    for i in 0..<width { s += merged[t][i] * pw[o * width + i] }
                    expected[(n * tokens + t) * width + o] = s
                }
            }
        }
        expectClose(output.output, Tensor(shape: [2, 3, 4], scalars: expected), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        expectClose(output.keys, Tensor(shape: [2, 3, 2], scalars: expectedKeys), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("every parameter receives a gradient")
    func gradientFlow() {
        VisionTestHelpers.checkEveryParameterLearns(Self.tinyModel(seed: 4), input: testTensor([3, 1, 8, 8]), labels: [0, 2, 1])
    }

    @Test("head and MLP groups; pruning counts by hand")
    func groups() throws {
        let model = Self.tinyModel(seed: 5)
        #expect(model.prunableGroups.map(\.name) == [
            "blocks.0.attn.heads", "blocks.0.mlp.hidden", "blocks.1.attn.heads", "blocks.1.mlp.hidden",
        ])
        let heads = try model.prunableGroup(named: "blocks.0.attn.heads")
        #expect(heads.size == 2)
        #expect(heads.slices.filter { $0.parameter == "blocks.0.attn.qkv.weight" }.map(\.offset) == [0, 8, 16])
        let count = model.parameterCount
        // One head of 4: qkv rows 3·4·8 = 96 + bias 12, proj columns 8·4 = 32.
        try model.pruneGroup("blocks.0.attn.heads", keeping: [1])
        #expect(model.parameterCount == count - 140)
        #expect(model.blocks[0].attention.headCount == 1)
        #expect(model.blocks[0].attention.qkv.weight.shape == [12, 8])
        // Ten of 16 hidden units: fc1 rows 6·8 + bias 6, fc2 columns 8·6.
        try model.pruneGroup("blocks.1.mlp.hidden", keeping: Array(3..<13))
        #expect(model.parameterCount == count - 140 - 102)
        #expect(withoutGradients { model(testTensor([2, 1, 8, 8])) }.shape == [2, 3])
    }

    @Test("pruned heads and hidden units compute what zeroed ones compute")
    func pruningMatchesZeroing() throws {
        try VisionTestHelpers.checkPruningMatchesZeroing(
            build: {
                var random = RandomGenerator(seed: 6)
                return VisionTransformer(
                    imageSize: 8, patchSize: 2, inputChannels: 3, classCount: 4, width: 12, depth: 2, heads: 3,
                    mlpRatio: 2, using: &random)
            },
            input: testTensor([2, 3, 8, 8], seed: 7))
    }
}
