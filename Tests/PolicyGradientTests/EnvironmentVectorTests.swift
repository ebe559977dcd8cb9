import PruningCore
import Testing

@testable import PolicyGradient

@Suite struct EnvironmentVectorTests {
    @Test("reset returns [count, observationSize] with environment i seeded by seed + i")
    func resetLayout() {
        var envs = VectorEnvironment(count: 5, seed: 40) { Acrobot() }
        let observations = envs.reset()
        #expect(observations.shape == [5, 6])
        for i in 0..<5 {
            var single = Acrobot()
            var generator = RandomGenerator(seed: 40 + UInt64(i))
            let expected = single.reset(using: &generator)
            #expect(Array(observations.scalars[i * 6..<(i + 1) * 6]) == expected)
        }
        #expect(envs.count == 5 && envs.observationSize == 6 && envs.actionSpace == .discrete(count: 3))
    }

    @Test("same-step autoreset: the done row holds the next episode's first observation")
    func sameStepAutoreset() {
        let count = 4
        var envs = VectorEnvironment(count: count, seed: 7, autoresetMode: .sameStep) { CartPole() }
        _ = envs.reset()
        // Reference: each environment simulated alone with the same generator.
        var singles = (0..<count).map { _ in CartPole() }
        var generators = (0..<count).map { RandomGenerator(seed: 7 + UInt64($0)) }
        for i in 0..<count { _ = singles[i].reset(using: &generators[i]) }
        var returns = [Double](repeating: 0, count: count)
        var finishedCount = 0
        for t in 0..<120 {
            let actions = (0..<count).map { ($0 + t / 3) % 2 }
            let result = envs.step(discreteActions: actions)
            #expect(result.observations.shape == [count, 4])
            for i in 0..<count {
                let step = singles[i].step(.discrete(actions[i]))
                returns[i] += step.reward
                #expect(result.rewards[i] == step.reward && result.terminated[i] == step.terminated)
                #expect(result.truncated[i] == step.truncated)
                var expectedRow = step.observation
                if step.isDone {
                    #expect(result.finalObservations[i] == step.observation)
                    let summary = result.finishedEpisodes.first { $0.environmentIndex == i }
                    #expect(summary?.totalReward == returns[i] && summary?.length == Int(returns[i]))
                    #expect(summary?.terminated == true)
                    expectedRow = singles[i].reset(using: &generators[i])
                    returns[i] = 0
                    finishedCount += 1
                } else {
                    #expect(result.finalObservations[i] == nil)
                }
                #expect(Array(result.observations.scalars[i * 4..<(i + 1) * 4]) == expectedRow, "t \(t) env \(i)")
            }
        }
        #expect(finishedCount > 4)
    }

    @Test("next-step autoreset: the step after done resets, ignores the action, reports 0 and no flags")
    func nextStepAutoreset() {
        var envs = VectorEnvironment(count: 2, seed: 3, autoresetMode: .nextStep) { CartPole() }
        _ = envs.reset()
        var single = CartPole()
        var generator = RandomGenerator(seed: 3)
        _ = single.reset(using: &generator)
        var sawReset = false
        var previousDone = false
        for _ in 0..<60 {
            let result = envs.step(discreteActions: [1, 0])
            let row = Array(result.observations.scalars[0..<4])
            if previousDone {
                let expected = single.reset(using: &generator)
                #expect(row == expected && result.rewards[0] == 0 && !result.isDone(0))
                #expect(result.finishedEpisodes.allSatisfy { $0.environmentIndex != 0 })
                sawReset = true
                previousDone = false
            } else {
                let step = single.step(.discrete(1))
                #expect(row == step.observation && result.rewards[0] == step.reward)
                #expect(result.terminated[0] == step.terminated && result.finalObservations[0] == nil)
                previousDone = step.isDone
            }
        }
        #expect(sawReset)
    }

    @Test("continuous actions from a tensor; all Pendulum copies truncate together at 200 steps")
    func continuousTruncation() {
        var envs = VectorEnvironment(count: 3, seed: 1) { Pendulum() }
        _ = envs.reset()
        let actions = Tensor(shape: [3, 1], scalars: [-1, 0.5, 2.5])
        var episodes: [EpisodeSummary] = []
        for t in 1...200 {
            let result = envs.step(continuousActions: actions)
            #expect(result.truncated == Array(repeating: t == 200, count: 3))
            #expect(result.terminated == [false, false, false])
            #expect(result.rewards.allSatisfy { $0 <= 0 })
            episodes += result.finishedEpisodes
        }
        #expect(episodes.map(\.length) == [200, 200, 200])
        #expect(episodes.allSatisfy { !$0.terminated && $0.totalReward < 0 })
        #expect(envs.environments.allSatisfy { $0.elapsedSteps == 0 })
    }

    @Test("a wrong number of actions is a precondition failure")
    func actionCount() async {
        await #expect(processExitsWith: .failure) {
            var envs = VectorEnvironment(count: 2, seed: 0) { CartPole() }
            _ = envs.reset()
            _ = envs.step(discreteActions: [0])
        }
    }
}
