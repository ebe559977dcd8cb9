import Foundation
import PruningCore
import PruningTestSupport
import Testing
import TokenFusion

@Suite struct BipartiteSoftMatchingTests {
    @Test("matches the loop reference on random tokens", arguments: [
        ([3, 11, 5], false), ([3, 11, 5], true), ([2, 10, 4], false), ([2, 10, 4], true), ([1, 2, 3], false),
    ])
    func reference(shape: [Int], classToken: Bool) {
        let metric = testTensor(shape, seed: UInt64(shape[1] * 10 + (classToken ? 1 : 0)))
        for r in 0...7 {
            let plan = BipartiteSoftMatching.plan(metric: metric, r: r, protectsClassToken: classToken)
            for b in 0..<shape[0] {
                let expected = Reference.matching(Reference.rows(metric, batch: b), r: r, classToken: classToken)
                let row = plan.rows[b]
                #expect(row.sources == expected.sources, "r = \(r), row \(b)")
                #expect(row.destinations == expected.destinations, "r = \(r), row \(b)")
                #expect(row.kept == expected.kept, "r = \(r), row \(b)")
            }
        }
    }

    /// Six 2-D tokens at known angles: A = positions 0, 2, 4 at 0°, 90°, 180°; B = 1, 3, 5 at
    /// 95°, 25°, 240°. Best edges: 2→1 (cos 5° ≈ 0.996), 0→3 (cos 25° ≈ 0.906), 4→5 (cos 60° = 0.5).
    static let angles: [Double] = [0, 95, 90, 25, 180, 240]
    static var sixTokens: Tensor {
        Tensor(shape: [1, 6, 2], scalars: angles.flatMap { a in
            [Float(cos(a * .pi / 180)), Float(sin(a * .pi / 180))]
        })
    }

    @Test("without a class token the kept A tokens come in descending-similarity order")
    func orderWithoutClassToken() {
        let plan = BipartiteSoftMatching.plan(metric: Self.sixTokens, r: 1)
        #expect(plan.rows[0].sources == [2] && plan.rows[0].destinations == [1])
        #expect(plan.rows[0].kept == [0, 4])   // 0 (0.906) before 4 (0.5)
        let two = BipartiteSoftMatching.plan(metric: Self.sixTokens, r: 2)
        #expect(two.rows[0].sources == [2, 0] && two.rows[0].destinations == [1, 3] && two.rows[0].kept == [4])
        // Output: [kept 4, B 1 (+2), B 3 (+0), B 5].
        #expect(two.slots(ofRow: 0) == [2, 1, 1, 2, 0, 3])
        #expect(two.outputTokenCount == 4)
    }

    @Test("a protected class token is never a source and stays first")
    func classToken() {
        let plan = BipartiteSoftMatching.plan(metric: Self.sixTokens, r: 2, protectsClassToken: true)
        #expect(plan.rows[0].sources == [2, 4] && plan.rows[0].destinations == [1, 5] && plan.rows[0].kept == [0])
        #expect(plan.slots(ofRow: 0)[0] == 0)
        // Random tokens, every r: token 0 keeps slot 0 and is alone there.
        let metric = testTensor([4, 9, 3], seed: 5)
        for r in 1...6 {
            let p = BipartiteSoftMatching.plan(metric: metric, r: r, protectsClassToken: true)
            for b in 0..<4 {
                #expect(p.members(ofRow: b)[0] == [0])
                #expect(!p.rows[b].sources.contains(0))
            }
        }
    }

    @Test("r is capped at (t − protected) / 2 per row")
    func cap() {
        #expect(BipartiteSoftMatching.mergeCount(requested: 16, tokenCount: 21, protectedCount: 1) == 10)
        #expect(BipartiteSoftMatching.mergeCount(requested: 16, tokenCount: 197, protectedCount: 1) == 16)
        #expect(BipartiteSoftMatching.mergeCount(requested: 5, tokenCount: 1, protectedCount: 1) == 0)
        #expect(BipartiteSoftMatching.mergeCount(requested: -3, tokenCount: 10, protectedCount: 0) == 0)
        let metric = testTensor([2, 7, 3], seed: 9)
        let plan = BipartiteSoftMatching.plan(metric: metric, r: 100, protectsClassToken: true)
        #expect(plan.rows.map(\.sources.count) == [3, 3])
        #expect(plan.outputTokenCount == 4)
        let none = BipartiteSoftMatching.plan(metric: metric, r: 0)
        #expect(none.isIdentity && none.outputTokenCount == 7 && none.slots(ofRow: 1) == Array(0..<7))
    }

    @Test("each padded row is matched as if it were alone")
    func padding() {
        let metric = testTensor([3, 10, 4], seed: 11)
        let lengths = [10, 7, 4]
        let plan = BipartiteSoftMatching.plan(metric: metric, r: 3, protectsClassToken: true, validLengths: lengths)
        #expect(plan.outputValidLengths == [7, 4, 3])
        #expect(plan.outputTokenCount == 7)
        for (b, length) in lengths.enumerated() {
            let expected = Reference.matching(Reference.rows(metric, batch: b, count: length), r: 3, classToken: true)
            #expect(plan.rows[b].sources == expected.sources && plan.rows[b].kept == expected.kept)
            // Padding follows the real outputs; the rest of it is dropped.
            let slots = plan.slots(ofRow: b)
            let outputs = plan.rows[b].outputCount
            for (k, token) in (length..<10).enumerated() {
                #expect(slots[token] == (outputs + k < 7 ? outputs + k : -1))
            }
        }
    }
}
