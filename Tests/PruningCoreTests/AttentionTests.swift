import Foundation
import PruningCore
import PruningTestSupport
import Testing

/// The element of `t` at a rank-4 index, reading `t` as broadcast to rank 4.
private func broadcastElement(_ t: Tensor, _ index: [Int]) -> Float {
    let shape = [Int](repeating: 1, count: 4 - t.rank) + t.shape
    var offset = 0
    for axis in 0..<4 { offset = offset * shape[axis] + (shape[axis] == 1 ? 0 : index[axis]) }
    return t.scalars[offset]
}

/// Scaled dot-product attention by explicit loops in double precision: each query head `h`
/// reads key-value head `h / (heads / kvHeads)`.
private func referenceAttention(
    query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask? = nil, scale: Float? = nil, isCausal: Bool = false
) -> Tensor {
    let (batch, heads, queryLength, headDim) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
    let (kvHeads, keyLength, valueDim) = (key.shape[1], key.shape[2], value.shape[3])
    let group = heads / kvHeads
    let factor = Double(scale ?? 1 / Float(headDim).squareRoot())
    var out = [Float](repeating: 0, count: batch * heads * queryLength * valueDim)
    for b in 0..<batch {
        for h in 0..<heads {
            let kh = h / group
            for i in 0..<queryLength {
                var scores = [Double](repeating: 0, count: keyLength)
                var allowed = [Bool](repeating: true, count: keyLength)
                for j in 0..<keyLength {
                    var s = 0.0
                    for d in 0..<headDim { s += Double(query[b, h, i, d]) * Double(key[b, kh, j, d]) }
                    scores[j] = s * factor
                    if isCausal && j > i + keyLength - queryLength { allowed[j] = false }
                    switch mask {
                    case .additive(let m)?: scores[j] += Double(broadcastElement(m, [b, h, i, j]))
                    case .boolean(let m)?: if broadcastElement(m, [b, h, i, j]) == 0 { allowed[j] = false }
                    case nil: break
                    }
                }
                let visible = (0..<keyLength).filter { allowed[$0] && scores[$0] > -.infinity }
                guard let top = visible.map({ scores[$0] }).max() else { continue }
                let total = visible.reduce(0.0) { $0 + Foundation.exp(scores[$1] - top) }
                for d in 0..<valueDim {
                    var acc = 0.0
                    for j in visible { acc += Foundation.exp(scores[j] - top) / total * Double(value[b, kh, j, d]) }
                    out[((b * heads + h) * queryLength + i) * valueDim + d] = Float(acc)
                }
            }
        }
    }
    return Tensor(shape: [batch, heads, queryLength, valueDim], scalars: out)
}

@Suite struct ScaledDotProductAttentionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let batch: Int, heads: Int, kvHeads: Int, queryLength: Int, keyLength: Int, headDim: Int, valueDim: Int
        let isCausal: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain", batch: 2, heads: 2, kvHeads: 2, queryLength: 3, keyLength: 3, headDim: 4, valueDim: 4, isCausal: false),
        Case(name: "causal", batch: 2, heads: 2, kvHeads: 2, queryLength: 4, keyLength: 4, headDim: 4, valueDim: 4, isCausal: true),
        Case(name: "GQA 6/2 causal", batch: 2, heads: 6, kvHeads: 2, queryLength: 3, keyLength: 3, headDim: 4, valueDim: 4, isCausal: true),
        Case(name: "multi-query 4/1", batch: 1, heads: 4, kvHeads: 1, queryLength: 2, keyLength: 5, headDim: 3, valueDim: 2, isCausal: false),
        Case(name: "keyLength > queryLength causal", batch: 2, heads: 4, kvHeads: 2, queryLength: 2, keyLength: 5, headDim: 4, valueDim: 3, isCausal: true),
        Case(name: "keyLength < queryLength causal", batch: 1, heads: 2, kvHeads: 1, queryLength: 4, keyLength: 2, headDim: 4, valueDim: 4, isCausal: true),
    ]

    private func inputs(_ c: Case, seed: UInt64 = 1) -> (Tensor, Tensor, Tensor) {
        (testTensor([c.batch, c.heads, c.queryLength, c.headDim], seed: seed),
         testTensor([c.batch, c.kvHeads, c.keyLength, c.headDim], seed: seed + 1),
         testTensor([c.batch, c.kvHeads, c.keyLength, c.valueDim], seed: seed + 2))
    }

    @Test("matches the loop reference", arguments: cases)
    func matchesReference(c: Case) {
        let (q, k, v) = inputs(c)
        let y = Tensor.scaledDotProductAttention(query: q, key: k, value: v, isCausal: c.isCausal)
        expectClose(y, referenceAttention(query: q, key: k, value: v, isCausal: c.isCausal), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("padding masks, boolean and additive, with GQA")
    func paddingMasks() {
        let c = Self.cases[2]
        let (q, k, v) = inputs(c, seed: 5)
        let padding = AttentionMask.keyPadding(validLengths: [3, 2], keyLength: 3)
        let y = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: padding, isCausal: true)
        expectClose(y, referenceAttention(query: q, key: k, value: v, mask: padding, isCausal: true), absoluteTolerance: 1e-6)

        // An additive mask per head and query, with a −inf entry.
        var additiveValues = testTensor([1, c.heads, c.queryLength, c.keyLength], lower: -2, upper: 2, seed: 9)
        additiveValues[0, 1, 2, 0] = -.infinity
        let additive = AttentionMask.additive(additiveValues)
        let z = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: additive, scale: 0.7)
        expectClose(z, referenceAttention(query: q, key: k, value: v, mask: additive, scale: 0.7), absoluteTolerance: 1e-6)

        // A boolean mask equal to the causal rule reproduces isCausal.
        let explicit = Tensor.scaledDotProductAttention(
            query: q, key: k, value: v, mask: .causal(queryLength: c.queryLength, keyLength: c.keyLength))
        expectClose(explicit, Tensor.scaledDotProductAttention(query: q, key: k, value: v, isCausal: true))
    }

    @Test("a query that sees no key outputs zeros")
    func fullyMaskedRow() {
        let c = Self.cases[5]
        let (q, k, v) = inputs(c)
        let y = Tensor.scaledDotProductAttention(query: q, key: k, value: v, isCausal: true)
        // queryLength 4, keyLength 2: queries 0 and 1 see no key.
        #expect(y.sliced(alongAxis: 2, from: 0, count: 2).scalars.allSatisfy { $0 == 0 })
        #expect(y.sliced(alongAxis: 2, from: 2, count: 2).scalars.contains { $0 != 0 })
    }

    @Test("gradients with respect to query, key and value", arguments: [cases[2], cases[4]])
    func gradients(c: Case) {
        let (q, k, v) = inputs(c, seed: 13)
        let padding = AttentionMask.keyPadding(validLengths: Array(repeating: c.keyLength - 1, count: c.batch), keyLength: c.keyLength)
        checkGradients(of: {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], mask: padding, isCausal: c.isCausal)
        }, at: [q, k, v])
    }

    @Test("gradient with respect to an additive mask")
    func maskGradient() {
        let c = Self.cases[0]
        let (q, k, v) = inputs(c, seed: 17)
        let mask = testTensor([c.batch, 1, c.queryLength, c.keyLength], seed: 19)
        checkGradients(of: {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], mask: .additive($0[3]))
        }, at: [q, k, v, mask])
    }
}

@Suite struct RotaryEmbeddingTests {
    /// Rotary by the textbook formula in double precision.
    private func reference(_ x: Tensor, frequencies: [Float], positions: [Int], pairing: RotaryEmbedding.Pairing) -> Tensor {
        let d = x.shape[x.rank - 1]
        let length = positions.count
        var out = x.scalars
        let rows = x.count / (length * d)
        for row in 0..<rows {
            for (t, p) in positions.enumerated() {
                let base = (row * length + t) * d
                for j in 0..<d / 2 {
                    let (i1, i2) = pairing == .halves ? (j, j + d / 2) : (2 * j, 2 * j + 1)
                    let angle = Double(p) * Double(frequencies[j])
                    let (a, b) = (Double(out[base + i1]), Double(out[base + i2]))
                    out[base + i1] = Float(a * Foundation.cos(angle) - b * Foundation.sin(angle))
                    out[base + i2] = Float(b * Foundation.cos(angle) + a * Foundation.sin(angle))
                }
            }
        }
        return Tensor(shape: x.shape, scalars: out)
    }

    @Test("standard frequencies are base^(−2j/d)")
    func frequencies() {
        let rotary = RotaryEmbedding(headDimension: 8, base: 10_000, maxPositions: 4)
        expectClose(rotary.frequencies, [1, 0.1, 0.01, 0.001], relativeTolerance: 1e-6)
        #expect(rotary.headDimension == 8 && rotary.pairCount == 4)
        #expect(rotary.dimensions(ofPair: 1) == (1, 5))
        #expect(RotaryEmbedding(headDimension: 8, maxPositions: 4, pairing: .interleaved).dimensions(ofPair: 1) == (2, 3))
    }

    @Test("matches the rotation formula", arguments: [RotaryEmbedding.Pairing.halves, .interleaved])
    func formula(pairing: RotaryEmbedding.Pairing) {
        let rotary = RotaryEmbedding(headDimension: 6, base: 100, maxPositions: 40, pairing: pairing)
        let x = testTensor([2, 3, 4, 6], seed: 3)
        expectClose(rotary(x, offset: 30), reference(x, frequencies: rotary.frequencies, positions: Array(30..<34), pairing: pairing),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        let positions = [5, 0, 39, 2]
        expectClose(rotary(x, positions: positions), reference(x, frequencies: rotary.frequencies, positions: positions, pairing: pairing),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("rotation preserves the norm of every pair", arguments: [RotaryEmbedding.Pairing.halves, .interleaved])
    func norms(pairing: RotaryEmbedding.Pairing) {
        let rotary = RotaryEmbedding(headDimension: 8, maxPositions: 64, pairing: pairing)
        let x = testTensor([1, 2, 5, 8], seed: 4)
        let y = rotary(x, offset: 50)
        for j in 0..<4 {
            let (i1, i2) = rotary.dimensions(ofPair: j)
            let normX = (x.indexSelect([i1, i2], alongAxis: 3).squared()).sum(alongAxis: 3)
            let normY = (y.indexSelect([i1, i2], alongAxis: 3).squared()).sum(alongAxis: 3)
            expectClose(normY, normX, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        }
    }

    @Test("⟨R(m)q, R(n)k⟩ depends only on m − n", arguments: [RotaryEmbedding.Pairing.halves, .interleaved])
    func relativePosition(pairing: RotaryEmbedding.Pairing) {
        let rotary = RotaryEmbedding(headDimension: 8, maxPositions: 64, pairing: pairing)
        let q = testTensor([1, 1, 1, 8], seed: 5)
        let k = testTensor([1, 1, 1, 8], seed: 6)
        func score(_ m: Int, _ n: Int) -> Float { (rotary(q, positions: [m]) * rotary(k, positions: [n])).sum().scalar }
        let base = score(7, 3)
        for shift in [1, 10, 40] { #expect(Swift.abs(score(7 + shift, 3 + shift) - base) < 1e-5) }
        #expect(Swift.abs(score(8, 3) - base) > 1e-3)
        // At equal positions the rotation cancels.
        #expect(Swift.abs(score(20, 20) - (q * k).sum().scalar) < 1e-5)
    }

    @Test("halves and interleaved agree after permuting the head dimensions")
    func pairingsAgree() {
        let halves = RotaryEmbedding(headDimension: 8, maxPositions: 16, pairing: .halves)
        let interleaved = RotaryEmbedding(headDimension: 8, maxPositions: 16, pairing: .interleaved)
        let order = RotaryEmbedding.halvesOrder(fromInterleavedHeadDimension: 8)
        #expect(order == [0, 2, 4, 6, 1, 3, 5, 7])
        let x = testTensor([2, 2, 3, 8], seed: 7)
        expectClose(halves(x.indexSelect(order, alongAxis: 3), offset: 5),
                    interleaved(x, offset: 5).indexSelect(order, alongAxis: 3), relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
    }

    @Test("a rotary that keeps a subset of pairs rotates those dimensions as the full one")
    func keptPairs() {
        let full = RotaryEmbedding(headDimension: 8, maxPositions: 16)
        let kept = full.keepingPairs([0, 2])
        #expect(kept.frequencies == [full.frequencies[0], full.frequencies[2]])
        let x = testTensor([1, 2, 3, 8], seed: 8)
        // Halves layout: pairs 0 and 2 are dimensions (0, 4) and (2, 6).
        let subset = [0, 2, 4, 6]
        expectClose(kept(x.indexSelect(subset, alongAxis: 3), offset: 4),
                    full(x, offset: 4).indexSelect(subset, alongAxis: 3), relativeTolerance: 1e-6, absoluteTolerance: 1e-7)
        let explicit = RotaryEmbedding(frequencies: [0.5, 0.25], maxPositions: 8)
        let y = testTensor([1, 1, 2, 4], seed: 9)
        expectClose(explicit(y, offset: 3), reference(y, frequencies: [0.5, 0.25], positions: [3, 4], pairing: .halves),
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("gradient check", arguments: [RotaryEmbedding.Pairing.halves, .interleaved])
    func gradient(pairing: RotaryEmbedding.Pairing) {
        let rotary = RotaryEmbedding(headDimension: 4, maxPositions: 16, pairing: pairing)
        let x = testTensor([2, 2, 3, 4], seed: 10)
        checkGradients(of: { rotary($0[0], offset: 7) }, at: [x])
    }
}

@Suite struct MultiHeadAttentionTests {
    @Test("parameters are named like Hugging Face LLaMA")
    func names() {
        var random = RandomGenerator(seed: 1)
        let attention = MultiHeadAttention(modelDimension: 8, headCount: 4, keyValueHeadCount: 2, projectionBias: true, using: &random)
        let names = attention.namedParameters().map(\.name)
        #expect(names == ["q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias",
                          "v_proj.weight", "v_proj.bias", "o_proj.weight"])
        #expect(attention.keyProjection.weight.shape == [4, 8])
        #expect(attention.outputProjection.weight.shape == [8, 8])
    }

    @Test("matches a per-head reference built from the projection rows")
    func perHeadReference() {
        var random = RandomGenerator(seed: 2)
        let (model, heads, kvHeads, headDim, length) = (6, 4, 2, 3, 5)
        let attention = MultiHeadAttention(
            modelDimension: model, headCount: heads, keyValueHeadCount: kvHeads, headDimension: headDim,
            projectionBias: true, outputBias: true, using: &random)
        let x = testTensor([2, length, model], seed: 3)
        let y = attention(x)

        func project(_ linear: Linear, head: Int) -> Tensor {
            let rows = Array(head * headDim..<(head + 1) * headDim)
            return x.matmul(linear.weight.value.indexSelect(rows, alongAxis: 0), transposingOther: true)
                + linear.bias!.value.indexSelect(rows, alongAxis: 0)
        }
        let causal = AttentionMask.causal(queryLength: length, keyLength: length).tensor .== 0
        var headOutputs: [Tensor] = []
        for h in 0..<heads {
            let kh = h / (heads / kvHeads)
            let q = project(attention.queryProjection, head: h)
            let k = project(attention.keyProjection, head: kh)
            let v = project(attention.valueProjection, head: kh)
            let scores = (q.matmul(k, transposingOther: true) / Float(headDim).squareRoot()).maskedFill(causal, with: -.infinity)
            headOutputs.append(scores.softmax(alongAxis: -1).matmul(v))
        }
        let expected = attention.outputProjection(Tensor.concatenate(headOutputs, alongAxis: 2))
        expectClose(y, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("decoding with a key-value cache equals one causal pass", arguments: [false, true])
    func cacheMatchesFullPass(chunkedPrefill: Bool) {
        var random = RandomGenerator(seed: 4)
        let rotary = RotaryEmbedding(headDimension: 4, maxPositions: 32)
        let attention = MultiHeadAttention(
            modelDimension: 8, headCount: 4, keyValueHeadCount: 2, headDimension: 4, rotary: rotary, using: &random)
        let length = 6
        let x = testTensor([2, length, 8], seed: 5)
        let full = attention(x)

        let cache = KeyValueCache()
        var pieces: [Tensor] = []
        var position = 0
        if chunkedPrefill {
            pieces.append(attention(x.sliced(alongAxis: 1, from: 0, count: 4), cache: cache))
            position = 4
        }
        while position < length {
            #expect(cache.length == position)
            pieces.append(attention(x.sliced(alongAxis: 1, from: position, count: 1), cache: cache))
            position += 1
        }
        #expect(cache.length == length && cache.keys?.shape == [2, 2, length, 4])
        expectClose(Tensor.concatenate(pieces, alongAxis: 1), full, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)

        // Rolling the cache back and decoding the last token again gives the same output.
        cache.truncate(to: length - 1)
        let again = attention(x.sliced(alongAxis: 1, from: length - 1, count: 1), cache: cache)
        expectClose(again, full.sliced(alongAxis: 1, from: length - 1, count: 1), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        cache.reset()
        #expect(cache.length == 0 && cache.keys == nil)
    }

    @Test("gradients with respect to the input and the projection weights")
    func gradients() {
        var random = RandomGenerator(seed: 6)
        let attention = MultiHeadAttention(
            modelDimension: 4, headCount: 2, keyValueHeadCount: 1,
            rotary: RotaryEmbedding(headDimension: 2, maxPositions: 8), using: &random)
        let x = testTensor([1, 3, 4], seed: 7)
        let padding = AttentionMask.keyPadding(validLengths: [2], keyLength: 3)
        let q = attention.queryProjection.weight
        let k = attention.keyProjection.weight
        checkGradients(of: { inputs in
            q.value = inputs[1]
            k.value = inputs[2]
            return attention(inputs[0], mask: padding)
        }, at: [x, q.value, k.value])
    }
}
