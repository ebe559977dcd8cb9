import Memorization
import Testing

@Suite("Extraction metrics")
struct ExtractionMetricsTests {
    @Test("Exact and fractional rates on hand cases")
    func handCases() {
        let suffixes = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 9, 9, 9]]
        // Row 1 exact, row 2 three of four, row 3 none.
        let rates = ExtractionMetrics.rates(generated: [[1, 2, 3, 4], [5, 6, 0, 8], [0, 0, 0, 0]], suffixes: suffixes)
        #expect(rates.exact == 1.0 / 3.0)
        #expect(abs(rates.fractional - (1 + 0.75 + 0) / 3) < 1e-12)
        // A short generation counts the missing positions as wrong and is not exact.
        let short = ExtractionMetrics.rates(generated: [[1, 2]], suffixes: [[1, 2, 3, 4]])
        #expect(short.exact == 0 && short.fractional == 0.5)
        // Matching is positional: a shifted copy scores nothing.
        #expect(ExtractionMetrics.rates(generated: [[2, 3, 4, 1]], suffixes: [[1, 2, 3, 4]]).fractional == 0)
    }

    @Test("Relative improvement, and none over a zero baseline")
    func relativeImprovement() {
        #expect(ExtractionMetrics.relativeImprovement(of: 0.3, over: 0.2).map { abs($0 - 0.5) < 1e-12 } == true)
        #expect(ExtractionMetrics.relativeImprovement(of: 0.1, over: 0.2).map { abs($0 + 0.5) < 1e-12 } == true)
        #expect(ExtractionMetrics.relativeImprovement(of: 0.3, over: 0) == nil)
    }

    @Test("Results break exact extraction down by repetition count")
    func byRepetitions() {
        let result = ExtractionResult(
            method: "none", metrics: .init(exactRate: 0.5, fractionalRate: 0.5, suffixLoss: 1, sampleCount: 4),
            sampleIDs: [0, 1, 2, 3], generated: [[], [], [], []], exact: [true, false, true, true], repetitions: [1, 1, 8, nil])
        #expect(result.exactRate(repetitions: 1) == 0.5)
        #expect(result.exactRate(repetitions: 8) == 1)
        #expect(result.exactRate(repetitions: 4) == nil)
        #expect(result.repetitionCounts == [1, 8])
    }
}

@Suite("Extraction comparison")
struct ExtractionComparisonTests {
    static func result(_ exact: [Bool], ids: [Int]? = nil) -> ExtractionResult {
        ExtractionResult(
            method: "none", metrics: .init(exactRate: 0, fractionalRate: 0, suffixLoss: 0, sampleCount: exact.count),
            sampleIDs: ids ?? Array(exact.indices), generated: exact.map { _ in [] }, exact: exact,
            repetitions: exact.map { _ in nil })
    }

    @Test("Retained, forgotten and gained samples on a hand case")
    func counts() throws {
        let comparison = try ExtractionComparison(
            before: Self.result([true, true, true, false, false]), after: Self.result([true, false, false, true, false]))
        #expect(comparison.retained == 1 && comparison.forgotten == 2 && comparison.gained == 1 && comparison.sampleCount == 5)
        #expect(comparison.retention == 1.0 / 3.0)
        #expect(try ExtractionComparison(before: Self.result([false]), after: Self.result([true])).retention == nil)
        #expect(throws: MemorizationError.self) {
            try ExtractionComparison(before: Self.result([true, false]), after: Self.result([true, false], ids: [1, 0]))
        }
    }
}
