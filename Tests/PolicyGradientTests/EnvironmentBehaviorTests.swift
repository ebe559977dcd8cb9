import Foundation
import Testing

@testable import PolicyGradient

/// Mean and standard deviation of `values`.
private func moments(_ values: [Double]) -> (mean: Double, standardDeviation: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot())
}

/// Draws `count` initial states and checks each component is uniform on `[low, high)`: inside
/// the bounds, mean within 3% of the width of the centre, standard deviation within 5% of
/// `width/√12`.
private func expectUniformResets<E: StatefulEnvironment>(
    _ env: E, count: Int = 4000, seed: UInt64, bounds: [(low: Double, high: Double)]
) {
    var env = env
    var generator = RandomGenerator(seed: seed)
    var components = [[Double]](repeating: [], count: bounds.count)
    for _ in 0..<count {
        let observation = env.reset(using: &generator)
        #expect(observation.count == env.observationSize)
        for (i, value) in env.state.enumerated() { components[i].append(value) }
    }
    for (i, (low, high)) in bounds.enumerated() {
        let values = components[i]
        #expect(values.allSatisfy { $0 >= low && $0 <= high }, "component \(i) leaves [\(low), \(high)]")
        let width = high - low
        if width == 0 { continue }
        let (mean, deviation) = moments(values)
        #expect(abs(mean - (low + high) / 2) < 0.03 * width, "component \(i) mean \(mean)")
        #expect(abs(deviation / (width / 12.0.squareRoot()) - 1) < 0.05, "component \(i) deviation \(deviation)")
    }
}

@Suite struct EnvironmentBehaviorTests {
    @Test("spaces, sizes and time limits match Gymnasium's registrations")
    func spaces() {
        #expect(CartPole().actionSpace == .discrete(count: 2))
        #expect(CartPole().observationSpace.high == [4.8, .infinity, 0.41887903, .infinity])
        #expect(CartPole().maximumEpisodeSteps == 500)
        #expect(Acrobot().actionSpace == .discrete(count: 3))
        #expect(Acrobot().observationSpace.high == [1, 1, 1, 1, Float(4 * Double.pi), Float(9 * Double.pi)])
        #expect(Acrobot().maximumEpisodeSteps == 500)
        #expect(Pendulum().actionSpace == .box(low: [-2], high: [2]))
        #expect(Pendulum().observationSpace.high == [1, 1, 8])
        #expect(Pendulum().maximumEpisodeSteps == 200)
        #expect(MountainCarContinuous().actionSpace == .box(low: [-1], high: [1]))
        #expect(MountainCarContinuous().observationSpace.low == [-1.2, -0.07])
        #expect(MountainCarContinuous().observationSpace.high == [0.6, 0.07])
        #expect(MountainCarContinuous().maximumEpisodeSteps == 999)
        #expect(CartPole().observationSize == 4 && Acrobot().observationSize == 6)
        #expect(Pendulum().observationSize == 3 && MountainCarContinuous().observationSize == 2)
    }

    @Test("reset states are uniform on Gymnasium's bounds, and custom bounds are respected")
    func resetDistributions() {
        expectUniformResets(CartPole(), seed: 1, bounds: Array(repeating: (-0.05, 0.05), count: 4))
        expectUniformResets(Acrobot(), seed: 2, bounds: Array(repeating: (-0.1, 0.1), count: 4))
        expectUniformResets(Pendulum(), seed: 3, bounds: [(-Double.pi, Double.pi), (-1, 1)])
        expectUniformResets(MountainCarContinuous(), seed: 4, bounds: [(-0.6, -0.4), (0, 0)])
        expectUniformResets(
            CartPole(resetBounds: ResetBounds(low: 0.2, high: 0.3)), seed: 5,
            bounds: Array(repeating: (0.2, 0.3), count: 4))
        expectUniformResets(
            Pendulum(initialAngleBound: 0.5, initialVelocityBound: 0.25), seed: 6, bounds: [(-0.5, 0.5), (-0.25, 0.25)])
        expectUniformResets(
            MountainCarContinuous(resetBounds: ResetBounds(low: -1, high: -0.9)), seed: 7, bounds: [(-1, -0.9), (0, 0)])
    }

    @Test("Acrobot's initial state is float32, its first observation lies in the observation box")
    func acrobotResetPrecision() {
        var env = Acrobot()
        var generator = RandomGenerator(seed: 11)
        for _ in 0..<100 {
            let observation = env.reset(using: &generator)
            #expect(env.state.allSatisfy { Double(Float($0)) == $0 })
            #expect(env.observationSpace.contains(observation))
        }
    }

    @Test("the same seed gives the same trajectory; other seeds give other initial states")
    func seededReproducibility() {
        func rollout(seed: UInt64) -> [StepResult] {
            var env = Pendulum()
            var generator = RandomGenerator(seed: seed)
            _ = env.reset(using: &generator)
            return (0..<50).map { _ in env.step(.continuous([generator.nextUniformDouble() * 4 - 2])) }
        }
        #expect(rollout(seed: 9) == rollout(seed: 9))
        #expect(rollout(seed: 9) != rollout(seed: 10))
        var a = CartPole(), b = CartPole()
        #expect(a.reset(seed: 5) == b.reset(seed: 5))
        #expect(a.reset(seed: 5) != b.reset(seed: 6))
    }

    @Test("a time limit truncates without terminating")
    func truncationWithoutTermination() {
        var pendulum = Pendulum()
        _ = pendulum.reset(seed: 0)
        for t in 1...200 {
            let result = pendulum.step(.continuous([0.5]))
            #expect(!result.terminated)
            #expect(result.truncated == (t == 200), "step \(t)")
        }
        // A balancing controller keeps the pole up for CartPole's whole 500 steps.
        var cartPole = CartPole()
        var observation = cartPole.reset(toState: [0, 0, 0.01, 0])
        var last: StepResult?
        for _ in 0..<500 {
            let result = cartPole.step(.discrete(observation[2] + 0.5 * observation[3] > 0 ? 1 : 0))
            #expect(!result.terminated && (result.truncated == (cartPole.elapsedSteps == 500)))
            observation = result.observation
            last = result
        }
        #expect(last?.truncated == true && last?.reward == 1)
    }

    @Test("termination without truncation, both on the same step, and rewards after termination")
    func terminationFlags() throws {
        var env = CartPole()
        _ = env.reset(toState: [0, 0, 0, 0])
        var steps = 0
        var result = env.step(.discrete(1))
        while !result.terminated {
            steps += 1
            result = env.step(.discrete(1))
        }
        #expect(steps < 100 && !result.truncated && result.reward == 1)
        // Gymnasium gives 0 for steps after termination (-1 with the Sutton–Barto reward).
        #expect(env.step(.discrete(1)).reward == 0)
        var suttonBarto = CartPole(suttonBartoReward: true)
        _ = suttonBarto.reset(toState: [0, 0, 0.1, 0.5])
        var rewards: [Double] = []
        var terminatedAt: Int?
        for t in 0..<40 {
            let step = suttonBarto.step(.discrete(0))
            rewards.append(step.reward)
            if step.terminated && terminatedAt == nil { terminatedAt = t }
        }
        let fall = try #require(terminatedAt)
        #expect(fall > 0 && rewards[..<fall].allSatisfy { $0 == 0 } && rewards[fall...].allSatisfy { $0 == -1 })

        // Balance for k steps, then push right until the pole falls: some k makes the fall
        // land on step 500, where both flags are set.
        var bothFlags = false
        for k in stride(from: 499, through: 460, by: -1) where !bothFlags {
            var env = CartPole()
            var observation = env.reset(toState: [0, 0, -0.01, 0])
            var result: StepResult?
            for t in 0..<500 {
                let action = t < k ? (observation[2] + 0.5 * observation[3] > 0 ? 1 : 0) : 1
                result = env.step(.discrete(action))
                observation = result!.observation
                if result!.terminated { break }
            }
            if let result, result.terminated, env.elapsedSteps == 500 {
                #expect(result.truncated)
                bothFlags = true
            }
        }
        #expect(bothFlags)
    }

    @Test("MountainCarContinuous clips the force but charges the unclipped action")
    func mountainCarActionCost() {
        var clipped = MountainCarContinuous(), unit = MountainCarContinuous()
        _ = clipped.reset(toState: [-0.5, 0])
        _ = unit.reset(toState: [-0.5, 0])
        let a = clipped.step(.continuous([1.5])), b = unit.step(.continuous([1.0]))
        #expect(a.observation == b.observation)
        #expect(a.reward == -(1.5 * 1.5) * 0.1)
        #expect(b.reward == -0.1)
        // Reaching the goal pays 100 minus the action cost and terminates.
        var goal = MountainCarContinuous()
        _ = goal.reset(toState: [0.449, 0.01])
        let reached = goal.step(.continuous([0]))
        #expect(reached.terminated && !reached.truncated && reached.reward == 100)
    }

    @Test("Pendulum's angle normalisation is a floor modulo (Python's %)")
    func floorModulo() {
        #expect(Pendulum.floorModulo(-7.5, 2) == 0.5)
        #expect(Pendulum.floorModulo(7.5, 2) == 1.5)
        #expect(Pendulum.floorModulo(-4, 2) == 0 && Pendulum.floorModulo(-4, 2).sign == .plus)
        #expect(Pendulum.floorModulo(-1, 2 * Double.pi) == 2 * Double.pi - 1)
        for x in stride(from: -20.0, through: 20.0, by: 0.37) {
            let y = Pendulum.normalizedAngle(x)
            #expect(y >= -Double.pi && y < Double.pi)
            #expect(abs(Foundation.sin(y) - Foundation.sin(x)) < 1e-12)
        }
    }

    @Test("action spaces report which actions are valid")
    func actionValidity() {
        #expect(ActionSpace.discrete(count: 3).contains(.discrete(2)))
        #expect(!ActionSpace.discrete(count: 3).contains(.discrete(3)))
        #expect(!ActionSpace.discrete(count: 3).contains(.discrete(-1)))
        #expect(!ActionSpace.discrete(count: 3).contains(.continuous([0])))
        #expect(ActionSpace.box(low: [-2], high: [2]).contains(.continuous([2])))
        #expect(!ActionSpace.box(low: [-2], high: [2]).contains(.continuous([2.5])))
        #expect(!ActionSpace.box(low: [-2], high: [2]).contains(.continuous([0, 0])))
        #expect(!ActionSpace.box(low: [-2], high: [2]).contains(.continuous([.nan])))
        #expect(ObservationSpace(symmetric: [1, 2]).contains([-1, 2]))
        #expect(!ObservationSpace(symmetric: [1, 2]).contains([0, 2.5]))
    }

    @Test("an out-of-range discrete action is a precondition failure")
    func outOfRangeDiscreteAction() async {
        await #expect(processExitsWith: .failure) {
            var env = CartPole()
            _ = env.reset(seed: 0)
            _ = env.step(.discrete(2))
        }
        await #expect(processExitsWith: .failure) {
            var env = Acrobot()
            _ = env.reset(seed: 0)
            _ = env.step(.discrete(-1))
        }
    }

    @Test("a wrong action kind or dimension, or stepping before reset, is a precondition failure")
    func invalidActions() async {
        await #expect(processExitsWith: .failure) {
            var env = Pendulum()
            _ = env.reset(seed: 0)
            _ = env.step(.continuous([0, 1]))
        }
        await #expect(processExitsWith: .failure) {
            var env = MountainCarContinuous()
            _ = env.reset(seed: 0)
            _ = env.step(.discrete(0))
        }
        await #expect(processExitsWith: .failure) {
            var env = CartPole()
            _ = env.step(.discrete(0))
        }
    }
}
