/// One metadata value of a GGUF file.
///
/// The cases are the GGUF value types (type codes 0–12 of the GGUF specification); arrays keep
/// their element type even when empty (see ``GGUFArray``). The convenience accessors (``int``,
/// ``float``, ``string``, ``strings``, ``ints`` …) convert between compatible types and return
/// `nil` when the value does not fit, so `metadata["llama.block_count"]?.int` works whether the
/// writer chose `UINT32` or `UINT64`.
public enum GGUFValue: Sendable, Equatable {
    /// `UINT8` (type 0).
    case uint8(UInt8)
    /// `INT8` (type 1).
    case int8(Int8)
    /// `UINT16` (type 2).
    case uint16(UInt16)
    /// `INT16` (type 3).
    case int16(Int16)
    /// `UINT32` (type 4).
    case uint32(UInt32)
    /// `INT32` (type 5).
    case int32(Int32)
    /// `FLOAT32` (type 6).
    case float32(Float)
    /// `BOOL` (type 7), one byte; any non-zero byte reads as `true`.
    case bool(Bool)
    /// `STRING` (type 8): a UTF-8 string with a 64-bit length prefix.
    case string(String)
    /// `ARRAY` (type 9): an element type, a 64-bit count and the elements.
    case array(GGUFArray)
    /// `UINT64` (type 10).
    case uint64(UInt64)
    /// `INT64` (type 11).
    case int64(Int64)
    /// `FLOAT64` (type 12).
    case float64(Double)

    /// The GGUF name of the value's type, such as `"UINT32"` or `"ARRAY[STRING]"`.
    public var typeName: String {
        switch self {
        case .uint8: "UINT8"
        case .int8: "INT8"
        case .uint16: "UINT16"
        case .int16: "INT16"
        case .uint32: "UINT32"
        case .int32: "INT32"
        case .float32: "FLOAT32"
        case .bool: "BOOL"
        case .string: "STRING"
        case .array(let array): "ARRAY[\(array.elementTypeName)]"
        case .uint64: "UINT64"
        case .int64: "INT64"
        case .float64: "FLOAT64"
        }
    }

    /// The value as an `Int` when it is an integer of any width that fits; `nil` otherwise.
    public var int: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(exactly: v)
        default: nil
        }
    }

    /// The value as a `Double` when it is a float or an integer; `nil` otherwise.
    public var double: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .uint64(let v): Double(v)
        case .int64(let v): Double(v)
        default: int.map(Double.init)
        }
    }

    /// The value as a `Float` when it is a float or an integer (rounded to nearest); `nil` otherwise.
    public var float: Float? {
        if case .float32(let v) = self { return v }
        return double.map(Float.init)
    }

    /// The value when it is a `BOOL`; `nil` otherwise.
    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    /// The value when it is a `STRING`; `nil` otherwise.
    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// The elements when the value is an array; `nil` otherwise.
    public var array: GGUFArray? {
        if case .array(let v) = self { return v }
        return nil
    }

    /// The elements when the value is an array of strings; `nil` otherwise.
    public var strings: [String]? {
        if case .array(.string(let v)) = self { return v }
        return nil
    }

    /// The elements when the value is an array of integers that all fit in `Int`; `nil` otherwise.
    public var ints: [Int]? { array?.ints }

    /// The elements when the value is an array of floats or integers, as `Float`; `nil` otherwise.
    public var floats: [Float]? { array?.floats }
}

/// The elements of a GGUF array value, stored with their element type.
///
/// Arrays may nest (``array(_:)``); every element of an array has the same type.
public enum GGUFArray: Sendable, Equatable {
    /// `UINT8` elements.
    case uint8([UInt8])
    /// `INT8` elements.
    case int8([Int8])
    /// `UINT16` elements.
    case uint16([UInt16])
    /// `INT16` elements.
    case int16([Int16])
    /// `UINT32` elements.
    case uint32([UInt32])
    /// `INT32` elements.
    case int32([Int32])
    /// `FLOAT32` elements.
    case float32([Float])
    /// `BOOL` elements.
    case bool([Bool])
    /// `STRING` elements.
    case string([String])
    /// `ARRAY` elements (nested arrays; each has its own element type).
    case array([GGUFArray])
    /// `UINT64` elements.
    case uint64([UInt64])
    /// `INT64` elements.
    case int64([Int64])
    /// `FLOAT64` elements.
    case float64([Double])

    /// The number of elements.
    public var count: Int {
        switch self {
        case .uint8(let v): v.count
        case .int8(let v): v.count
        case .uint16(let v): v.count
        case .int16(let v): v.count
        case .uint32(let v): v.count
        case .int32(let v): v.count
        case .float32(let v): v.count
        case .bool(let v): v.count
        case .string(let v): v.count
        case .array(let v): v.count
        case .uint64(let v): v.count
        case .int64(let v): v.count
        case .float64(let v): v.count
        }
    }

    /// The GGUF name of the element type, such as `"INT32"`.
    public var elementTypeName: String {
        switch self {
        case .uint8: "UINT8"
        case .int8: "INT8"
        case .uint16: "UINT16"
        case .int16: "INT16"
        case .uint32: "UINT32"
        case .int32: "INT32"
        case .float32: "FLOAT32"
        case .bool: "BOOL"
        case .string: "STRING"
        case .array: "ARRAY"
        case .uint64: "UINT64"
        case .int64: "INT64"
        case .float64: "FLOAT64"
        }
    }

    /// The elements as `Int` when they are integers that all fit; `nil` otherwise.
    public var ints: [Int]? {
        switch self {
        case .uint8(let v): v.map(Int.init)
        case .int8(let v): v.map(Int.init)
        case .uint16(let v): v.map(Int.init)
        case .int16(let v): v.map(Int.init)
        case .uint32(let v): v.map(Int.init)
        case .int32(let v): v.map(Int.init)
        case .uint64(let v): Self.exactInts(v)
        case .int64(let v): Self.exactInts(v)
        default: nil
        }
    }

    /// The elements as `Float` when they are floats or integers (rounded to nearest); `nil` otherwise.
    public var floats: [Float]? {
        switch self {
        case .float32(let v): v
        case .float64(let v): v.map(Float.init)
        case .uint64(let v): v.map(Float.init)
        case .int64(let v): v.map(Float.init)
        default: ints?.map(Float.init)
        }
    }

    private static func exactInts<T: BinaryInteger>(_ values: [T]) -> [Int]? {
        var result = [Int]()
        result.reserveCapacity(values.count)
        for value in values {
            guard let converted = Int(exactly: value) else { return nil }
            result.append(converted)
        }
        return result
    }
}
