import Foundation
import PolicyGradient
import PruningCore

/// Times stepping one kind of environment.
protocol StepTimer {
    /// Steps per second of one environment stepped `steps` times (best of `repeats`).
    func single(steps: Int, repeats: Int) -> Double
    /// Environment steps per second of a `count`-copy vector environment stepped until about
    /// `steps` environment steps (best of `repeats`).
    func vector(steps: Int, count: Int, repeats: Int) -> Double
}

/// A ``StepTimer`` for environments made by `make`.
struct Timer<E: Environment>: StepTimer {
    /// Makes a fresh environment.
    let make: () -> E

    init(_ make: @escaping () -> E) {
        self.make = make
    }

    func single(steps: Int, repeats: Int) -> Double {
        var best = Double.infinity
        for seed in 0..<repeats {
            var environment = make()
            var random = RandomGenerator(seed: UInt64(seed))
            let actions = Self.actions(steps, space: environment.actionSpace, using: &random)
            _ = environment.reset(using: &random)
            var total = 0.0
            let start = DispatchTime.now().uptimeNanoseconds
            for action in actions {
                let result = environment.step(action)
                total += result.reward
                if result.isDone { _ = environment.reset(using: &random) }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            blackHole(total)
        }
        return Double(steps) / best
    }

    func vector(steps: Int, count: Int, repeats: Int) -> Double {
        let calls = max(1, steps / count)
        var best = Double.infinity
        for seed in 0..<repeats {
            var random = RandomGenerator(seed: UInt64(seed))
            var environments = VectorEnvironment(count: count, seed: UInt64(seed), autoresetMode: .nextStep, make: make)
            let flat = Self.actions(calls * count, space: environments.actionSpace, using: &random)
            let actions = (0..<calls).map { Array(flat[($0 * count)..<(($0 + 1) * count)]) }
            environments.reset()
            var total = 0.0
            let start = DispatchTime.now().uptimeNanoseconds
            for batch in actions {
                let result = environments.step(batch)
                total += result.rewards[0]
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            blackHole(total)
        }
        return Double(calls * count) / best
    }

    /// `count` actions drawn uniformly from `space`.
    static func actions(_ count: Int, space: ActionSpace, using random: inout RandomGenerator) -> [EnvironmentAction] {
        switch space {
        case .discrete(let n):
            return (0..<count).map { _ in .discrete(random.nextInt(below: n)) }
        case .box(let low, let high):
            return (0..<count).map { _ in
                .continuous(zip(low, high).map { $0 + ($1 - $0) * random.nextUniformDouble() })
            }
        }
    }
}

/// Keeps `value` alive so that the timed loop is not optimized away.
@inline(never)
func blackHole(_ value: Double) {
    if value == .pi { print("") }
}
