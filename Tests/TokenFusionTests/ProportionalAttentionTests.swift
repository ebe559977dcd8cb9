import Foundation
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct ProportionalAttentionTests {
    static let query = testTensor([2, 3, 5, 4], seed: 31)
    static let key = testTensor([2, 3, 5, 4], seed: 32)
    static let value = testTensor([2, 3, 5, 4], seed: 33)

    @Test("with every size 1 it is plain attention, bit for bit")
    func unitSizes() {
        let plain = Tensor.scaledDotProductAttention(query: Self.query, key: Self.key, value: Self.value)
        let mask = ProportionalAttention.mask(sizes: Tensor.ones([2, 5]), validLengths: [5, 5], tokenCount: 5)
        let proportional = Tensor.scaledDotProductAttention(query: Self.query, key: Self.key, value: Self.value, mask: mask)
        #expect(proportional.scalars == plain.scalars)
        // With padding: the same as the boolean padding mask.
        let padding = AttentionMask.keyPadding(validLengths: [5, 3], keyLength: 5)
        let padded = Tensor.scaledDotProductAttention(query: Self.query, key: Self.key, value: Self.value, mask: padding)
        let unitPadded = ProportionalAttention.mask(sizes: Tensor.ones([2, 5]), validLengths: [5, 3], tokenCount: 5)
        #expect(Tensor.scaledDotProductAttention(query: Self.query, key: Self.key, value: Self.value, mask: unitPadded).scalars == padded.scalars)
        #expect(ProportionalAttention.mask(sizes: nil, validLengths: [5, 5], tokenCount: 5) == nil)
    }

    @Test("a key of size 2 weighs as two copies of itself")
    func duplicatedKey() {
        let q = testTensor([1, 2, 3, 4], seed: 34)
        let k = testTensor([1, 2, 3, 4], seed: 35)
        let v = testTensor([1, 2, 3, 4], seed: 36)
        let mask = ProportionalAttention.mask(sizes: Tensor(shape: [1, 3], scalars: [1, 2, 1]), validLengths: [3], tokenCount: 3)
        let proportional = Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: mask)
        let twice = [0, 1, 1, 2]
        let duplicated = Tensor.scaledDotProductAttention(
            query: q, key: k.indexSelect(twice, alongAxis: 2), value: v.indexSelect(twice, alongAxis: 2))
        expectClose(proportional, duplicated, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("class attention matches the loop reference, with sizes and padding")
    func classAttention() {
        let sizes = Tensor(shape: [2, 5], scalars: [1, 2, 1, 3, 1, 1, 1, 4, 1, 1])
        let lengths = [5, 4]
        let mask = ProportionalAttention.mask(sizes: sizes, validLengths: lengths, tokenCount: 5)
        let scores = ProportionalAttention.classAttention(query: Self.query, key: Self.key, mask: mask)
        var expected: [Float] = []
        for b in 0..<2 {
            var average = [Double](repeating: 0, count: 5)
            for h in 0..<3 {
                var logits = [Double](repeating: -.infinity, count: 5)
                for t in 0..<lengths[b] {
                    var dot = 0.0
                    for c in 0..<4 { dot += Double(Self.query[b, h, 0, c]) * Double(Self.key[b, h, t, c]) }
                    logits[t] = dot / 2 + Foundation.log(Double(sizes[b, t]))
                }
                let top = logits.max() ?? 0
                let total = logits.reduce(0) { $0 + Foundation.exp($1 - top) }
                for t in 0..<5 { average[t] += Foundation.exp(logits[t] - top) / total / 3 }
            }
            expected += average.map(Float.init)
        }
        expectClose(scores, Tensor(shape: [2, 5], scalars: expected), relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
        checkGradients(of: { ProportionalAttention.classAttention(query: $0[0], key: $0[1], mask: mask) },
                       at: [Self.query, Self.key])
    }
}
