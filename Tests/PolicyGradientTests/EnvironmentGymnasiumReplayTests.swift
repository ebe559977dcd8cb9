import Foundation
import Testing

@testable import PolicyGradient
@testable import PruningCore

/// A golden trajectory file written by `Fixtures/make_gymnasium_fixtures.py` (Gymnasium 1.4,
/// NumPy 2): exact bit patterns, float64 as 16 hex digits, float32 as 8.
struct GymnasiumFixture: Decodable {
    struct Episode: Decodable {
        var seed: UInt64?
        var initialState: [String]
        var initialObservation: String
        var actions: String
        var observations: String
        var rewards: String
        var terminated: String
        var truncated: String
        var finalState: [String]
    }

    var environment: String
    var maxEpisodeSteps: Int
    var episodes: [Episode]

    /// Decodes a gzip-compressed fixture (`*.json.gz`).
    static func load(_ name: String) throws -> GymnasiumFixture {
        let compressed = try Data(contentsOf: fixtureURL(name))
        let json = try compressed.withUnsafeBytes { bytes in
            // A single gzip member: its trailer's last four bytes hold the length (mod 2³²).
            let size = bytes.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
            let inflater = try GzipDecompressor(input: bytes, file: name)
            return Data(try inflater.read(count: size))
        }
        return try JSONDecoder().decode(GymnasiumFixture.self, from: json)
    }
}

/// The URL of a file in `Tests/PolicyGradientTests/Fixtures`.
func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// Splits a concatenation of fixed-width hex numbers.
func hexWords(_ text: String, width: Int) -> [UInt64] {
    let bytes = Array(text.utf8)
    precondition(bytes.count % width == 0, "hex string length \(bytes.count) is not a multiple of \(width)")
    return stride(from: 0, to: bytes.count, by: width).map { start in
        UInt64(String(decoding: bytes[start..<start + width], as: UTF8.self), radix: 16)!
    }
}

func doubles(_ text: String) -> [Double] { hexWords(text, width: 16).map { Double(bitPattern: $0) } }
func floats(_ text: String) -> [Float] { hexWords(text, width: 8).map { Float(bitPattern: UInt32($0)) } }
func flags(_ text: String) -> [Bool] { text.map { $0 == "1" } }

/// Bitwise equality (distinguishes -0 from +0, NaN payloads compare by bits).
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// The outcome of replaying every episode of a fixture.
struct ReplaySummary {
    var steps = 0
    var mismatches: [String] = []
}

/// Replays each episode (from `reset(seed:)` when it has a seed, else from its recorded initial
/// state) with its recorded actions and compares every observation, reward, flag and the final
/// state bit for bit.
func replay<E: StatefulEnvironment>(
    _ fixture: GymnasiumFixture, with make: () -> E, actions decode: (String) -> [EnvironmentAction]
) -> ReplaySummary {
    var summary = ReplaySummary()
    for (e, episode) in fixture.episodes.enumerated() {
        var env = make()
        let initialState = episode.initialState.map { Double(bitPattern: UInt64($0, radix: 16)!) }
        // Seeded episodes start as Gymnasium's did, from `reset(seed:)`; the others from the
        // state written into the environment.
        let first = episode.seed.map { env.reset(seed: $0) } ?? env.reset(toState: initialState)
        if !sameBits(first, floats(episode.initialObservation)) || !sameBits(env.state, initialState) {
            summary.mismatches.append("episode \(e): initial observation \(first), state \(env.state)")
        }
        let actions = decode(episode.actions)
        let observations = floats(episode.observations)
        let rewards = doubles(episode.rewards)
        let terminated = flags(episode.terminated), truncated = flags(episode.truncated)
        let size = env.observationSize
        for (t, action) in actions.enumerated() {
            let result = env.step(action)
            summary.steps += 1
            let expected = Array(observations[t * size..<(t + 1) * size])
            if !sameBits(result.observation, expected) || result.reward.bitPattern != rewards[t].bitPattern
                || result.terminated != terminated[t] || result.truncated != truncated[t]
            {
                summary.mismatches.append(
                    "episode \(e) step \(t): got \(result.observation) \(result.reward) "
                        + "\(result.terminated)/\(result.truncated), expected \(expected) \(rewards[t]) "
                        + "\(terminated[t])/\(truncated[t])")
                break
            }
        }
        let finalState = episode.finalState.map { Double(bitPattern: UInt64($0, radix: 16)!) }
        if !sameBits(env.state, finalState) {
            summary.mismatches.append("episode \(e): final state \(env.state), expected \(finalState)")
        }
    }
    return summary
}

func discreteActions(_ text: String) -> [EnvironmentAction] { text.map { .discrete(Int(String($0))!) } }
func continuousActions(_ text: String) -> [EnvironmentAction] { doubles(text).map { .continuous([$0]) } }

/// Checks that `reset(seed:)` draws the recorded initial state of every seeded episode.
func seededResetsMatch<E: StatefulEnvironment>(_ fixture: GymnasiumFixture, with make: () -> E) -> Int {
    var checked = 0
    for episode in fixture.episodes {
        guard let seed = episode.seed else { continue }
        var env = make()
        let observation = env.reset(seed: seed)
        let expected = episode.initialState.map { Double(bitPattern: UInt64($0, radix: 16)!) }
        #expect(sameBits(env.state, expected), "seed \(seed): state \(env.state), expected \(expected)")
        #expect(sameBits(observation, floats(episode.initialObservation)), "seed \(seed): observation \(observation)")
        checked += 1
    }
    return checked
}

/// Whether libm is glibc's, whose `sin`, `cos` and `pow` Gymnasium's fixtures were computed
/// with (NumPy's float64 `sin`/`cos` call libm). Other libms may differ in the last bit, and a
/// one-ulp difference grows along a trajectory.
let usesGlibcMath: Bool = {
    #if canImport(Glibc)
        return true
    #else
        return false
    #endif
}()

@Suite(.enabled(if: usesGlibcMath, "the fixtures hold glibc libm results"))
struct EnvironmentGymnasiumReplayTests {
    @Test("CartPole-v1 replays Gymnasium bit for bit")
    func cartPole() throws {
        let fixture = try GymnasiumFixture.load("cartpole.json.gz")
        #expect(fixture.maxEpisodeSteps == CartPole().maximumEpisodeSteps)
        let summary = replay(fixture, with: { CartPole() }, actions: discreteActions)
        #expect(summary.steps > 3000)
        #expect(summary.mismatches.isEmpty, "\(summary.mismatches.prefix(3))")
    }

    @Test("Acrobot-v1 replays Gymnasium bit for bit")
    func acrobot() throws {
        let fixture = try GymnasiumFixture.load("acrobot.json.gz")
        #expect(fixture.maxEpisodeSteps == Acrobot().maximumEpisodeSteps)
        let summary = replay(fixture, with: { Acrobot() }, actions: discreteActions)
        #expect(summary.steps > 7000)
        #expect(summary.mismatches.isEmpty, "\(summary.mismatches.prefix(3))")
    }

    @Test("Pendulum-v1 replays Gymnasium bit for bit (float64 actions)")
    func pendulum() throws {
        let fixture = try GymnasiumFixture.load("pendulum.json.gz")
        #expect(fixture.maxEpisodeSteps == Pendulum().maximumEpisodeSteps)
        let summary = replay(fixture, with: { Pendulum() }, actions: continuousActions)
        #expect(summary.steps > 7500)
        #expect(summary.mismatches.isEmpty, "\(summary.mismatches.prefix(3))")
    }

    @Test("MountainCarContinuous-v0 replays Gymnasium bit for bit (float64 actions)")
    func mountainCar() throws {
        let fixture = try GymnasiumFixture.load("mountaincar.json.gz")
        #expect(fixture.maxEpisodeSteps == MountainCarContinuous().maximumEpisodeSteps)
        let summary = replay(fixture, with: { MountainCarContinuous() }, actions: continuousActions)
        #expect(summary.steps > 14000)
        #expect(summary.mismatches.isEmpty, "\(summary.mismatches.prefix(3))")
    }

    @Test("squares go through libm's pow, as Gymnasium's do, not the correctly rounded x * x")
    func squaresUseLibmPower() {
        // (x, glibc pow(x, 2), x * x) where the two results differ in the last bit.
        let cases: [(UInt64, UInt64, UInt64)] = [
            (0x3ff3_3deb_1d2c_ef00, 0x3ff7_23fe_0388_177b, 0x3ff7_23fe_0388_177c),
            (0xc01f_1b8a_3add_a944, 0x404e_3d73_85a5_ea25, 0x404e_3d73_85a5_ea26),
            (0xc00a_bd2d_2a05_a0b8, 0x4026_57c7_c209_460c, 0x4026_57c7_c209_460d),
        ]
        for (x, power, product) in cases {
            let value = Double(bitPattern: x)
            #expect(libmPower(value, 2).bitPattern == power)
            #expect((value * value).bitPattern == product)
        }
    }

    @Test("reset(seed:) draws Gymnasium's initial states for the same seeds")
    func seededResets() throws {
        #expect(seededResetsMatch(try GymnasiumFixture.load("cartpole.json.gz"), with: { CartPole() }) == 64)
        #expect(seededResetsMatch(try GymnasiumFixture.load("acrobot.json.gz"), with: { Acrobot() }) == 31)
        #expect(seededResetsMatch(try GymnasiumFixture.load("pendulum.json.gz"), with: { Pendulum() }) == 36)
        #expect(
            seededResetsMatch(try GymnasiumFixture.load("mountaincar.json.gz"), with: { MountainCarContinuous() }) == 22)
    }
}

/// NumPy reference values written by `Fixtures/make_gymnasium_fixtures.py`.
struct NumPyReferenceFixture: Decodable {
    struct RawStream: Decodable {
        var seed: UInt64
        var raw: [String]
    }

    var float32Inputs: String
    var float32Cos: String
    var float32Sin: String
    var pcg64: [RawStream]
}

@Suite struct EnvironmentNumPyReferenceTests {
    let fixture: NumPyReferenceFixture

    init() throws {
        fixture = try JSONDecoder().decode(
            NumPyReferenceFixture.self, from: Data(contentsOf: fixtureURL("numpy.json")))
    }

    @Test("float32 sin/cos equal NumPy's SIMD kernel bit for bit, including its 1-ulp deviations")
    func float32Trigonometry() {
        let inputs = floats(fixture.float32Inputs)
        let cosines = floats(fixture.float32Cos), sines = floats(fixture.float32Sin)
        #expect(inputs.count > 4000)
        var cosineMismatches: [Float] = [], sineMismatches: [Float] = []
        var differFromCorrectlyRounded = 0
        for (i, x) in inputs.enumerated() {
            let c = NumPyFloat32Trigonometry.cos(x), s = NumPyFloat32Trigonometry.sin(x)
            if c.bitPattern != cosines[i].bitPattern && !(c.isNaN && cosines[i].isNaN) { cosineMismatches.append(x) }
            if s.bitPattern != sines[i].bitPattern && !(s.isNaN && sines[i].isNaN) { sineMismatches.append(x) }
            if x.isFinite && c != Float(Foundation.cos(Double(x))) { differFromCorrectlyRounded += 1 }
        }
        #expect(cosineMismatches.isEmpty, "cos differs at \(cosineMismatches.prefix(5))")
        #expect(sineMismatches.isEmpty, "sin differs at \(sineMismatches.prefix(5))")
        // The fixture holds hundreds of inputs where NumPy is not correctly rounded.
        #expect(differFromCorrectlyRounded > 100)
    }

    @Test("NumPyRandom reproduces PCG64(SeedSequence(seed)).random_raw()")
    func pcg64Streams() {
        #expect(fixture.pcg64.count == 6)
        for stream in fixture.pcg64 {
            var generator = NumPyRandom(seed: stream.seed)
            let produced = (0..<stream.raw.count).map { _ in generator.next() }
            #expect(produced == stream.raw.map { UInt64($0, radix: 16)! }, "seed \(stream.seed)")
        }
    }

    @Test("NumPyRandom takes multi-word seeds as SeedSequence splits Python integers")
    func multiWordSeed() {
        // 2**32 + 5 is the words [5, 1].
        var fromWords = NumPyRandom(entropy: [5, 1])
        var fromInteger = NumPyRandom(seed: (1 << 32) + 5)
        #expect((0..<4).map { _ in fromWords.next() } == (0..<4).map { _ in fromInteger.next() })
        var zero = NumPyRandom(seed: 0)
        var zeroWord = NumPyRandom(entropy: [0])
        #expect(zero.next() == zeroWord.next())
        let unit = zero.nextDouble()
        #expect(unit >= 0 && unit < 1)
    }
}
