import PolicyGradient
import PruningCore
import Testing

@Suite struct EstimatorRolloutTests {
    func policy(seed: UInt64 = 1, observationSize: Int = 5) -> CategoricalMLPPolicy {
        var random = RandomGenerator(seed: seed)
        return CategoricalMLPPolicy(observationSize: observationSize, actionCount: 2, hidden: [4], using: &random)
    }

    @Test("episodes are complete and consistent with the environment")
    func episodes() {
        var environment = Corridor(length: 4, maximumEpisodeSteps: 6)
        var random = RandomGenerator(seed: 2)
        let trajectories = RolloutCollector(sampleSize: .episodes(8))
            .collect(from: &environment, policy: policy(observationSize: 4), using: &random)
        #expect(trajectories.count == 8)
        for trajectory in trajectories {
            #expect(trajectory.isComplete)
            #expect(trajectory.length <= 6)
            #expect(trajectory.rewards.allSatisfy { $0 == -1 })
            #expect(trajectory.observation(at: 0) == [1, 0, 0, 0])
            if trajectory.isTerminal {
                #expect(trajectory.finalObservation == [0, 0, 0, 1])
                #expect(trajectory.terminated.last == true && trajectory.truncated.last == false)
            } else {
                #expect(trajectory.length == 6 && trajectory.truncated.last == true && trajectory.ending == .timeLimit)
            }
            #expect(trajectory.terminated.dropLast().allSatisfy { !$0 } && trajectory.truncated.dropLast().allSatisfy { !$0 })
            // Replaying the actions reproduces the observations.
            var replay = Corridor(length: 4, maximumEpisodeSteps: 6)
            _ = replay.reset(using: &random)
            for t in 0..<trajectory.length {
                let result = replay.step(trajectory.actions[t])
                let next = t + 1 < trajectory.length ? Array(trajectory.observation(at: t + 1)) : trajectory.finalObservation
                #expect(result.observation == next)
            }
        }
        #expect(trajectories.contains { $0.isTerminal } && trajectories.contains { !$0.isTerminal })
    }

    @Test("a step budget is met exactly; the running episode is cut")
    func stepBudget() {
        var environment = Corridor(length: 5, maximumEpisodeSteps: 20)
        var random = RandomGenerator(seed: 3)
        let collector = RolloutCollector(sampleSize: .steps(37), maximumEpisodeSteps: 9)
        let trajectories = collector.collect(from: &environment, policy: policy(), using: &random)
        #expect(trajectories.reduce(0) { $0 + $1.length } == 37)
        for trajectory in trajectories.dropLast() {
            #expect(trajectory.isComplete && trajectory.length <= 9)
            if !trajectory.isTerminal { #expect(trajectory.length == 9 && trajectory.truncated.last == true) }
        }
        let last = trajectories.last!
        #expect(last.isTerminal || last.length == 9 || last.ending == .budget)
        let batch = RolloutBatch(trajectories)
        #expect(batch.stepCount == 37 && batch.observations.shape == [37, 5] && batch.actions.count == 37)
        #expect(batch.stepRanges.map(\.count) == trajectories.map(\.length))
        #expect(batch.completedEpisodeReturns == trajectories.filter(\.isComplete).map(\.totalReward))
    }

    @Test("seeded collection is reproducible")
    func reproducible() {
        func run() -> [[EnvironmentAction]] {
            var environment = Corridor()
            var random = RandomGenerator(seed: 4)
            return RolloutCollector(sampleSize: .episodes(5)).collect(from: &environment, policy: policy(), using: &random).map(\.actions)
        }
        #expect(run() == run())
    }

    @Test("returns-to-go, discounted return and bootstrapping")
    func returns() {
        let trajectory = Trajectory(
            observations: [[0], [1], [2]], actions: [.discrete(0), .discrete(1), .discrete(0)], rewards: [1, 0, 2],
            terminated: [false, false, false], truncated: [false, false, true], finalObservation: [3])
        #expect(trajectory.ending == .timeLimit && trajectory.isComplete && !trajectory.isTerminal)
        let g = trajectory.returnsToGo(discount: 0.9)
        let expected = [1 + 0.9 * (0 + 0.9 * 2), 0 + 0.9 * 2, 2.0]
        for (a, b) in zip(g, expected) { #expect(abs(a - b) < 1e-12) }
        let bootstrapped = trajectory.returnsToGo(discount: 0.9, bootstrapValue: 10)
        for (a, b) in zip(bootstrapped, [expected[0] + 0.729 * 10, expected[1] + 0.81 * 10, expected[2] + 9]) {
            #expect(abs(a - b) < 1e-12)
        }
        #expect(abs(trajectory.discountedReturn(discount: 0.9) - expected[0]) < 1e-12)
        #expect(trajectory.totalReward == 3)
    }
}
