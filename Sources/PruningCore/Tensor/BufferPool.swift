import Synchronization

/// Recycles large tensor buffers.
///
/// Training repeats the same shapes every step. Without recycling, each large buffer would be
/// a fresh `mmap` whose pages the kernel zeroes on first touch — a cost comparable to the
/// arithmetic itself for activation-sized tensors. Buffers of at least
/// ``minimumPooledBytes`` are kept after release, keyed by exact size, up to
/// ``capacityBytes`` in total, and handed out again for the same size.
public enum TensorMemory {
    /// Buffers smaller than this go straight to the system allocator.
    public static let minimumPooledBytes = 256 * 1024

    /// A cached buffer address; only ever touched under the lock.
    private struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private struct State {
        var free: [Int: [Buffer]] = [:]
        var cachedBytes = 0
        var capacityBytes = 1 << 30
    }

    private static let state = Mutex(State())

    /// The most bytes kept for reuse (default 1 GiB); lowering it releases the excess.
    public static var capacityBytes: Int {
        get { state.withLock { $0.capacityBytes } }
        set {
            state.withLock { $0.capacityBytes = max(0, newValue) }
            trim()
        }
    }

    /// The bytes currently kept for reuse.
    public static var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Returns every cached buffer to the system.
    public static func emptyCache() {
        let buffers = state.withLock { s -> [Buffer] in
            let all = s.free.values.flatMap { $0 }
            s.free = [:]
            s.cachedBytes = 0
            return all
        }
        for buffer in buffers { buffer.pointer.deallocate() }
    }

    private static func trim() {
        let released = state.withLock { s -> [Buffer] in
            var out: [Buffer] = []
            while s.cachedBytes > s.capacityBytes, let size = s.free.keys.max(), var list = s.free[size], let buffer = list.popLast() {
                out.append(buffer)
                s.cachedBytes -= size
                s.free[size] = list.isEmpty ? nil : list
            }
            return out
        }
        for buffer in released { buffer.pointer.deallocate() }
    }

    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumPooledBytes {
            let reused = state.withLock { s -> Buffer? in
                guard var list = s.free[byteCount], let buffer = list.popLast() else { return nil }
                s.free[byteCount] = list.isEmpty ? nil : list
                s.cachedBytes -= byteCount
                return buffer
            }
            if let reused { return reused.pointer }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    static func release(_ buffer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minimumPooledBytes {
            let entry = Buffer(pointer: buffer)
            let kept = state.withLock { s -> Bool in
                guard s.cachedBytes + byteCount <= s.capacityBytes else { return false }
                s.free[byteCount, default: []].append(entry)
                s.cachedBytes += byteCount
                return true
            }
            if kept { return }
        }
        buffer.deallocate()
    }
}
