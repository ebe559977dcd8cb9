import Foundation
import ModelZoo

/// Builds GGUF files byte by byte: metadata of every value type, tensors with raw or quantized
/// data, and knobs to produce malformed files. Used for the fuzzer's seed files and by tests.
///
/// Besides the bytes, it reports where each length, count, type code, dimension and offset field
/// lies (``headerFields``) and where each structural part begins (``boundaries``), so that a
/// fuzzer can set those fields to extreme values and cut the file at each part.
package struct GGUFBuilder {
    /// One tensor to write.
    package struct TensorEntry {
        package var name: String
        /// ggml order (`ne0` first).
        package var dimensions: [UInt64]
        package var typeCode: UInt32
        package var data: [UInt8]
        /// The offset to write instead of the computed one.
        package var offsetOverride: UInt64? = nil
    }

    package var magic = Array("GGUF".utf8)
    package var version: UInt32 = 3
    package var metadata: [(String, GGUFValue)] = []
    package var tensors: [TensorEntry] = []
    /// Overrides the counts written in the header.
    package var tensorCountOverride: UInt64? = nil
    package var metadataCountOverride: UInt64? = nil

    /// The alignment used for the data section: `general.alignment` when it is set, else 32.
    package var alignment: Int {
        metadata.first { $0.0 == "general.alignment" }?.1.int ?? 32
    }

    package mutating func add(_ key: String, _ value: GGUFValue) { metadata.append((key, value)) }

    package mutating func addTensor(_ name: String, dimensions: [Int], type: GGUFTensorType, data: [UInt8]) {
        tensors.append(TensorEntry(name: name, dimensions: dimensions.map(UInt64.init), typeCode: type.rawValue, data: data))
    }

    /// The offsets of the tensors inside the data section: each aligned, in order.
    package var tensorOffsets: [Int] {
        var offsets = [Int]()
        var position = 0
        for tensor in tensors {
            offsets.append(position)
            position = Self.aligned(position + tensor.data.count, alignment)
        }
        return offsets
    }

    /// An empty version-3 file.
    package init() {}

    /// The bytes of the header up to (not including) the padding before the data section.
    package var headerBytes: [UInt8] { encodeHeader().bytes }

    /// Where every length, count, type code, dimension and offset field of the header lies.
    package var headerFields: [FuzzField] { encodeHeader().fields }

    /// The offsets where the file's parts begin: each header field, the end of the header, the
    /// data section, and each tensor's data.
    package var boundaries: [Int] {
        let header = encodeHeader()
        let dataStart = Self.aligned(header.bytes.count, alignment)
        return header.fields.map(\.offset) + [header.bytes.count, dataStart] + tensorOffsets.map { dataStart + $0 }
    }

    private func encodeHeader() -> (bytes: [UInt8], fields: [FuzzField]) {
        var out = magic
        var fields: [FuzzField] = []
        func field<T: FixedWidthInteger>(_ value: T) {
            fields.append(FuzzField(offset: out.count, width: MemoryLayout<T>.size))
            Self.append(value, to: &out)
        }
        func string(_ text: String) {
            field(UInt64(text.utf8.count))
            out += Array(text.utf8)
        }
        func array(_ array: GGUFArray) {
            field(Self.elementTypeCode(array))
            field(UInt64(array.count))
            switch array {
            case .string(let values): values.forEach(string)
            case .array(let values): values.forEach { nested in recordArray(nested) }
            default:
                var encoded: [UInt8] = []
                Self.appendArray(array, to: &encoded)
                out += encoded.dropFirst(12)
            }
        }
        func recordArray(_ nested: GGUFArray) { array(nested) }
        field(version)
        field(tensorCountOverride ?? UInt64(tensors.count))
        field(metadataCountOverride ?? UInt64(metadata.count))
        for (key, value) in metadata {
            string(key)
            field(Self.typeCode(value))
            switch value {
            case .string(let text): string(text)
            case .array(let values): array(values)
            default: Self.appendPayload(value, to: &out)
            }
        }
        for (tensor, offset) in zip(tensors, tensorOffsets) {
            string(tensor.name)
            field(UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { field(dimension) }
            field(tensor.typeCode)
            field(tensor.offsetOverride ?? UInt64(offset))
        }
        return (out, fields)
    }

    /// The complete file: header, padding, and each tensor's data at its aligned offset.
    package var bytes: [UInt8] {
        let header = headerBytes
        let dataStart = Self.aligned(header.count, alignment)
        var out = header + [UInt8](repeating: 0, count: dataStart - header.count)
        for (tensor, offset) in zip(tensors, tensorOffsets) {
            out += [UInt8](repeating: 0, count: dataStart + offset - out.count)
            out += tensor.data
        }
        return out
    }

    package static func aligned(_ value: Int, _ alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    package static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    package static func appendString(_ string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out += Array(string.utf8)
    }

    /// The GGUF type code of a value.
    package static func typeCode(_ value: GGUFValue) -> UInt32 {
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

    package static func elementTypeCode(_ array: GGUFArray) -> UInt32 {
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
    package static func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        append(typeCode(value), to: &out)
        appendPayload(value, to: &out)
    }

    package static func appendPayload(_ value: GGUFValue, to out: inout [UInt8]) {
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

    package static func appendArray(_ array: GGUFArray, to out: inout [UInt8]) {
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

