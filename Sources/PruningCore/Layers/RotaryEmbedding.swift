import Foundation

/// Rotary position embeddings (Su et al., 2021, "RoFormer: Enhanced Transformer with Rotary
/// Position Embedding").
///
/// The head dimension is split into pairs; pair `j` at position `p` is rotated by the angle
/// `p · frequencies[j]`. Rotating queries and keys this way makes their dot product depend only
/// on the difference of their positions. The cosine and sine tables for positions
/// `0 ..< maxPositions` are computed once, at initialization, in double precision.
///
/// Two pairings of the head dimensions are in use (see ``Pairing``); Hugging Face LLaMA, Mistral,
/// Qwen and GPT-NeoX use ``Pairing/halves``.
///
/// Pruning methods that keep a subset of the rotary pairs build the rotary of the pruned heads
/// with ``init(frequencies:maxPositions:pairing:)`` from a subset of ``frequencies``, or with
/// ``keepingPairs(_:)``.
///
/// ```swift
/// let rotary = RotaryEmbedding(headDimension: 64, maxPositions: 2048)
/// let q = rotary(queries, offset: cache.length)   // [batch, heads, length, 64]
/// ```
public struct RotaryEmbedding: Sendable {
    /// Which head dimensions form a rotated pair.
    public enum Pairing: Sendable, Equatable {
        /// Pair `j` is `(x[j], x[j + d/2])`: the GPT-NeoX convention, used by Hugging Face
        /// LLaMA (`rotate_half`), Mistral, Qwen and most Hugging Face checkpoints.
        case halves
        /// Pair `j` is `(x[2j], x[2j + 1])`: the convention of the RoFormer paper and of the
        /// original Meta LLaMA code (which views each pair as a complex number). Hugging Face's
        /// conversion of Meta checkpoints permutes the query and key projection rows so that
        /// ``halves`` gives the same result.
        case interleaved
    }

    /// The rotation frequency of each pair (radians per position), `headDimension / 2` entries.
    public let frequencies: [Float]
    /// The number of positions with precomputed tables.
    public let maxPositions: Int
    /// Which dimensions form a pair.
    public let pairing: Pairing
    /// `cos(p · frequencies[j])` at `p · pairCount + j`.
    private let cosines: [Float]
    /// `sin(p · frequencies[j])` at `p · pairCount + j`.
    private let sines: [Float]

    /// The number of rotated pairs.
    public var pairCount: Int { frequencies.count }
    /// The head dimension this rotary applies to: `2 · pairCount`.
    public var headDimension: Int { 2 * frequencies.count }

    /// The standard rotary: pair `j` has frequency `base^(−2j / headDimension)`.
    ///
    /// - Parameters:
    ///   - headDimension: the (even) size of each head.
    ///   - base: θ, 10 000 in RoFormer and LLaMA 1–2 (LLaMA 3 uses 500 000).
    ///   - maxPositions: the number of positions to precompute.
    ///   - pairing: which dimensions form a pair.
    public init(headDimension: Int, base: Double = 10_000, maxPositions: Int, pairing: Pairing = .halves) {
        precondition(
            headDimension > 0 && headDimension % 2 == 0,
            "RotaryEmbedding: head dimension \(headDimension) must be positive and even")
        let frequencies = RotaryEmbedding.standardFrequencies(headDimension: headDimension, base: base)
        self.init(frequencies: frequencies, maxPositions: maxPositions, pairing: pairing)
    }

    /// A rotary with an explicit frequency per pair (for pruned heads that keep a subset of the
    /// pairs, or for scaled frequency schedules).
    ///
    /// - Parameters:
    ///   - frequencies: radians per position for each pair; the head dimension is twice its count.
    ///   - maxPositions: the number of positions to precompute.
    ///   - pairing: which dimensions form a pair.
    public init(frequencies: [Float], maxPositions: Int, pairing: Pairing = .halves) {
        precondition(!frequencies.isEmpty, "RotaryEmbedding: no frequencies")
        precondition(maxPositions > 0, "RotaryEmbedding: maxPositions \(maxPositions) must be positive")
        self.frequencies = frequencies
        self.maxPositions = maxPositions
        self.pairing = pairing
        let pairs = frequencies.count
        var cosines = [Float](repeating: 0, count: maxPositions * pairs)
        var sines = [Float](repeating: 0, count: maxPositions * pairs)
        for p in 0..<maxPositions {
            for j in 0..<pairs {
                let angle = Double(p) * Double(frequencies[j])
                cosines[p * pairs + j] = Float(Foundation.cos(angle))
                sines[p * pairs + j] = Float(Foundation.sin(angle))
            }
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// The frequencies `base^(−2j / headDimension)` for `j = 0 ..< headDimension / 2`, rounded
    /// to `Float` (as Hugging Face's `inv_freq`).
    public static func standardFrequencies(headDimension: Int, base: Double = 10_000) -> [Float] {
        (0..<headDimension / 2).map { j in
            Float(1 / Foundation.pow(base, Double(2 * j) / Double(headDimension)))
        }
    }

    /// The rotary of a head that keeps only the pairs `pairs` (indices into ``frequencies``, in
    /// the order they are kept), with the same pairing and table length.
    public func keepingPairs(_ pairs: [Int]) -> RotaryEmbedding {
        for j in pairs {
            precondition(j >= 0 && j < pairCount, "RotaryEmbedding.keepingPairs: pair \(j) is outside 0..<\(pairCount)")
        }
        return RotaryEmbedding(frequencies: pairs.map { frequencies[$0] }, maxPositions: maxPositions, pairing: pairing)
    }

    /// The head dimensions of pair `j`: `(j, j + d/2)` for ``Pairing/halves``, `(2j, 2j + 1)`
    /// for ``Pairing/interleaved``.
    public func dimensions(ofPair j: Int) -> (Int, Int) {
        switch pairing {
        case .halves: (j, j + pairCount)
        case .interleaved: (2 * j, 2 * j + 1)
        }
    }

    /// The order that takes a head laid out for ``Pairing/interleaved`` to the layout for
    /// ``Pairing/halves``: `x.indexSelect(order, alongAxis: -1)` with
    /// `order = [0, 2, 4, …, 1, 3, 5, …]`. (The row permutation Hugging Face applies to Meta's
    /// query and key projections.)
    public static func halvesOrder(fromInterleavedHeadDimension headDimension: Int) -> [Int] {
        precondition(headDimension % 2 == 0, "RotaryEmbedding.halvesOrder: head dimension \(headDimension) is odd")
        return Array(stride(from: 0, to: headDimension, by: 2)) + Array(stride(from: 1, to: headDimension, by: 2))
    }

    /// `x` `[batch, heads, length, headDimension]` with position `offset + t` applied at time `t`.
    ///
    /// - Precondition: the last dimension is ``headDimension`` and `offset + length ≤ maxPositions`.
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        precondition(x.rank >= 2, "RotaryEmbedding: input \(x.shape) needs [..., length, headDimension]")
        let length = x.shape[x.rank - 2]
        return callAsFunction(x, positions: Array(offset..<(offset + length)))
    }

    /// `x` `[..., length, headDimension]` with position `positions[t]` applied at time `t`.
    ///
    /// Linear in `x`; the gradient rotates by the opposite angles.
    public func callAsFunction(_ x: Tensor, positions: [Int]) -> Tensor {
        precondition(
            x.rank >= 2 && x.shape[x.rank - 1] == headDimension,
            "RotaryEmbedding: input \(x.shape) must end in [length, \(headDimension)]")
        precondition(
            x.shape[x.rank - 2] == positions.count,
            "RotaryEmbedding: \(positions.count) positions for input \(x.shape) of length \(x.shape[x.rank - 2])")
        for p in positions {
            precondition(p >= 0 && p < maxPositions, "RotaryEmbedding: position \(p) is outside the table 0..<\(maxPositions)")
        }
        let out = rotate(x, positions: positions, inverse: false)
        return Tensor.recorded(out, inputs: [x]) { g in
            [self.rotate(g, positions: positions, inverse: true)]
        }
    }

    /// Rotates every pair of `x` by `±p · frequency` without recording.
    private func rotate(_ x: Tensor, positions: [Int], inverse: Bool) -> Tensor {
        let pairs = pairCount
        let dimension = headDimension
        let length = positions.count
        let rows = length == 0 ? 0 : x.count / (length * dimension)
        // Pair j occupies (j · firstStride, j · firstStride + secondOffset).
        let (firstStride, secondOffset) = pairing == .halves ? (1, pairs) : (2, 1)
        let sign: Float = inverse ? -1 : 1
        return x.withUnsafeBufferPointer { source in
            Tensor(shape: x.shape) { out in
                cosines.withUnsafeBufferPointer { cosTable in
                    sines.withUnsafeBufferPointer { sinTable in
                        for row in 0..<rows {
                            for (t, p) in positions.enumerated() {
                                let base = (row * length + t) * dimension
                                let c = cosTable.baseAddress! + p * pairs
                                let s = sinTable.baseAddress! + p * pairs
                                for j in 0..<pairs {
                                    let first = base + j * firstStride
                                    let second = first + secondOffset
                                    let a = source[first]
                                    let b = source[second]
                                    let sj = sign * s[j]
                                    out[first] = a * c[j] - b * sj
                                    out[second] = b * c[j] + a * sj
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
