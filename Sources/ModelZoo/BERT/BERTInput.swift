import PruningCore

/// A batch of token sequences for a BERT encoder: ids, token types and attention mask, each
/// `[batchSize, length]` in row-major order.
///
/// ```swift
/// let input = BERTInput(sequences: [[101, 7592, 102], [101, 102]])   // padded to length 3
/// input.attentionMask   // [1, 1, 1, 1, 1, 0]
/// ```
public struct BERTInput: Sendable, Equatable {
    /// The number of sequences.
    public let batchSize: Int
    /// The padded length of every sequence.
    public let length: Int
    /// The token ids, `[batchSize, length]` row-major.
    public let tokenIDs: [Int]
    /// The segment (token type) ids, `[batchSize, length]` row-major: 0 for a first segment.
    public let tokenTypeIDs: [Int]
    /// 1 for a real token, 0 for padding, `[batchSize, length]` row-major.
    public let attentionMask: [Int]

    /// A batch from its flat arrays.
    ///
    /// - Precondition: each array holds `batchSize · length` entries and the mask holds only 0
    ///   and 1.
    public init(tokenIDs: [Int], tokenTypeIDs: [Int], attentionMask: [Int], batchSize: Int, length: Int) {
        precondition(batchSize >= 0 && length >= 0, "BERTInput: batch size \(batchSize) and length \(length) must not be negative")
        let count = batchSize * length
        precondition(
            tokenIDs.count == count && tokenTypeIDs.count == count && attentionMask.count == count,
            "BERTInput: \(tokenIDs.count) ids, \(tokenTypeIDs.count) token types and \(attentionMask.count) mask entries do not fill [\(batchSize), \(length)]")
        precondition(attentionMask.allSatisfy { $0 == 0 || $0 == 1 }, "BERTInput: the attention mask must hold only 0 and 1")
        self.tokenIDs = tokenIDs
        self.tokenTypeIDs = tokenTypeIDs
        self.attentionMask = attentionMask
        self.batchSize = batchSize
        self.length = length
    }

    /// A batch of first-segment sequences, right-padded with `paddingID` to the longest.
    public init(sequences: [[Int]], paddingID: Int = 0) {
        let length = sequences.map(\.count).max() ?? 0
        var ids: [Int] = []
        var mask: [Int] = []
        ids.reserveCapacity(sequences.count * length)
        mask.reserveCapacity(sequences.count * length)
        for sequence in sequences {
            let padding = length - sequence.count
            ids += sequence
            ids += repeatElement(paddingID, count: padding)
            mask += repeatElement(1, count: sequence.count)
            mask += repeatElement(0, count: padding)
        }
        self.init(
            tokenIDs: ids, tokenTypeIDs: [Int](repeating: 0, count: ids.count), attentionMask: mask,
            batchSize: sequences.count, length: length)
    }

    /// The number of real (unmasked) tokens of each sequence.
    public var validLengths: [Int] {
        (0..<batchSize).map { row in attentionMask[(row * length)..<((row + 1) * length)].reduce(0, +) }
    }

    /// Whether no position is padding.
    public var isUnpadded: Bool { !attentionMask.contains(0) }

    /// The ids of the real tokens of sequence `row`, in order.
    public func sequence(at row: Int) -> [Int] {
        precondition(row >= 0 && row < batchSize, "BERTInput: row \(row) is outside 0..<\(batchSize)")
        return (row * length..<(row + 1) * length).compactMap { attentionMask[$0] == 1 ? tokenIDs[$0] : nil }
    }

    /// The attention mask as a tensor `[batchSize, length]` of 1 (token) and 0 (padding).
    public var maskTensor: Tensor {
        Tensor(shape: [batchSize, length], scalars: attentionMask.map(Float.init))
    }

    /// A boolean attention mask `[batchSize, 1, 1, length]` letting every query see the real
    /// tokens of its sequence, or nil when nothing is padding.
    public var keyPaddingMask: AttentionMask? {
        isUnpadded ? nil : .boolean(maskTensor.reshaped(to: [batchSize, 1, 1, length]))
    }
}
