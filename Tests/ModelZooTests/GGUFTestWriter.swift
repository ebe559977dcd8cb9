import Foundation
import ModelZoo

/// Builds GGUF files byte by byte for tests: metadata of every value type, tensors with raw or
/// quantized data, and knobs to produce malformed files.
struct GGUFTestWriter {
    /// One tensor to write.
    struct TensorEntry {
        var name: String
        /// ggml order (`ne0` first).
        var dimensions: [UInt64]
        var typeCode: UInt32
        var data: [UInt8]
        /// The offset to write instead of the computed one.
        var offsetOverride: UInt64? = nil
    }

    var magic = Array("GGUF".utf8)
    var version: UInt32 = 3
    var metadata: [(String, GGUFValue)] = []
    var tensors: [TensorEntry] = []
    /// Overrides the counts written in the header.
    var tensorCountOverride: UInt64? = nil
    var metadataCountOverride: UInt64? = nil

    /// The alignment used for the data section: `general.alignment` when it is set, else 32.
    var alignment: Int {
        metadata.first { $0.0 == "general.alignment" }?.1.int ?? 32
    }

    mutating func add(_ key: String, _ value: GGUFValue) { metadata.append((key, value)) }

    mutating func addTensor(_ name: String, dimensions: [Int], type: GGUFTensorType, data: [UInt8]) {
        tensors.append(TensorEntry(name: name, dimensions: dimensions.map(UInt64.init), typeCode: type.rawValue, data: data))
    }

    /// The offsets of the tensors inside the data section: each aligned, in order.
    var tensorOffsets: [Int] {
        var offsets = [Int]()
        var position = 0
        for tensor in tensors {
            offsets.append(position)
            position = Self.aligned(position + tensor.data.count, alignment)
        }
        return offsets
    }

    /// The bytes of the header up to (not including) the padding before the data section.
    var headerBytes: [UInt8] {
        var out = magic
        Self.append(version, to: &out)
        Self.append(tensorCountOverride ?? UInt64(tensors.count), to: &out)
        Self.append(metadataCountOverride ?? UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            Self.appendString(key, to: &out)
            Self.appendValue(value, to: &out)
        }
        for (tensor, offset) in zip(tensors, tensorOffsets) {
            Self.appendString(tensor.name, to: &out)
            Self.append(UInt32(tensor.dimensions.count), to: &out)
            for dimension in tensor.dimensions { Self.append(dimension, to: &out) }
            Self.append(tensor.typeCode, to: &out)
            Self.append(tensor.offsetOverride ?? UInt64(offset), to: &out)
        }
        return out
    }

    /// The complete file: header, padding, and each tensor's data at its aligned offset.
    var bytes: [UInt8] {
        let header = headerBytes
        let dataStart = Self.aligned(header.count, alignment)
        var out = header + [UInt8](repeating: 0, count: dataStart - header.count)
        for (tensor, offset) in zip(tensors, tensorOffsets) {
            out += [UInt8](repeating: 0, count: dataStart + offset - out.count)
            out += tensor.data
        }
        return out
    }

    static func aligned(_ value: Int, _ alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out += Array(string.utf8)
    }

    /// The GGUF type code of a value.
    static func typeCode(_ value: GGUFValue) -> UInt32 {
        switch value {
        case .uint8: 0
        case .int8: 1
        case .uint16: 2
        case .int16: 3
        case .uint32: 4
        case .int32: 5
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .array: 9
        case .uint64: 10
        case .int64: 11
        case .float64: 12
        }
    }

    static func elementTypeCode(_ array: GGUFArray) -> UInt32 {
        switch array {
        case .uint8: 0
        case .int8: 1
        case .uint16: 2
        case .int16: 3
        case .uint32: 4
        case .int32: 5
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .array: 9
        case .uint64: 10
        case .int64: 11
        case .float64: 12
        }
    }

    /// Appends a value's type code and its encoding.
    static func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        append(typeCode(value), to: &out)
        appendPayload(value, to: &out)
    }

    static func appendPayload(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case .uint8(let v): append(v, to: &out)
        case .int8(let v): append(v, to: &out)
        case .uint16(let v): append(v, to: &out)
        case .int16(let v): append(v, to: &out)
        case .uint32(let v): append(v, to: &out)
        case .int32(let v): append(v, to: &out)
        case .float32(let v): append(v.bitPattern, to: &out)
        case .bool(let v): append(UInt8(v ? 1 : 0), to: &out)
        case .string(let v): appendString(v, to: &out)
        case .uint64(let v): append(v, to: &out)
        case .int64(let v): append(v, to: &out)
        case .float64(let v): append(v.bitPattern, to: &out)
        case .array(let array): appendArray(array, to: &out)
        }
    }

    static func appendArray(_ array: GGUFArray, to out: inout [UInt8]) {
        append(elementTypeCode(array), to: &out)
        append(UInt64(array.count), to: &out)
        switch array {
        case .uint8(let v): v.forEach { append($0, to: &out) }
        case .int8(let v): v.forEach { append($0, to: &out) }
        case .uint16(let v): v.forEach { append($0, to: &out) }
        case .int16(let v): v.forEach { append($0, to: &out) }
        case .uint32(let v): v.forEach { append($0, to: &out) }
        case .int32(let v): v.forEach { append($0, to: &out) }
        case .float32(let v): v.forEach { append($0.bitPattern, to: &out) }
        case .bool(let v): v.forEach { append(UInt8($0 ? 1 : 0), to: &out) }
        case .string(let v): v.forEach { appendString($0, to: &out) }
        case .uint64(let v): v.forEach { append($0, to: &out) }
        case .int64(let v): v.forEach { append($0, to: &out) }
        case .float64(let v): v.forEach { append($0.bitPattern, to: &out) }
        case .array(let v): v.forEach { appendArray($0, to: &out) }
        }
    }
}

/// Temporary files for GGUF tests.
enum GGUFTestFiles {
    /// Writes `bytes` to a fresh temporary file, runs `body` with its URL, then removes it.
    @discardableResult
    static func withFile<R>(_ bytes: [UInt8], name: String = "test.gguf", _ body: (URL) throws -> R) throws -> R {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("modelzoo-gguf-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return try body(url)
    }

    /// The package root, from this file's location (`Tests/ModelZooTests/`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file in `Tests/ModelZooTests/Fixtures`.
    static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Tests/ModelZooTests/Fixtures/\(name)")
    }
}
