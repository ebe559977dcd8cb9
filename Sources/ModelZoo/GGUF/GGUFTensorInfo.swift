/// One entry of a GGUF file's tensor directory.
///
/// ``dimensions`` are in ggml order: `ne0` (the contiguous, fastest-varying axis) first. The
/// row-major ``shape`` used by ``GGUFFile/tensor(named:)`` is their reverse, so a matrix stored
/// with `ne = [576, 49152]` reads as a `[49152, 576]` tensor whose rows are contiguous.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor name, such as `blk.0.attn_q.weight`.
    public let name: String
    /// The dimensions in ggml order (`ne0` first).
    public let dimensions: [Int]
    /// The storage type.
    public let type: GGUFTensorType
    /// The byte offset of the data from the start of the file's data section.
    public let offset: Int
    /// The number of bytes of the stored data.
    public let byteCount: Int
    /// The number of elements (the product of the dimensions).
    public let elementCount: Int

    /// The row-major shape: the dimensions reversed (`[ne1, ne0]` for a matrix).
    public var shape: [Int] { dimensions.reversed() }
}
