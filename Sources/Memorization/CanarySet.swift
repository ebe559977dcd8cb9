import PruningCore

/// Builders of extraction samples: random canaries with known repetition counts, and windows of
/// real text.
///
/// A canary is a sequence of tokens drawn uniformly at random from a pool (whole-word tokens,
/// for example), so nothing but memorization predicts its suffix from its prefix. Planting
/// canaries with different repetition counts in a fine-tuning set gives a target whose
/// memorization is partial and graded, as in the canary experiments of Carlini et al. (2019).
public enum CanarySet {
    /// `count` random canaries of `prefixLength + suffixLength` tokens from `pool`, with
    /// repetition counts cycling through `repetitions` (so each count gets `count /
    /// repetitions.count` canaries).
    ///
    /// - Throws: ``MemorizationError/invalidConfiguration(field:reason:)`` for a non-positive
    ///   count or length, an empty pool, or a repetition count below one.
    public static func random(
        count: Int, prefixLength: Int, suffixLength: Int, pool: [Int], repetitions: [Int], seed: UInt64
    ) throws(MemorizationError) -> [ExtractionSample] {
        guard count > 0 else { throw .invalidConfiguration(field: "count", reason: "\(count) canaries; need at least one") }
        guard prefixLength > 0, suffixLength > 0 else {
            throw .invalidConfiguration(field: "prefixLength/suffixLength", reason: "\(prefixLength) and \(suffixLength) must be positive")
        }
        guard pool.count > 1 else { throw .invalidConfiguration(field: "pool", reason: "\(pool.count) tokens; need at least two") }
        guard !repetitions.isEmpty, repetitions.allSatisfy({ $0 >= 1 }) else {
            throw .invalidConfiguration(field: "repetitions", reason: "\(repetitions) must be non-empty counts ≥ 1")
        }
        var random = RandomGenerator(seed: seed)
        return (0..<count).map { index in
            let tokens = (0..<(prefixLength + suffixLength)).map { _ in pool[random.nextInt(below: pool.count)] }
            return ExtractionSample(
                id: index, prefix: Array(tokens.prefix(prefixLength)), suffix: Array(tokens.dropFirst(prefixLength)),
                repetitions: repetitions[index % repetitions.count])
        }
    }

    /// The fine-tuning stream that plants `samples`: each sample's tokens repeated
    /// ``ExtractionSample/repetitions`` times (once when unknown), in a seeded random order.
    ///
    /// With a `contextLength` > 0 every copy is preceded by its own random window of `context`
    /// (ordinary text), so that, as memorized text in a pre-training corpus, a canary is seen
    /// after varied preceding text rather than always at the start of a sequence — which is
    /// what a prompt placed before the prefix imitates.
    ///
    /// - Precondition: `context` holds at least `contextLength` tokens when `contextLength` > 0.
    public static func fineTuningSequences(
        _ samples: [ExtractionSample], contextLength: Int = 0, context: [Int] = [], seed: UInt64
    ) -> [[Int]] {
        precondition(contextLength >= 0 && (contextLength == 0 || context.count >= contextLength),
                     "CanarySet: \(context.count) context tokens for windows of \(contextLength)")
        var random = RandomGenerator(seed: seed)
        var sequences: [[Int]] = []
        for sample in samples {
            for _ in 0..<Swift.max(sample.repetitions ?? 1, 1) {
                var sequence: [Int] = []
                if contextLength > 0 {
                    let start = random.nextInt(below: context.count - contextLength + 1)
                    sequence = Array(context[start..<(start + contextLength)])
                }
                sequences.append(sequence + sample.tokens)
            }
        }
        return random.permutation(sequences.count).map { sequences[$0] }
    }

    /// Up to `count` non-overlapping windows of `prefixLength + suffixLength` tokens of `ids`,
    /// spread evenly over the stream (the first window starts at token 0).
    ///
    /// - Throws: ``MemorizationError/invalidSamples(reason:)`` when the stream holds no window.
    public static func windows(
        of ids: [Int], count: Int, prefixLength: Int, suffixLength: Int
    ) throws(MemorizationError) -> [ExtractionSample] {
        let length = prefixLength + suffixLength
        guard prefixLength > 0, suffixLength > 0, count > 0 else {
            throw .invalidConfiguration(field: "count/prefixLength/suffixLength", reason: "\(count), \(prefixLength), \(suffixLength) must be positive")
        }
        let available = ids.count / length
        guard available > 0 else {
            throw .invalidSamples(reason: "\(ids.count) tokens hold no window of \(length)")
        }
        let taken = Swift.min(count, available)
        let stride = available / taken
        return (0..<taken).map { index in
            let start = index * stride * length
            let window = Array(ids[start..<(start + length)])
            return ExtractionSample(id: index, prefix: Array(window.prefix(prefixLength)), suffix: Array(window.dropFirst(prefixLength)))
        }
    }
}
