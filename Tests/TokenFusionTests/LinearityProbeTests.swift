import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

/// A block whose attention half is the identity (keys = the tokens, one head) and whose MLP
/// half is `feedForward`.
struct ToyBlock: TokenMergingBlock {
    let transform: @Sendable (Tensor) -> Tensor

    func attentionHalf(_ x: Tensor, mask: AttentionMask?) -> (hidden: Tensor, query: Tensor, key: Tensor) {
        (x, x.unsqueezed(at: 1), x.unsqueezed(at: 1))
    }

    func feedForward(_ x: Tensor) -> Tensor { transform(x) }
}

@Suite struct LinearityProbeTests {
    static let batch = (tokens: testTensor([2, 12, 4], seed: 61), validLengths: Optional([12, 9]))

    @Test("an affine layer scores 0, a non-linear one does not, and the scores are scale-free")
    func affineAndNonlinear() {
        let weight = testTensor([4, 4], seed: 62)
        let affine = ToyBlock { $0.matmul(weight) + 0.5 }
        let square = ToyBlock { $0.squared() }
        let probe = LinearityProbe(r: 3, interpolationWeights: [0.25, 0.5, 0.75])
        let scores = probe.nonlinearity(of: [square, affine], batches: [Self.batch])
        #expect(scores.count == 2)
        #expect(scores[1] < 1e-5)
        #expect(scores[0] > 0.05)
        // For g(x) = x², g(αa + (1−α)b) − (αg(a) + (1−α)g(b)) = −α(1−α)(a − b)² and
        // g(a) − g(b) = (a − b)(a + b): a loop over the matched pairs gives the same ratio.
        let plan = BipartiteSoftMatching.plan(metric: Self.batch.tokens, r: 3, protectsClassToken: true, validLengths: [12, 9])
        var deviation = 0.0, spread = 0.0
        for (b, row) in plan.rows.enumerated() {
            let rows = Reference.rows(Self.batch.tokens, batch: b)
            for (s, d) in zip(row.sources, row.destinations) {
                for c in 0..<4 {
                    let (x, y) = (Double(rows[s][c]), Double(rows[d][c]))
                    for alpha in [0.25, 0.5, 0.75] {
                        deviation += pow(alpha * (1 - alpha) * (x - y) * (x - y), 2)
                        spread += pow(x * x - y * y, 2)
                    }
                }
            }
        }
        #expect(abs(Double(scores[0]) - (deviation / spread).squareRoot()) < 1e-4)
        let scaled = probe.nonlinearity(of: [ToyBlock { $0.squared() * 10 }], batches: [Self.batch])
        #expect(abs(scaled[0] - scores[0]) < 1e-4)
    }

    @Test("the first merging layer is where the scores stay at or below the threshold")
    func split() {
        #expect(LinearityProbe.firstMergingLayer(scores: [0.20, 0.19, 0.15, 0.14, 0.14, 0.02]) == 0)
        #expect(LinearityProbe.firstMergingLayer(scores: [0.9, 0.6, 0.3, 0.1]) == 2)
        #expect(LinearityProbe.firstMergingLayer(scores: [0.2, 0.7, 0.05]) == 2)
        #expect(LinearityProbe.firstMergingLayer(scores: [0.5, 0.5]) == 2)
        #expect(LinearityProbe.firstMergingLayer(scores: [0.20, 0.19, 0.15, 0.14, 0.14, 0.02], threshold: 0.141) == 3)
        #expect(LinearityProbe.firstMergingLayer(scores: []) == 0)
    }

    @Test("a score below ½ means averaging a pair beats keeping one of its tokens")
    func breakEven() {
        let probe = LinearityProbe(r: 4)
        let plan = BipartiteSoftMatching.plan(metric: Self.batch.tokens, r: 4, protectsClassToken: true, validLengths: [12, 9])
        var outcomes: [Bool] = []
        // x − c·tanh²(4x): linear for c = 0; a dip at 0 that pairs straddling 0 interpolate into.
        for c: Float in [0.01, 0.3, 1, 10, 100] {
            let block = ToyBlock { $0 - ($0 * 4).tanh().squared() * c }
            let score = probe.nonlinearity(of: [block], batches: [Self.batch])[0]
            // Squared error of the representative's output against both members' outputs.
            var pruneError: Float = 0, mergeError: Float = 0
            for (b, row) in plan.rows.enumerated() {
                let rows = Reference.rows(Self.batch.tokens, batch: b)
                for (s, d) in zip(row.sources, row.destinations) {
                    let (ga, gb) = (Reference.rows(block.feedForward(Tensor(shape: [1, 1, 4], scalars: rows[s])), batch: 0)[0],
                                    Reference.rows(block.feedForward(Tensor(shape: [1, 1, 4], scalars: rows[d])), batch: 0)[0])
                    let midpoint = zip(rows[s], rows[d]).map { ($0 + $1) / 2 }
                    let gm = Reference.rows(block.feedForward(Tensor(shape: [1, 1, 4], scalars: midpoint)), batch: 0)[0]
                    for k in 0..<4 {
                        pruneError += (ga[k] - gb[k]) * (ga[k] - gb[k])
                        mergeError += (gm[k] - ga[k]) * (gm[k] - ga[k]) + (gm[k] - gb[k]) * (gm[k] - gb[k])
                    }
                }
            }
            #expect((score < 0.5) == (mergeError < pruneError), "c = \(c): score \(score), merge \(mergeError), prune \(pruneError)")
            outcomes.append(score < 0.5)
        }
        #expect(outcomes.contains(true) && outcomes.contains(false))
    }

    @Test("a BERT encoder gets one finite score per layer")
    func bert() {
        let model = TokenMergingBERTTests.model()
        let scores = LinearityProbe(r: 2).nonlinearity(of: model, inputs: [TokenMergingBERTTests.input])
        #expect(scores.count == 3)
        #expect(scores.allSatisfy { $0.isFinite && $0 > 0 })
    }
}
