/// Errors raised while reading or writing tensor files (safetensors, NumPy `.npy`, idx).
///
/// Every case names the file; cases about one tensor of a multi-tensor file also name the tensor,
/// so that a message such as "model.safetensors: tensor 'fc.weight': shape and element type need
/// 32 bytes but the byte range holds 24" points at the exact problem. Single-array formats
/// (`.npy`, idx) pass an empty tensor name, which the description leaves out.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(file: String)
    /// The file exists but cannot be opened, inspected or mapped.
    case unreadable(file: String, reason: String)
    /// The file ends before a structure it announces is complete.
    case truncated(file: String, detail: String)
    /// A header length field points past the end of the file.
    case headerBeyondFile(file: String, headerLength: UInt64, fileSize: Int)
    /// A header length field exceeds the sanity limit for headers.
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The header is not valid JSON (or, for `.npy`, not a valid Python literal).
    case invalidJSON(file: String, reason: String)
    /// The header is well-formed but has the wrong structure (for example an array where an
    /// object is required).
    case invalidHeader(file: String, reason: String)
    /// A required field of a tensor entry is absent.
    case missingField(file: String, tensor: String, field: String)
    /// A field of a tensor entry has the wrong type or an impossible value.
    case invalidField(file: String, tensor: String, field: String, reason: String)
    /// The element type is not one this library can read.
    case unknownDataType(file: String, tensor: String, dataType: String)
    /// A dimension is negative.
    case negativeDimension(file: String, tensor: String, shape: [Int])
    /// The element count or byte count of a shape does not fit in an `Int`.
    case shapeOverflow(file: String, tensor: String, shape: [Int])
    /// A byte range lies outside the data buffer, or ends before it begins.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, bufferSize: Int)
    /// Two tensors claim overlapping byte ranges.
    case overlappingOffsets(file: String, first: String, second: String)
    /// The byte range of a tensor does not hold exactly `shape × element size` bytes.
    case byteCountMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// No tensor of this name exists in the file.
    case tensorNotFound(file: String, tensor: String)
    /// The file does not start with the format's magic bytes.
    case badMagic(file: String, found: String)
    /// The format version is not supported.
    case unsupportedVersion(file: String, version: String)
    /// The file uses a feature this reader does not support (for example Fortran order).
    case unsupportedFeature(file: String, feature: String)
    /// Decompressing the file failed.
    case decompressionFailed(file: String, reason: String)
    /// Writing the file failed; the destination was left untouched.
    case writeFailed(file: String, reason: String)

    /// A sentence naming the file, the tensor when relevant, and the problem.
    public var description: String {
        switch self {
        case .fileNotFound(let file):
            "\(file): file not found"
        case .unreadable(let file, let reason):
            "\(file): cannot read file: \(reason)"
        case .truncated(let file, let detail):
            "\(file): file is truncated: \(detail)"
        case .headerBeyondFile(let file, let length, let size):
            "\(file): header length \(length) runs past the end of the \(size)-byte file"
        case .headerTooLarge(let file, let length, let limit):
            "\(file): header length \(length) exceeds the limit of \(limit) bytes"
        case .invalidJSON(let file, let reason):
            "\(file): header is not valid: \(reason)"
        case .invalidHeader(let file, let reason):
            "\(file): invalid header: \(reason)"
        case .missingField(let file, let tensor, let field):
            "\(file): \(subject(tensor))missing field '\(field)'"
        case .invalidField(let file, let tensor, let field, let reason):
            "\(file): \(subject(tensor))field '\(field)' \(reason)"
        case .unknownDataType(let file, let tensor, let dataType):
            "\(file): \(subject(tensor))unknown or unsupported element type '\(dataType)'"
        case .negativeDimension(let file, let tensor, let shape):
            "\(file): \(subject(tensor))negative dimension in shape \(shape)"
        case .shapeOverflow(let file, let tensor, let shape):
            "\(file): \(subject(tensor))the size of shape \(shape) overflows"
        case .offsetsOutOfRange(let file, let tensor, let begin, let end, let size):
            "\(file): \(subject(tensor))byte range [\(begin), \(end)) is invalid for a data buffer of \(size) bytes"
        case .overlappingOffsets(let file, let first, let second):
            "\(file): tensors '\(first)' and '\(second)' have overlapping byte ranges"
        case .byteCountMismatch(let file, let tensor, let expected, let actual):
            "\(file): \(subject(tensor))shape and element type need \(expected) bytes but the byte range holds \(actual)"
        case .tensorNotFound(let file, let tensor):
            "\(file): no tensor named '\(tensor)'"
        case .badMagic(let file, let found):
            "\(file): unexpected magic bytes \(found)"
        case .unsupportedVersion(let file, let version):
            "\(file): unsupported format version \(version)"
        case .unsupportedFeature(let file, let feature):
            "\(file): unsupported feature: \(feature)"
        case .decompressionFailed(let file, let reason):
            "\(file): decompression failed: \(reason)"
        case .writeFailed(let file, let reason):
            "\(file): write failed: \(reason)"
        }
    }
}

extension FormatError {
    /// `"tensor 'name': "`, or nothing for single-array formats (which pass an empty name).
    private func subject(_ tensor: String) -> String {
        tensor.isEmpty ? "" : "tensor '\(tensor)': "
    }

    /// A hexadecimal rendering of up to eight bytes, for ``badMagic(file:found:)``.
    static func hexDescription<C: Collection>(of bytes: C) -> String where C.Element == UInt8 {
        let shown = bytes.prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        return "0x" + shown.joined() + (bytes.count > 8 ? "…" : "")
    }
}
