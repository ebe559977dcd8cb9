/// NumPy's default bit generator, `PCG64` seeded through `SeedSequence`, reproducing
/// `np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))` bit for bit.
///
/// Gymnasium's `env.reset(seed: s)` seeds the environment with exactly this generator and draws
/// initial states with `Generator.uniform`, i.e. `low + (high - low) * ((next() >> 11) * 2⁻⁵³)`.
/// Passing a `NumPyRandom` to ``StatefulEnvironment/reset(drawingFrom:)`` therefore reproduces
/// Gymnasium's initial states; ``StatefulEnvironment/reset(seed:)`` does so for one seed.
///
/// References: M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
/// Algorithms for Random Number Generation" (2014), the XSL-RR 128/64 output function;
/// NumPy's `SeedSequence` (the hash-based entropy pool of `numpy.random.bit_generator`).
public struct NumPyRandom: RandomNumberGenerator, Sendable {
    private var stateHigh: UInt64
    private var stateLow: UInt64
    private let incrementHigh: UInt64
    private let incrementLow: UInt64

    private static let multiplierHigh: UInt64 = 0x2360_ED05_1FC6_5DA4
    private static let multiplierLow: UInt64 = 0x4385_DF64_9FCC_F645

    /// The generator NumPy builds for the non-negative integer seed `seed`.
    public init(seed: UInt64) {
        var words: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { words.append(UInt32(truncatingIfNeeded: seed >> 32)) }
        self.init(entropy: words)
    }

    /// The generator NumPy builds for the integer whose little-endian 32-bit words are
    /// `entropy` (how `SeedSequence` splits a Python integer; `[0]` for zero).
    ///
    /// - Precondition: `entropy` is not empty.
    public init(entropy: [UInt32]) {
        precondition(!entropy.isEmpty, "NumPyRandom needs at least one entropy word")
        let pool = SeedSequencePool(entropy: entropy)
        let words = pool.generateState(wordCount: 8)
        func word64(_ i: Int) -> UInt64 { UInt64(words[2 * i]) | UInt64(words[2 * i + 1]) << 32 }
        // PCG64 takes (seed, increment) as two 128-bit numbers written high word first.
        let seedHigh = word64(0), seedLow = word64(1)
        let sequenceHigh = word64(2), sequenceLow = word64(3)
        incrementHigh = sequenceHigh << 1 | sequenceLow >> 63
        incrementLow = sequenceLow << 1 | 1
        stateHigh = 0
        stateLow = 0
        advance()
        let (low, carry) = stateLow.addingReportingOverflow(seedLow)
        stateLow = low
        stateHigh = stateHigh &+ seedHigh &+ (carry ? 1 : 0)
        advance()
    }

    /// One LCG step: `state = state * multiplier + increment (mod 2¹²⁸)`.
    private mutating func advance() {
        let (productHigh, productLow) = stateLow.multipliedFullWidth(by: Self.multiplierLow)
        var high = productHigh &+ stateHigh &* Self.multiplierLow &+ stateLow &* Self.multiplierHigh
        let (low, carry) = productLow.addingReportingOverflow(incrementLow)
        high = high &+ incrementHigh &+ (carry ? 1 : 0)
        stateHigh = high
        stateLow = low
    }

    /// The next 64 bits (NumPy's `PCG64.random_raw()`).
    public mutating func next() -> UInt64 {
        advance()
        let rotation = stateHigh >> 58
        let folded = stateHigh ^ stateLow
        return folded >> rotation | folded << ((64 &- rotation) & 63)
    }

    /// A uniform double in `[0, 1)` as NumPy's `Generator.random()` computes it.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}

/// NumPy's `SeedSequence` entropy pool (pool size 4, no spawn key).
private struct SeedSequencePool {
    private static let initA: UInt32 = 0x43B0_D7E5
    private static let multA: UInt32 = 0x931E_8875
    private static let initB: UInt32 = 0x8B51_F9DD
    private static let multB: UInt32 = 0x58F3_8DED
    private static let mixMultL: UInt32 = 0xCA01_F9DD
    private static let mixMultR: UInt32 = 0x4973_F715

    private var pool: [UInt32] = [0, 0, 0, 0]

    init(entropy: [UInt32]) {
        var hashConstant = Self.initA
        func hashMix(_ value: UInt32) -> UInt32 {
            var value = value ^ hashConstant
            hashConstant = hashConstant &* Self.multA
            value = value &* hashConstant
            return value ^ value >> 16
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let result = Self.mixMultL &* x &- Self.mixMultR &* y
            return result ^ result >> 16
        }
        for i in 0..<4 {
            pool[i] = hashMix(i < entropy.count ? entropy[i] : 0)
        }
        for source in 0..<4 {
            for destination in 0..<4 where source != destination {
                pool[destination] = mix(pool[destination], hashMix(pool[source]))
            }
        }
        for source in 4..<max(4, entropy.count) {
            for destination in 0..<4 {
                pool[destination] = mix(pool[destination], hashMix(entropy[source]))
            }
        }
    }

    /// `SeedSequence.generate_state(wordCount, np.uint32)`.
    func generateState(wordCount: Int) -> [UInt32] {
        var hashConstant = Self.initB
        return (0..<wordCount).map { i in
            var value = pool[i % 4] ^ hashConstant
            hashConstant = hashConstant &* Self.multB
            value = value &* hashConstant
            return value ^ value >> 16
        }
    }
}
