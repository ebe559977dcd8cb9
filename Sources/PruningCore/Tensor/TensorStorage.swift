/// The reference-counted buffer behind a ``Tensor``.
///
/// Elements are 64-byte aligned `Float`s. A storage is either owned (allocated here and freed on
/// deinit) or borrowed from a memory-mapped file, whose owner is kept alive by `owner`.
/// Tensors share a storage until one of them writes, at which point it copies (copy-on-write).
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int
    /// Whether this storage owns (and may write) its memory; borrowed memory is copied before
    /// any write.
    @usableFromInline let isOwned: Bool
    private let owner: AnyObject?

    /// Allocates uninitialized storage for `count` elements.
    @usableFromInline
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = TensorMemory.allocate(byteCount: bytes)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        self.isOwned = true
        self.owner = nil
    }

    /// Allocates storage filled with `value`.
    @usableFromInline
    convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Wraps memory owned by `owner` (for example a memory-mapped file) without copying.
    init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = pointer
        self.count = count
        self.isOwned = false
        self.owner = owner
    }

    /// A new owned storage holding a copy of these elements.
    @usableFromInline
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.initialize(from: pointer, count: count)
        return result
    }

    deinit {
        if isOwned {
            TensorMemory.release(UnsafeMutableRawPointer(pointer), byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        }
    }
}
