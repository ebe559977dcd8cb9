import Foundation

/// A safetensors file opened for reading.
///
/// The file is memory-mapped read-only and its header is parsed and validated completely when
/// the file is opened (see ``SafeTensors`` for the layout); tensor data is touched only when a
/// tensor is requested, so opening a multi-gigabyte checkpoint to read one tensor is cheap.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: url)
/// for name in file.names { print(name, file.shape(of: name)!, file.dtype(of: name)!) }
/// let weight = try file.tensor(named: "fc.weight")   // converted to Float
/// ```
///
/// Every element type of ``StoredScalarType`` is converted to `Float` on read; the returned
/// tensor owns a copy of the data, so it stays valid after the file object is released.
public final class SafeTensorsFile: Sendable {
    private let mapping: MappedFile
    private let header: SafeTensorsHeader

    /// The tensor names, sorted.
    public let names: [String]

    /// The free-form string metadata stored under `__metadata__`; empty when absent.
    public var metadata: [String: String] { header.metadata }

    /// The file's path, as used in error messages.
    public var path: String { mapping.path }

    /// Opens, maps and validates the safetensors file at `url`.
    ///
    /// - Throws: ``FormatError`` when the file is missing, unreadable or malformed: truncated,
    ///   header length beyond the file or above ``SafeTensors/maximumHeaderLength``, invalid
    ///   JSON, missing or ill-typed fields, unknown dtype, negative dimensions, offsets out of
    ///   range or overlapping, or byte ranges that disagree with shape × element size.
    public init(contentsOf url: URL) throws {
        mapping = try MappedFile(url: url)
        header = try SafeTensorsHeader(parsing: mapping.bytes, file: mapping.path)
        names = header.entries.keys.sorted()
    }

    /// Whether the file holds a tensor named `name`.
    public func contains(_ name: String) -> Bool { header.entries[name] != nil }

    /// The shape of the tensor named `name`, or `nil` when there is none.
    public func shape(of name: String) -> [Int]? { header.entries[name]?.shape }

    /// The stored element type of the tensor named `name`, or `nil` when there is none.
    public func dtype(of name: String) -> StoredScalarType? { header.entries[name]?.dtype }

    /// Reads the tensor named `name`, converting its elements to `Float`.
    ///
    /// - Throws: ``FormatError/tensorNotFound(file:tensor:)`` when there is no such tensor.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = header.entries[name] else { throw FormatError.tensorNotFound(file: path, tensor: name) }
        let start = header.dataStart + entry.byteRange.lowerBound
        let source = UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + entry.byteRange.count)])
        return Tensor(shape: entry.shape) { destination in
            entry.dtype.convertLittleEndian(from: source, into: destination)
        }
    }

    /// Reads every tensor, by name.
    public func tensors() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names { result[name] = try tensor(named: name) }
        return result
    }
}
