@testable import PruningCore
import PruningTestSupport
import Testing

/// The causal softmax of attention scores, against the masked softmax it replaces.
@Suite struct CausalSoftmaxTests {
    @Test("equals maskedFill(−∞) then softmax", arguments: [
        // (shape, keyShift): square, keys ahead of the queries (a cache), rows that see no key,
        // and rows longer than one 16-lane vector.
        ([2, 3, 5, 5], 0), ([1, 2, 3, 7], 4), ([1, 1, 4, 2], -2), ([1, 2, 6, 40], 34),
    ])
    func matchesMaskedSoftmax(arguments: ([Int], Int)) {
        let (shape, shift) = arguments
        let (queryLength, keyLength) = (shape[2], shape[3])
        let scores = testTensor(shape, lower: -4, upper: 4, seed: 41)
        let mask = Tensor.causalDisallowed(queryLength: queryLength, keyLength: keyLength)
        #expect(keyLength - queryLength == shift)
        expectClose(
            scores.causalSoftmax(keyShift: shift), scores.maskedFill(mask, with: -.infinity).softmax(alongAxis: -1),
            relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
    }

    @Test("gradient check")
    func gradients() {
        let scores = testTensor([2, 4, 6], seed: 42)
        checkGradients(of: { $0[0].causalSoftmax(keyShift: 2) }, at: [scores])
    }

    @Test("causal attention without a mask: gradients with GQA and cached keys")
    func attentionGradients() {
        let q = testTensor([1, 4, 3, 4], seed: 43)
        let k = testTensor([1, 2, 5, 4], seed: 44)
        let v = testTensor([1, 2, 5, 3], seed: 45)
        checkGradients(of: { Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], isCausal: true) }, at: [q, k, v])
        let additive = AttentionMask.additive(testTensor([1, 1, 3, 5], seed: 46))
        checkGradients(of: {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], mask: additive, isCausal: true)
        }, at: [q, k, v])
    }

    @Test("16-lane maximum and scaling agree with the scalar loops")
    func vectorHelpers() {
        var values = testTensor([37], lower: -5, upper: 5, seed: 47).scalars
        values[3] = -.infinity
        values[35] = 7.5
        values.withUnsafeBufferPointer { p in
            #expect(VectorMath.maximum(p.baseAddress!, count: 37, vectorized: true) == 7.5)
            #expect(VectorMath.maximum(p.baseAddress!, count: 20, vectorized: true) == values[0..<20].max()!)
            #expect(VectorMath.maximum(p.baseAddress!, count: 0, vectorized: true) == -.infinity)
        }
        var vectorized = values
        var scalar = values
        vectorized.withUnsafeMutableBufferPointer { VectorMath.scale($0.baseAddress!, count: 37, by: 0.25, vectorized: true) }
        scalar.withUnsafeMutableBufferPointer { VectorMath.scale($0.baseAddress!, count: 37, by: 0.25, vectorized: false) }
        #expect(vectorized == scalar)
        #expect(scalar[35] == 7.5 * 0.25)
    }
}
