import Foundation

/// The element type code of an idx file (the third magic byte).
public enum IDXElementType: UInt8, Sendable, CaseIterable {
    /// Unsigned byte (`0x08`), as in MNIST images and labels.
    case uint8 = 0x08
    /// Signed byte (`0x09`).
    case int8 = 0x09
    /// Big-endian signed 16-bit integer (`0x0B`).
    case int16 = 0x0B
    /// Big-endian signed 32-bit integer (`0x0C`).
    case int32 = 0x0C
    /// Big-endian IEEE 754 binary32 (`0x0D`).
    case float32 = 0x0D
    /// Big-endian IEEE 754 binary64 (`0x0E`).
    case float64 = 0x0E

    /// The size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .uint8, .int8: 1
        case .int16: 2
        case .int32, .float32: 4
        case .float64: 8
        }
    }
}

/// An array read from an idx file, the format of MNIST and Fashion-MNIST.
///
/// Layout (Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database"): the magic
/// `0x00 0x00 TT NN` with element type `TT` (see ``IDXElementType``) and rank `NN`, then `NN`
/// big-endian `u32` dimensions, then the elements in row-major order, big-endian. Files may be
/// gzip-compressed (detected from the content, not the name).
///
/// ```swift
/// let images = try IDXArray(contentsOf: url)          // shape [10000, 28, 28]
/// let x = images.tensor(scaledBy: 1 / 255)           // Float in [0, 1]
/// ```
public struct IDXArray: Sendable, Equatable {
    /// The element values: raw bytes for ``IDXElementType/uint8``, `Float` for other types.
    public enum Elements: Sendable, Equatable {
        /// Unsigned bytes, unconverted.
        case bytes([UInt8])
        /// Values converted to `Float` (exact for all but large `int32` and `float64`).
        case floats([Float])
    }

    /// The stored element type.
    public let elementType: IDXElementType
    /// The dimensions, for example `[10000, 28, 28]` for MNIST test images.
    public let shape: [Int]
    /// The elements in row-major order.
    public let elements: Elements

    /// The number of elements.
    public var count: Int {
        switch elements {
        case .bytes(let bytes): bytes.count
        case .floats(let floats): floats.count
        }
    }

    /// The raw bytes of a ``IDXElementType/uint8`` array, or `nil` for other types.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = elements { return bytes }
        return nil
    }

    /// The elements as a tensor of ``shape``, each multiplied by `factor` (for example `1 / 255`
    /// to map pixel bytes to `[0, 1]`).
    public func tensor(scaledBy factor: Float = 1) -> Tensor {
        Tensor(shape: shape) { destination in
            switch elements {
            case .bytes(let bytes):
                for i in 0..<bytes.count { destination[i] = Float(bytes[i]) * factor }
            case .floats(let floats):
                for i in 0..<floats.count { destination[i] = floats[i] * factor }
            }
        }
    }

    /// Reads the idx file at `url`, raw or gzip-compressed.
    ///
    /// Compressed files are decompressed incrementally: the header is decoded first and the
    /// output buffer is sized from its dimensions, so a corrupt header cannot trigger an
    /// unbounded allocation, and the gzip checksum is verified at the end.
    ///
    /// - Throws: ``FormatError`` for a missing file, a wrong magic, a truncated file, dimensions
    ///   needing more data than the file holds (or can decompress to), data beyond the declared
    ///   dimensions, or corrupt gzip data.
    public init(contentsOf url: URL) throws {
        let file = try MappedFile(url: url)
        if file.bytes.starts(with: GzipDecompressor.magic) {
            self = try Self.readCompressed(file.bytes, file: file.path)
        } else {
            self = try Self.readRaw(file.bytes, file: file.path)
        }
    }

    init(elementType: IDXElementType, shape: [Int], elements: Elements) {
        self.elementType = elementType
        self.shape = shape
        self.elements = elements
    }

    private static func readRaw(_ bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> IDXArray {
        guard bytes.count >= 4 else {
            throw .truncated(file: file, detail: "an idx header needs 4 bytes, file has \(bytes.count)")
        }
        guard bytes[0] == 0, bytes[1] == 0, let type = IDXElementType(rawValue: bytes[2]) else {
            throw .badMagic(file: file, found: FormatError.hexDescription(of: bytes.prefix(4)))
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .truncated(file: file, detail: "\(rank) dimensions need a \(headerSize)-byte header, file has \(bytes.count)")
        }
        let shape = parseDimensions(UnsafeRawBufferPointer(rebasing: bytes[4..<headerSize]))
        let needed = try byteCount(shape: shape, type: type, file: file)
        let available = bytes.count - headerSize
        guard available >= needed else {
            throw .truncated(file: file, detail: "dimensions \(shape) need \(needed) data bytes, file has \(available)")
        }
        guard available == needed else {
            throw .byteCountMismatch(file: file, tensor: "", expected: needed, actual: available)
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
        return IDXArray(elementType: type, shape: shape, elements: decode(data, type: type))
    }

    private static func readCompressed(_ bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) -> IDXArray {
        let inflater = try GzipDecompressor(input: bytes, file: file)
        let magic = try inflater.read(count: 4)
        guard magic[0] == 0, magic[1] == 0, let type = IDXElementType(rawValue: magic[2]) else {
            throw .badMagic(file: file, found: FormatError.hexDescription(of: magic))
        }
        let rank = Int(magic[3])
        let shape = try inflater.read(count: 4 * rank).withUnsafeBytes { parseDimensions($0) }
        let needed = try byteCount(shape: shape, type: type, file: file)
        // Deflate expands at most 1032:1, so a header asking for more cannot be satisfied.
        let (bound, overflow) = bytes.count.multipliedReportingOverflow(by: 1032)
        guard overflow || needed <= bound else {
            throw .truncated(
                file: file, detail: "dimensions \(shape) need \(needed) data bytes, more than \(bytes.count) compressed bytes can hold")
        }
        let data = try inflater.read(count: needed)
        let extra = try inflater.finish(limit: Int.max - needed - 1)
        guard extra == 0 else {
            throw .byteCountMismatch(file: file, tensor: "", expected: needed, actual: needed + extra)
        }
        let elements = data.withUnsafeBytes { decode($0, type: type) }
        return IDXArray(elementType: type, shape: shape, elements: elements)
    }

    private static func parseDimensions(_ bytes: UnsafeRawBufferPointer) -> [Int] {
        stride(from: 0, to: bytes.count, by: 4).map {
            Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: $0, as: UInt32.self)))
        }
    }

    private static func byteCount(shape: [Int], type: IDXElementType, file: String) throws(FormatError) -> Int {
        var total = type.byteCount
        for dimension in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .shapeOverflow(file: file, tensor: "", shape: shape) }
            total = product
        }
        return total
    }

    /// Converts big-endian elements to the stored representation.
    private static func decode(_ data: UnsafeRawBufferPointer, type: IDXElementType) -> Elements {
        let count = data.count / type.byteCount
        if type == .uint8 { return .bytes(Array(data)) }
        let floats = [Float](unsafeUninitializedCapacity: count) { output, initialized in
            switch type {
            case .uint8:
                preconditionFailure("unreachable: uint8 is kept as bytes")
            case .int8:
                for i in 0..<count { output[i] = Float(data.load(fromByteOffset: i, as: Int8.self)) }
            case .int16:
                for i in 0..<count { output[i] = Float(Int16(bigEndian: data.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
            case .int32:
                for i in 0..<count { output[i] = Float(Int32(bigEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
            case .float32:
                for i in 0..<count {
                    output[i] = Float(bitPattern: UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            case .float64:
                for i in 0..<count {
                    output[i] = Float(Double(bitPattern: UInt64(bigEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            }
            initialized = count
        }
        return .floats(floats)
    }
}
