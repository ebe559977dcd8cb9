/// Errors raised while reading a GGUF file.
///
/// Every case names the file; cases about one metadata entry name its key, and cases about one
/// tensor name the tensor, so that a message such as
/// "model.gguf: tensor 'blk.0.attn_q.weight': byte range [0, 207360) lies outside the 1024-byte
/// data section" points at the exact problem.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(file: String)
    /// The file exists but cannot be opened, inspected or mapped.
    case unreadable(file: String, reason: String)
    /// The file does not start with the bytes `GGUF`.
    case badMagic(file: String, found: String)
    /// The format version is not 2 or 3 (version 1 used 32-bit counts; big-endian files show a
    /// byte-swapped version).
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends inside a structure; `detail` says which one.
    case truncated(file: String, detail: String)
    /// A count or length announces more items than the rest of the file can possibly hold.
    case countTooLarge(file: String, field: String, count: UInt64, remainingBytes: Int)
    /// A metadata value has a type code outside the GGUF value types.
    case unknownValueType(file: String, key: String, type: UInt32)
    /// A string (a key, a value or a tensor name) is not valid UTF-8.
    case invalidString(file: String, field: String)
    /// Arrays nest deeper than ``GGUFFile/maximumArrayNesting``.
    case nestingTooDeep(file: String, key: String)
    /// Two metadata entries share a key.
    case duplicateKey(file: String, key: String)
    /// A metadata entry has an impossible value (for example an alignment that is not a power of two).
    case invalidMetadata(file: String, key: String, reason: String)
    /// A required metadata key is absent.
    case missingKey(file: String, key: String)
    /// A metadata value does not have the type the caller asked for.
    case wrongValueType(file: String, key: String, expected: String, found: String)
    /// A tensor has a type code that is not a ggml type.
    case unknownTensorType(file: String, tensor: String, type: UInt32)
    /// A tensor's type is a known ggml type this reader cannot convert to `Float`.
    case unsupportedTensorType(file: String, tensor: String, type: String)
    /// A tensor's dimensions are invalid (too many, negative, or a row length that is not a
    /// whole number of quantization blocks).
    case invalidDimensions(file: String, tensor: String, dimensions: [Int64], reason: String)
    /// The element count or byte count of a tensor does not fit in an `Int`.
    case shapeOverflow(file: String, tensor: String, dimensions: [Int64])
    /// Two tensors share a name.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor's offset is not a multiple of the file's alignment.
    case misalignedTensor(file: String, tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's bytes do not lie inside the data section.
    case tensorOutOfRange(file: String, tensor: String, offset: UInt64, byteCount: Int, dataSize: Int)
    /// Two tensors claim overlapping byte ranges.
    case overlappingTensors(file: String, first: String, second: String)
    /// No tensor of this name exists in the file.
    case tensorNotFound(file: String, tensor: String)

    /// A sentence naming the file, the key or tensor when relevant, and the problem.
    public var description: String {
        switch self {
        case .fileNotFound(let file):
            "\(file): file not found"
        case .unreadable(let file, let reason):
            "\(file): cannot read file: \(reason)"
        case .badMagic(let file, let found):
            "\(file): not a GGUF file (magic bytes \(found), expected 0x47475546 \"GGUF\")"
        case .unsupportedVersion(let file, let version):
            "\(file): unsupported GGUF version \(version) (versions 2 and 3, little-endian, are supported)"
        case .truncated(let file, let detail):
            "\(file): file is truncated: \(detail)"
        case .countTooLarge(let file, let field, let count, let remaining):
            "\(file): \(field) is \(count), more than the remaining \(remaining) bytes can hold"
        case .unknownValueType(let file, let key, let type):
            "\(file): key '\(key)': unknown value type \(type)"
        case .invalidString(let file, let field):
            "\(file): \(field) is not valid UTF-8"
        case .nestingTooDeep(let file, let key):
            "\(file): key '\(key)': arrays nest deeper than \(GGUFFile.maximumArrayNesting) levels"
        case .duplicateKey(let file, let key):
            "\(file): key '\(key)' appears twice"
        case .invalidMetadata(let file, let key, let reason):
            "\(file): key '\(key)': \(reason)"
        case .missingKey(let file, let key):
            "\(file): missing metadata key '\(key)'"
        case .wrongValueType(let file, let key, let expected, let found):
            "\(file): key '\(key)': expected \(expected), found \(found)"
        case .unknownTensorType(let file, let tensor, let type):
            "\(file): tensor '\(tensor)': unknown ggml type \(type)"
        case .unsupportedTensorType(let file, let tensor, let type):
            "\(file): tensor '\(tensor)': type \(type) cannot be converted to Float by this reader"
        case .invalidDimensions(let file, let tensor, let dimensions, let reason):
            "\(file): tensor '\(tensor)': invalid dimensions \(dimensions): \(reason)"
        case .shapeOverflow(let file, let tensor, let dimensions):
            "\(file): tensor '\(tensor)': the size of dimensions \(dimensions) overflows"
        case .duplicateTensor(let file, let tensor):
            "\(file): tensor '\(tensor)' appears twice"
        case .misalignedTensor(let file, let tensor, let offset, let alignment):
            "\(file): tensor '\(tensor)': offset \(offset) is not a multiple of the alignment \(alignment)"
        case .tensorOutOfRange(let file, let tensor, let offset, let byteCount, let dataSize):
            "\(file): tensor '\(tensor)': byte range [\(offset), \(offset) + \(byteCount)) lies outside the \(dataSize)-byte data section"
        case .overlappingTensors(let file, let first, let second):
            "\(file): tensors '\(first)' and '\(second)' have overlapping byte ranges"
        case .tensorNotFound(let file, let tensor):
            "\(file): no tensor named '\(tensor)'"
        }
    }
}
