import Foundation
import PruningCore

/// A GGUF file (the llama.cpp / ggml model format, versions 2 and 3) opened for reading.
///
/// The file is memory-mapped read-only. Its header — metadata and tensor directory — is parsed
/// and validated completely when the file is opened: every count and length is checked against
/// the bytes that remain before anything is allocated, every tensor's type, dimensions, alignment
/// and byte range are checked against the data section, and no two tensors may overlap. Tensor
/// data is touched only when a tensor is requested.
///
/// ```swift
/// let file = try GGUFFile(contentsOf: ModelFiles.smolLM2())
/// let layers = try file.int(forKey: "llama.block_count")          // 30
/// let embedding = try file.tensor(named: "token_embd.weight")     // [49152, 576], dequantized
/// ```
///
/// Format: GGUF specification, github.com/ggml-org/ggml `docs/gguf.md`.
public final class GGUFFile: Sendable {
    /// The alignment of the data section and of every tensor when `general.alignment` is absent.
    public static let defaultAlignment = 32
    /// The deepest nesting of array values accepted (an array of arrays has nesting 2).
    public static let maximumArrayNesting = 8

    private let mapping: MappedFile
    private let tensorIndex: [String: Int]

    /// The format version (2 or 3).
    public let version: UInt32
    /// The metadata values, by key.
    public let metadata: [String: GGUFValue]
    /// The metadata keys in file order.
    public let metadataKeys: [String]
    /// The tensor directory in file order.
    public let tensors: [GGUFTensorInfo]
    /// The alignment of the data section and of each tensor's offset, in bytes.
    public let alignment: Int
    /// The offset of the data section from the start of the file.
    public let dataOffset: Int

    /// The file's path, as used in error messages.
    public var path: String { mapping.path }

    /// Opens, maps and validates the GGUF file at `url`.
    ///
    /// - Throws: ``GGUFError`` when the file is missing, unreadable or malformed: bad magic,
    ///   unsupported version, truncated, counts or lengths beyond the file, unknown value or
    ///   tensor types, invalid UTF-8, duplicate keys or tensor names, invalid alignment or
    ///   dimensions, tensors misaligned, outside the data section or overlapping.
    public init(contentsOf url: URL) throws {
        do {
            mapping = try MappedFile(url: url)
        } catch FormatError.fileNotFound(let file) {
            throw GGUFError.fileNotFound(file: file)
        } catch FormatError.unreadable(let file, let reason) {
            throw GGUFError.unreadable(file: file, reason: reason)
        }
        let header = try GGUFHeader(parsing: mapping.bytes, file: mapping.path)
        version = header.version
        metadata = header.metadata
        metadataKeys = header.metadataKeys
        tensors = header.tensors
        alignment = header.alignment
        dataOffset = header.dataOffset
        var index = [String: Int](minimumCapacity: header.tensors.count)
        for (position, info) in header.tensors.enumerated() { index[info.name] = position }
        tensorIndex = index
    }

    /// The directory entry of the tensor named `name`, or `nil` when there is none.
    public func tensorInfo(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// Reads the tensor named `name`, dequantized to `Float`, with the row-major shape
    /// ``GGUFTensorInfo/shape`` (the ggml dimensions reversed).
    ///
    /// The returned tensor owns its data; it stays valid after the file object is released.
    /// - Throws: ``GGUFError/tensorNotFound(file:tensor:)``, or
    ///   ``GGUFError/unsupportedTensorType(file:tensor:type:)`` when
    ///   ``GGUFTensorType/canConvertToFloat`` is false for its type.
    public func tensor(named name: String) throws -> Tensor {
        let info = try requireTensor(named: name)
        guard info.type.canConvertToFloat else {
            throw GGUFError.unsupportedTensorType(file: path, tensor: name, type: info.type.name)
        }
        let source = mapping.bytes.baseAddress.map { $0 + dataOffset + info.offset }
        return Tensor(shape: info.shape) { destination in
            guard let source, let output = destination.baseAddress, info.elementCount > 0 else { return }
            GGUFDequantization.convert(info.type, from: source, count: info.elementCount, into: output)
        }
    }

    /// Calls `body` with the stored bytes of the tensor named `name` (quantized blocks as they
    /// are in the file), without copying.
    ///
    /// The buffer is valid only during the call.
    /// - Throws: ``GGUFError/tensorNotFound(file:tensor:)``, or what `body` throws.
    public func withStoredBytes<R>(ofTensor name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try requireTensor(named: name)
        let start = dataOffset + info.offset
        return try body(UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + info.byteCount)]))
    }

    private func requireTensor(named name: String) throws -> GGUFTensorInfo {
        guard let info = tensorInfo(named: name) else { throw GGUFError.tensorNotFound(file: path, tensor: name) }
        return info
    }
}
