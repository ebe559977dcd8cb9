import Memorization
import Testing

@Suite("Canaries and splits")
struct CanarySetTests {
    @Test("Canaries: lengths, pool, cycled repetition counts, seeded")
    func canaries() throws {
        let pool = [10, 20, 30, 40, 50]
        let samples = try CanarySet.random(count: 8, prefixLength: 3, suffixLength: 4, pool: pool, repetitions: [1, 2, 4, 8], seed: 9)
        #expect(samples.count == 8 && samples.allSatisfy { $0.prefix.count == 3 && $0.suffix.count == 4 })
        #expect(samples.allSatisfy { $0.tokens.allSatisfy(pool.contains) })
        #expect(samples.map(\.repetitions) == [1, 2, 4, 8, 1, 2, 4, 8])
        #expect(try CanarySet.random(count: 8, prefixLength: 3, suffixLength: 4, pool: pool, repetitions: [1, 2, 4, 8], seed: 9) == samples)
        #expect(throws: MemorizationError.self) { try CanarySet.random(count: 0, prefixLength: 3, suffixLength: 4, pool: pool, repetitions: [1], seed: 0) }
        #expect(throws: MemorizationError.self) { try CanarySet.random(count: 2, prefixLength: 3, suffixLength: 4, pool: pool, repetitions: [0], seed: 0) }
    }

    @Test("The fine-tuning stream plants each canary its repetition count, after its own context window")
    func stream() throws {
        let samples = try CanarySet.random(count: 4, prefixLength: 2, suffixLength: 2, pool: Array(100..<200), repetitions: [1, 3], seed: 1)
        let context = Array(0..<50)
        let stream = CanarySet.fineTuningSequences(samples, contextLength: 5, context: context, seed: 2)
        #expect(stream.count == 1 + 3 + 1 + 3)
        for sample in samples {
            let copies = stream.filter { Array($0.suffix(4)) == sample.tokens }
            #expect(copies.count == sample.repetitions)
        }
        for sequence in stream {
            let head = Array(sequence.prefix(5))
            #expect(sequence.count == 9 && head == Array(head[0]..<(head[0] + 5)), "context is a contiguous window")
        }
        #expect(CanarySet.fineTuningSequences(samples, seed: 2).allSatisfy { $0.count == 4 })
    }

    @Test("Splits are disjoint, cover every sample, and refuse impossible counts and repeated ids")
    func splits() throws {
        let samples = try CanarySet.random(count: 50, prefixLength: 2, suffixLength: 2, pool: Array(0..<1000), repetitions: [1], seed: 3)
        let splits = try ExtractionSplits(samples: samples, validationCount: 10, testCount: 15, seed: 4)
        #expect(splits.train.count == 25 && splits.validation.count == 10 && splits.test.count == 15)
        #expect(splits.areDisjoint)
        #expect(Set((splits.train + splits.validation + splits.test).map(\.id)) == Set(0..<50))
        #expect(throws: MemorizationError.self) { try ExtractionSplits(samples: samples, validationCount: 20, testCount: 30) }
        #expect(throws: MemorizationError.self) { try ExtractionSplits(samples: samples, validationCount: 1, testCount: 0) }
        var repeated = samples
        repeated[1].id = repeated[0].id
        #expect(throws: MemorizationError.self) { try ExtractionSplits(samples: repeated, validationCount: 5, testCount: 5) }
    }

    @Test("Windows of text: non-overlapping, in order, as many as fit")
    func windows() throws {
        let ids = Array(0..<100)
        let windows = try CanarySet.windows(of: ids, count: 3, prefixLength: 4, suffixLength: 6)
        #expect(windows.map { $0.prefix.first! } == [0, 30, 60])
        #expect(windows[1].tokens == Array(30..<40))
        #expect(try CanarySet.windows(of: ids, count: 50, prefixLength: 4, suffixLength: 6).count == 10)
        #expect(throws: MemorizationError.self) { try CanarySet.windows(of: Array(0..<5), count: 1, prefixLength: 4, suffixLength: 6) }
    }
}
