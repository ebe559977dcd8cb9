/// The merge table of a byte-level BPE vocabulary and the merge loop.
///
/// A pre-token's bytes start as single-byte tokens; the adjacent pair whose merge has the lowest
/// rank (its index in the merge list) is replaced by the merged token, leftmost first among equal
/// pairs, until no adjacent pair has a merge (Sennrich et al., "Neural Machine Translation of
/// Rare Words with Subword Units", 2016; the GPT-2 variant on bytes).
struct ByteLevelBPEMerges: Sendable {
    /// `(left << 32) | right` → `(rank << 32) | merged`, with token ids as `UInt32`.
    private let table: [UInt64: UInt64]
    /// The token of each single byte, or `-1` when the vocabulary lacks it.
    let byteTokens: [Int32]
    /// The token used for a byte missing from the vocabulary; such bytes are dropped when `nil`.
    let unknownToken: Int32?

    /// Pieces longer than this many bytes use the heap-based loop.
    static let heapThreshold = 96

    init(table: [UInt64: UInt64], byteTokens: [Int32], unknownToken: Int32?) {
        self.table = table
        self.byteTokens = byteTokens
        self.unknownToken = unknownToken
    }

    /// Reusable buffers for ``encode(_:into:scratch:)``.
    struct Scratch {
        var ids: [Int32] = []
        var ranks: [UInt32] = []
        var merged: [Int32] = []
        var next: [Int32] = []
        var previous: [Int32] = []
        var heap: [UInt64] = []
    }

    /// The rank and merged token of the pair `(left, right)`, or rank `UInt32.max`.
    @inline(__always)
    private func lookup(_ left: Int32, _ right: Int32) -> (rank: UInt32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        guard let value = table[key] else { return (.max, -1) }
        return (UInt32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value & 0xFFFF_FFFF))
    }

    /// Appends the tokens of `bytes` to `output`.
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [Int32], scratch: inout Scratch) {
        scratch.ids.removeAll(keepingCapacity: true)
        for byte in bytes {
            let token = byteTokens[Int(byte)]
            if token >= 0 {
                scratch.ids.append(token)
            } else if let unknownToken {
                scratch.ids.append(unknownToken)
            }
        }
        if scratch.ids.count < 2 {
            output.append(contentsOf: scratch.ids)
        } else if scratch.ids.count <= Self.heapThreshold {
            mergeByScanning(&scratch)
            output.append(contentsOf: scratch.ids)
        } else {
            mergeWithHeap(into: &output, &scratch)
        }
    }

    /// Repeatedly merges the lowest-ranked pair, keeping the pair ranks in an array (short pieces).
    private func mergeByScanning(_ scratch: inout Scratch) {
        let count = scratch.ids.count
        scratch.ranks.removeAll(keepingCapacity: true)
        scratch.merged.removeAll(keepingCapacity: true)
        for k in 0..<(count - 1) {
            let (rank, merged) = lookup(scratch.ids[k], scratch.ids[k + 1])
            scratch.ranks.append(rank)
            scratch.merged.append(merged)
        }
        while !scratch.ranks.isEmpty {
            var best = 0
            var bestRank = scratch.ranks[0]
            for k in 1..<scratch.ranks.count where scratch.ranks[k] < bestRank {
                best = k
                bestRank = scratch.ranks[k]
            }
            if bestRank == .max { break }
            scratch.ids[best] = scratch.merged[best]
            scratch.ids.remove(at: best + 1)
            scratch.ranks.remove(at: best)
            scratch.merged.remove(at: best)
            if best < scratch.ranks.count {
                (scratch.ranks[best], scratch.merged[best]) = lookup(scratch.ids[best], scratch.ids[best + 1])
            }
            if best > 0 {
                (scratch.ranks[best - 1], scratch.merged[best - 1]) = lookup(scratch.ids[best - 1], scratch.ids[best])
            }
        }
    }

    /// The same merges with a linked list and a min-heap of `(rank, position)` (long pieces,
    /// O(n log n)); stale heap entries are skipped when popped.
    private func mergeWithHeap(into output: inout [Int32], _ scratch: inout Scratch) {
        let count = scratch.ids.count
        scratch.next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : -1 }
        scratch.previous = (0..<count).map { Int32($0 - 1) }
        scratch.heap.removeAll(keepingCapacity: true)
        for k in 0..<(count - 1) {
            let rank = lookup(scratch.ids[k], scratch.ids[k + 1]).rank
            if rank != .max { Self.push(UInt64(rank) << 32 | UInt64(k), &scratch.heap) }
        }
        while let entry = Self.pop(&scratch.heap) {
            let rank = UInt32(entry >> 32)
            let position = Int(entry & 0xFFFF_FFFF)
            let right = Int(scratch.next[position])
            guard scratch.ids[position] >= 0, right >= 0 else { continue }
            let (currentRank, merged) = lookup(scratch.ids[position], scratch.ids[right])
            guard currentRank == rank else { continue }
            scratch.ids[position] = merged
            scratch.ids[right] = -1
            let after = Int(scratch.next[right])
            scratch.next[position] = Int32(after)
            if after >= 0 { scratch.previous[after] = Int32(position) }
            let before = Int(scratch.previous[position])
            if before >= 0 {
                let rank = lookup(scratch.ids[before], merged).rank
                if rank != .max { Self.push(UInt64(rank) << 32 | UInt64(before), &scratch.heap) }
            }
            if after >= 0 {
                let rank = lookup(merged, scratch.ids[after]).rank
                if rank != .max { Self.push(UInt64(rank) << 32 | UInt64(position), &scratch.heap) }
            }
        }
        var position = 0
        while position >= 0 {
            output.append(scratch.ids[position])
            position = Int(scratch.next[position])
        }
    }

    private static func push(_ value: UInt64, _ heap: inout [UInt64]) {
        heap.append(value)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func pop(_ heap: inout [UInt64]) -> UInt64? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let smaller = left + 1 < heap.count && heap[left + 1] < heap[left] ? left + 1 : left
            guard heap[smaller] < heap[parent] else { break }
            heap.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }
}
