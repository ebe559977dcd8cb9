import Foundation

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Everything in this package that needs randomness takes a generator explicitly, `inout`;
/// there is no global random state, so the same seed gives the same numbers on every run and
/// every machine.
///
/// ```swift
/// var random = RandomGenerator(seed: 42)
/// let w = Tensor.randomNormal([64, 32], standardDeviation: 0.02, using: &random)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        var mix = seed
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A new generator split off from this one (advancing this one), for handing independent
    /// streams to sub-components.
    public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }

    /// A uniform `Float` in `[0, 1)` (24 random bits).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform `Double` in `[0, 1)` (53 random bits).
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal sample (Box–Muller, computed in double precision).
    public mutating func nextNormal() -> Float {
        Float(nextNormalDouble())
    }

    /// A standard normal sample in double precision.
    public mutating func nextNormalDouble() -> Double {
        let u1 = 1 - nextUniformDouble()  // (0, 1]
        let u2 = nextUniformDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// `true` with probability `probability`.
    public mutating func nextBernoulli(_ probability: Double) -> Bool {
        nextUniformDouble() < probability
    }

    /// A uniform integer in `0..<upperBound`, without modulo bias.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt(below:) needs a positive bound, got \(upperBound)")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    /// An index drawn with probability proportional to `weights` (non-negative, not all zero).
    public mutating func nextCategorical(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        precondition(total > 0 && weights.allSatisfy { $0 >= 0 }, "nextCategorical: weights must be non-negative with a positive sum")
        var target = nextUniformDouble() * total
        for (i, w) in weights.enumerated() {
            target -= w
            if target < 0 { return i }
        }
        return weights.lastIndex(where: { $0 > 0 }) ?? 0
    }

    /// A standard Gumbel sample `−log(−log(u))`.
    public mutating func nextGumbel() -> Float {
        let u = nextUniformDouble() * (1 - 2e-12) + 1e-12
        return Float(-Foundation.log(-Foundation.log(u)))
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        if count < 2 { return result }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            result.swapAt(i, j)
        }
        return result
    }
}
