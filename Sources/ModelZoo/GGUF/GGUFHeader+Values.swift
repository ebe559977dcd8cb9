extension GGUFHeader {
    /// The GGUF value type codes.
    enum ValueType: UInt32 {
        case uint8 = 0, int8, uint16, int16, uint32, int32, float32, bool, string, array, uint64, int64, float64

        /// The smallest number of bytes one value of this type occupies.
        var minimumSize: Int {
            switch self {
            case .uint8, .int8, .bool: 1
            case .uint16, .int16: 2
            case .uint32, .int32, .float32: 4
            case .uint64, .int64, .float64, .string: 8
            case .array: 12
            }
        }
    }

    /// Reads one metadata value of type code `type` for `key`.
    ///
    /// - Parameter depth: the number of arrays enclosing the value.
    static func readValue(type code: UInt32, key: String, depth: Int, from reader: inout GGUFByteReader) throws -> GGUFValue {
        guard let type = ValueType(rawValue: code) else {
            throw GGUFError.unknownValueType(file: reader.file, key: key, type: code)
        }
        let field = "the value of key '\(key)'"
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, field))
        case .int8: return .int8(try reader.read(Int8.self, field))
        case .uint16: return .uint16(try reader.read(UInt16.self, field))
        case .int16: return .int16(try reader.read(Int16.self, field))
        case .uint32: return .uint32(try reader.read(UInt32.self, field))
        case .int32: return .int32(try reader.read(Int32.self, field))
        case .float32: return .float32(Float(bitPattern: try reader.read(UInt32.self, field)))
        case .bool: return .bool(try reader.read(UInt8.self, field) != 0)
        case .string: return .string(try reader.readString(field))
        case .uint64: return .uint64(try reader.read(UInt64.self, field))
        case .int64: return .int64(try reader.read(Int64.self, field))
        case .float64: return .float64(Double(bitPattern: try reader.read(UInt64.self, field)))
        case .array: return .array(try readArray(key: key, depth: depth + 1, from: &reader))
        }
    }

    /// Reads an array value: element type, count, elements.
    private static func readArray(key: String, depth: Int, from reader: inout GGUFByteReader) throws -> GGUFArray {
        guard depth <= GGUFFile.maximumArrayNesting else { throw GGUFError.nestingTooDeep(file: reader.file, key: key) }
        let code = try reader.read(UInt32.self, "the element type of key '\(key)'")
        guard let type = ValueType(rawValue: code) else {
            throw GGUFError.unknownValueType(file: reader.file, key: key, type: code)
        }
        let count = try reader.readCount("the element count of key '\(key)'", minimumElementSize: type.minimumSize)
        switch type {
        case .uint8: return .uint8(reader.readArray(of: UInt8.self, count: count))
        case .int8: return .int8(reader.readArray(of: Int8.self, count: count))
        case .uint16: return .uint16(reader.readArray(of: UInt16.self, count: count))
        case .int16: return .int16(reader.readArray(of: Int16.self, count: count))
        case .uint32: return .uint32(reader.readArray(of: UInt32.self, count: count))
        case .int32: return .int32(reader.readArray(of: Int32.self, count: count))
        case .float32: return .float32(reader.readArray(of: UInt32.self, count: count).map(Float.init(bitPattern:)))
        case .bool: return .bool(reader.readArray(of: UInt8.self, count: count).map { $0 != 0 })
        case .uint64: return .uint64(reader.readArray(of: UInt64.self, count: count))
        case .int64: return .int64(reader.readArray(of: Int64.self, count: count))
        case .float64: return .float64(reader.readArray(of: UInt64.self, count: count).map(Double.init(bitPattern:)))
        case .string:
            var strings = [String]()
            strings.reserveCapacity(count)
            for index in 0..<count {
                strings.append(try reader.readString("element \(index) of key '\(key)'"))
            }
            return .string(strings)
        case .array:
            var arrays = [GGUFArray]()
            arrays.reserveCapacity(count)
            for _ in 0..<count {
                arrays.append(try readArray(key: key, depth: depth + 1, from: &reader))
            }
            return .array(arrays)
        }
    }
}
