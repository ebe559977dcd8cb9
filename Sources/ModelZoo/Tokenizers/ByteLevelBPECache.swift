import Foundation

/// A thread-safe cache of the BPE tokens of short pre-tokens (up to 16 bytes), keyed by their
/// bytes. The cache is emptied when it holds ``capacity`` tokens.
final class ByteLevelBPECache: @unchecked Sendable {
    /// Up to 16 bytes packed into two words, with their count.
    struct Key: Hashable {
        let low: UInt64
        let high: UInt64
        let count: Int

        /// The key of `bytes`, or `nil` when there are more than 16.
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.count <= 16 else { return nil }
            var low: UInt64 = 0
            var high: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 {
                    low |= UInt64(byte) << (8 * UInt64(index))
                } else {
                    high |= UInt64(byte) << (8 * UInt64(index - 8))
                }
            }
            self.low = low
            self.high = high
            count = bytes.count
        }
    }

    /// The number of cached tokens beyond which the cache is emptied.
    let capacity = 1 << 22

    private let lock = NSLock()
    private var entries: [Key: Range<Int>] = [:]
    private var storage: [Int32] = []

    /// Appends the cached tokens for `key` to `output`; returns whether there were any.
    func append(_ key: Key, to output: inout [Int32]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let range = entries[key] else { return false }
        output.append(contentsOf: storage[range])
        return true
    }

    /// Caches `tokens` for `key`.
    func store(_ key: Key, _ tokens: ArraySlice<Int32>) {
        lock.lock()
        defer { lock.unlock() }
        if storage.count + tokens.count > capacity {
            storage.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
        }
        let start = storage.count
        storage.append(contentsOf: tokens)
        entries[key] = start..<storage.count
    }
}
