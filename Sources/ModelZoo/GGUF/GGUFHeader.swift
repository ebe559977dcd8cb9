/// The parsed and validated header of a GGUF file: version, metadata and tensor directory.
///
/// Layout (GGUF versions 2 and 3, little-endian): the magic `GGUF`, a `u32` version, a `u64`
/// tensor count and a `u64` metadata count; the metadata entries (key string, `u32` value type,
/// value); the tensor infos (name string, `u32` dimension count, `u64` dimensions in ggml order,
/// `u32` ggml type, `u64` offset into the data section); padding to the alignment
/// (`general.alignment`, default 32); the data section.
struct GGUFHeader {
    /// The format version (2 or 3).
    var version: UInt32 = 0
    /// The metadata, by key.
    var metadata: [String: GGUFValue] = [:]
    /// The metadata keys in file order.
    var metadataKeys: [String] = []
    /// The tensor directory in file order.
    var tensors: [GGUFTensorInfo] = []
    /// The data-section alignment in bytes.
    var alignment = GGUFFile.defaultAlignment
    /// The offset of the data section from the start of the file.
    var dataOffset = 0
    /// The size of the data section in bytes.
    var dataSize = 0

    /// The smallest encoded size of a metadata entry: an empty key, a type and a one-byte value.
    private static let minimumEntrySize = 8 + 4 + 1
    /// The smallest encoded size of a tensor info: an empty name, no dimensions, type and offset.
    private static let minimumTensorInfoSize = 8 + 4 + 4 + 8
    /// The largest dimension count ggml supports.
    static let maximumDimensions = 4

    /// Parses and validates the header at the start of `bytes`.
    init(parsing bytes: UnsafeRawBufferPointer, file: String) throws {
        var reader = GGUFByteReader(bytes: bytes, file: file)
        guard bytes.count >= 4 else {
            throw GGUFError.truncated(file: file, detail: "\(bytes.count) bytes cannot hold the magic number")
        }
        let magic = Array(bytes[0..<4])
        guard magic == Array("GGUF".utf8) else {
            throw GGUFError.badMagic(file: file, found: "0x" + magic.map { String(format2: $0) }.joined())
        }
        _ = try reader.read(UInt32.self, "the magic number")
        version = try reader.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(file: file, version: version) }
        let tensorCountField = try reader.read(UInt64.self, "the tensor count")
        let entryCountField = try reader.read(UInt64.self, "the metadata count")
        guard entryCountField <= UInt64(reader.remaining / Self.minimumEntrySize) else {
            throw GGUFError.countTooLarge(
                file: file, field: "the metadata count", count: entryCountField, remainingBytes: reader.remaining)
        }
        for index in 0..<Int(entryCountField) {
            let key = try reader.readString("the key of metadata entry \(index)")
            let type = try reader.read(UInt32.self, "the value type of key '\(key)'")
            let value = try Self.readValue(type: type, key: key, depth: 0, from: &reader)
            guard metadata.updateValue(value, forKey: key) == nil else { throw GGUFError.duplicateKey(file: file, key: key) }
            metadataKeys.append(key)
        }
        alignment = try Self.alignment(in: metadata, file: file)

        guard tensorCountField <= UInt64(reader.remaining / Self.minimumTensorInfoSize) else {
            throw GGUFError.countTooLarge(
                file: file, field: "the tensor count", count: tensorCountField, remainingBytes: reader.remaining)
        }
        var names = Set<String>()
        var entries = [TensorEntry]()
        entries.reserveCapacity(Int(tensorCountField))
        for index in 0..<Int(tensorCountField) {
            let entry = try Self.readTensorInfo(index: index, alignment: alignment, from: &reader)
            guard names.insert(entry.name).inserted else { throw GGUFError.duplicateTensor(file: file, tensor: entry.name) }
            entries.append(entry)
        }

        let headerEnd = reader.position
        dataOffset = (headerEnd + alignment - 1) / alignment * alignment
        if !entries.isEmpty && bytes.count < dataOffset {
            throw GGUFError.truncated(file: file, detail: "the file ends inside the padding before the data section")
        }
        dataSize = max(0, bytes.count - dataOffset)
        try Self.validateRanges(of: entries, dataSize: dataSize, file: file)
        tensors = entries.map {
            GGUFTensorInfo(
                name: $0.name, dimensions: $0.dimensions.map(Int.init), type: $0.type, offset: Int($0.offset),
                byteCount: $0.byteCount, elementCount: $0.elementCount)
        }
    }

    /// A tensor info as read, before its byte range is checked against the data section.
    private struct TensorEntry {
        var name: String
        var dimensions: [Int64]
        var type: GGUFTensorType
        var offset: UInt64
        var byteCount: Int
        var elementCount: Int
    }

    /// The alignment from `general.alignment`, or the default.
    private static func alignment(in metadata: [String: GGUFValue], file: String) throws -> Int {
        let key = "general.alignment"
        guard let value = metadata[key] else { return GGUFFile.defaultAlignment }
        guard let alignment = value.int else {
            throw GGUFError.invalidMetadata(file: file, key: key, reason: "expected an integer, found \(value.typeName)")
        }
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= 1 << 30 else {
            throw GGUFError.invalidMetadata(file: file, key: key, reason: "alignment \(alignment) is not a power of two up to 2^30")
        }
        return alignment
    }

    /// Reads one tensor info and checks its dimensions, type, size and alignment.
    private static func readTensorInfo(index: Int, alignment: Int, from reader: inout GGUFByteReader) throws -> TensorEntry {
        let file = reader.file
        let name = try reader.readString("the name of tensor \(index)")
        let dimensionCount = try reader.read(UInt32.self, "the dimension count of tensor '\(name)'")
        guard dimensionCount <= UInt32(maximumDimensions) else {
            throw GGUFError.invalidDimensions(
                file: file, tensor: name, dimensions: [],
                reason: "\(dimensionCount) dimensions, at most \(maximumDimensions) are supported")
        }
        var raw = [Int64]()
        for axis in 0..<Int(dimensionCount) {
            raw.append(Int64(bitPattern: try reader.read(UInt64.self, "dimension \(axis) of tensor '\(name)'")))
        }
        let typeCode = try reader.read(UInt32.self, "the type of tensor '\(name)'")
        let offset = try reader.read(UInt64.self, "the offset of tensor '\(name)'")
        guard let type = GGUFTensorType(rawValue: typeCode) else {
            throw GGUFError.unknownTensorType(file: file, tensor: name, type: typeCode)
        }
        if raw.contains(where: { $0 < 0 }) {
            throw GGUFError.invalidDimensions(file: file, tensor: name, dimensions: raw, reason: "negative dimension")
        }
        var elementCount = 1
        for dimension in raw {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: Int(dimension))
            guard !overflow else { throw GGUFError.shapeOverflow(file: file, tensor: name, dimensions: raw) }
            elementCount = product
        }
        let rowLength = raw.first.map(Int.init) ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw GGUFError.invalidDimensions(
                file: file, tensor: name, dimensions: raw,
                reason: "row length \(rowLength) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        let (byteCount, overflow) = (elementCount / type.blockSize).multipliedReportingOverflow(by: type.blockByteCount)
        guard !overflow else { throw GGUFError.shapeOverflow(file: file, tensor: name, dimensions: raw) }
        guard offset % UInt64(alignment) == 0 else {
            throw GGUFError.misalignedTensor(file: file, tensor: name, offset: offset, alignment: alignment)
        }
        return TensorEntry(
            name: name, dimensions: raw, type: type, offset: offset, byteCount: byteCount, elementCount: elementCount)
    }

    /// Checks that every tensor lies inside the data section and that no two overlap.
    private static func validateRanges(of tensors: [TensorEntry], dataSize: Int, file: String) throws {
        for info in tensors {
            guard info.offset <= UInt64(dataSize), info.byteCount <= dataSize - Int(info.offset) else {
                throw GGUFError.tensorOutOfRange(
                    file: file, tensor: info.name, offset: info.offset, byteCount: info.byteCount, dataSize: dataSize)
            }
        }
        let ordered = tensors.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.offset + UInt64(previous.byteCount) > next.offset {
            throw GGUFError.overlappingTensors(file: file, first: previous.name, second: next.name)
        }
    }
}

extension String {
    /// Two lowercase hexadecimal digits.
    fileprivate init(format2 byte: UInt8) {
        let digits = String(byte, radix: 16)
        self = digits.count == 1 ? "0" + digits : digits
    }
}
