import Testing
import TokenFusion

@Suite struct MergeScheduleTests {
    @Test("parse_r examples: decreasing and increasing linear schedules")
    func linear() {
        #expect(MergeSchedule.linear(r: 16, inflection: -1).values(layerCount: 12) == [32, 29, 26, 23, 20, 17, 14, 11, 8, 5, 2, 0])
        #expect(MergeSchedule.linear(r: 16, inflection: 0.5).values(layerCount: 12) == [8, 9, 10, 12, 13, 15, 16, 18, 19, 21, 22, 24])
        #expect(MergeSchedule.linear(r: 8, inflection: 0).values(layerCount: 6) == [8, 8, 8, 8, 8, 8])
        #expect(MergeSchedule.linear(r: 5, inflection: -1).values(layerCount: 1) == [10])
    }

    @Test("constant and per-layer schedules")
    func constantAndList() {
        #expect(MergeSchedule.constant(13).values(layerCount: 3) == [13, 13, 13])
        #expect(MergeSchedule.perLayer([4, 2]).values(layerCount: 5) == [4, 2, 0, 0, 0])
        #expect(MergeSchedule.perLayer([]).values(layerCount: 2) == [0, 0])
    }

    @Test("ViT-B/16 with r = 16: the last layer is capped at 10")
    func tokenCounts() {
        #expect(MergeSchedule.constant(16).tokenCounts(initialTokenCount: 197, layerCount: 12, protectedCount: 1)
            == [181, 165, 149, 133, 117, 101, 85, 69, 53, 37, 21, 11])
    }

    @Test("ToFu's default split prunes layers i ≤ L/2 and merges the rest")
    func strategies() {
        #expect(ReductionStrategy.tofu(firstMergingLayer: nil).reductions(layerCount: 12)
            == [TokenReduction](repeating: .prune, count: 7) + [TokenReduction](repeating: .mlerp, count: 5))
        #expect(ReductionStrategy.tofu(firstMergingLayer: nil).reductions(layerCount: 6)
            == [.prune, .prune, .prune, .prune, .mlerp, .mlerp])
        #expect(ReductionStrategy.tofu(firstMergingLayer: 2).reductions(layerCount: 3) == [.prune, .prune, .mlerp])
        #expect(ReductionStrategy.tome.reductions(layerCount: 2) == [.average, .average])
        #expect(ReductionStrategy.perLayer([.mlerp, .prune]).reductions(layerCount: 2) == [.mlerp, .prune])
    }
}
