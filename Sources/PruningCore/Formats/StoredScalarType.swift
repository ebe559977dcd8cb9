/// The element type of an array as stored in a file, before conversion to `Float`.
///
/// The raw values are the safetensors dtype names (`"F32"`, `"BF16"`, …). Every type converts to
/// `Float`: integers exactly up to 2²⁴ in magnitude and rounded beyond, `F64` rounded to nearest,
/// the 16- and 8-bit floats exactly. Floating-point 8-bit types follow the OCP FP8 formats
/// `E4M3FN` (no infinities, one NaN pattern) and `E5M2` (IEEE-like).
public enum StoredScalarType: String, CaseIterable, Sendable {
    /// IEEE 754 binary64.
    case float64 = "F64"
    /// IEEE 754 binary32.
    case float32 = "F32"
    /// IEEE 754 binary16.
    case float16 = "F16"
    /// bfloat16: the upper 16 bits of a binary32.
    case bfloat16 = "BF16"
    /// 8-bit float with 4 exponent and 3 mantissa bits, finite only (`float8_e4m3fn`).
    case float8E4M3 = "F8_E4M3"
    /// 8-bit float with 5 exponent and 2 mantissa bits (`float8_e5m2`).
    case float8E5M2 = "F8_E5M2"
    /// Signed 64-bit integer.
    case int64 = "I64"
    /// Signed 32-bit integer.
    case int32 = "I32"
    /// Signed 16-bit integer.
    case int16 = "I16"
    /// Signed 8-bit integer.
    case int8 = "I8"
    /// Unsigned 64-bit integer.
    case uint64 = "U64"
    /// Unsigned 32-bit integer.
    case uint32 = "U32"
    /// Unsigned 16-bit integer.
    case uint16 = "U16"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"
    /// Boolean stored as one byte; any non-zero byte reads as 1.
    case bool = "BOOL"

    /// The size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .float64, .int64, .uint64: 8
        case .float32, .int32, .uint32: 4
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float8E4M3, .float8E5M2, .int8, .uint8, .bool: 1
        }
    }

    /// Converts `count` little-endian elements starting at `source` (no alignment required) to
    /// `Float`, writing them to `destination`.
    ///
    /// - Precondition: `source` holds at least `destination.count × byteCount` bytes.
    func convertLittleEndian(from source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        let count = destination.count
        precondition(source.count >= count * byteCount, "convert: \(source.count) bytes cannot hold \(count) \(rawValue) elements")
        guard count > 0, let output = destination.baseAddress, let input = source.baseAddress else { return }
        switch self {
        case .float32:
            #if _endian(little)
            UnsafeMutableRawPointer(output).copyMemory(from: input, byteCount: count * 4)
            #else
            for i in 0..<count {
                output[i] = Float(bitPattern: UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        case .float64:
            for i in 0..<count {
                output[i] = Float(Double(bitPattern: UInt64(littleEndian: input.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        case .float16:
            for i in 0..<count {
                output[i] = halfToFloat(UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bfloat16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                output[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        case .float8E4M3:
            convertThroughTable(StoredScalarType.float8E4M3Table, input, output, count)
        case .float8E5M2:
            convertThroughTable(StoredScalarType.float8E5M2Table, input, output, count)
        case .int64:
            for i in 0..<count {
                output[i] = Float(Int64(littleEndian: input.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            }
        case .int32:
            for i in 0..<count {
                output[i] = Float(Int32(littleEndian: input.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
        case .int16:
            for i in 0..<count {
                output[i] = Float(Int16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
            }
        case .int8:
            for i in 0..<count { output[i] = Float(input.load(fromByteOffset: i, as: Int8.self)) }
        case .uint64:
            for i in 0..<count {
                output[i] = Float(UInt64(littleEndian: input.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            }
        case .uint32:
            for i in 0..<count {
                output[i] = Float(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .uint16:
            for i in 0..<count {
                output[i] = Float(UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .uint8:
            for i in 0..<count { output[i] = Float(input.load(fromByteOffset: i, as: UInt8.self)) }
        case .bool:
            for i in 0..<count { output[i] = input.load(fromByteOffset: i, as: UInt8.self) == 0 ? 0 : 1 }
        }
    }

    private func convertThroughTable(
        _ table: [Float], _ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        table.withUnsafeBufferPointer { lookup in
            for i in 0..<count { output[i] = lookup[Int(input.load(fromByteOffset: i, as: UInt8.self))] }
        }
    }

    /// All 256 `F8_E4M3` (E4M3FN) values: bias 7, subnormals below exponent 1, NaN at `S.1111.111`.
    static let float8E4M3Table: [Float] = (0..<256).map { code in
        let sign: Float = code & 0x80 == 0 ? 1 : -1
        let exponent = (code >> 3) & 0xF
        let mantissa = Float(code & 0x7)
        if exponent == 0xF && code & 0x7 == 0x7 { return .nan }
        if exponent == 0 { return sign * mantissa * 0x1p-9 }
        return sign * (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
    }

    /// All 256 `F8_E5M2` values: the upper byte of a binary16.
    static let float8E5M2Table: [Float] = (0..<256).map { code in halfToFloat(UInt16(code) << 8) }
}

/// Converts IEEE 754 binary16 bits to `Float` exactly, including subnormals, infinities and NaN
/// (the NaN payload is kept in the upper mantissa bits).
@inline(__always)
func halfToFloat(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa × 2⁻²⁴, exactly representable in binary32.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
