/// The validated header of a safetensors file.
///
/// Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian `u64` header
/// length `N`, then `N` bytes of UTF-8 JSON mapping each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` plus an optional
/// `"__metadata__"` object of string values, then the data buffer. Offsets are relative to the
/// start of the buffer (byte `8 + N` of the file).
struct SafeTensorsHeader {
    /// One tensor's entry.
    struct Entry: Sendable {
        let dtype: StoredScalarType
        let shape: [Int]
        /// The element count (product of `shape`).
        let count: Int
        /// The byte range within the data buffer.
        let byteRange: Range<Int>
    }

    /// The entries by tensor name.
    let entries: [String: Entry]
    /// The `__metadata__` strings.
    let metadata: [String: String]
    /// The file offset of the data buffer (`8 + N`).
    let dataStart: Int

    /// Parses and fully validates the header of a whole safetensors file held in `bytes`.
    ///
    /// Checks, in order: the length prefix is present; the header length is at most
    /// ``SafeTensors/maximumHeaderLength`` and fits in the file; the header is a JSON object;
    /// `__metadata__` maps strings to strings; each entry has a known `dtype`, a `shape` of
    /// non-negative integers whose byte size does not overflow, and `data_offsets` of two
    /// integers with `begin ≤ end ≤ buffer size` and `end − begin` equal to the byte size; no
    /// two non-empty ranges overlap.
    ///
    /// - Parameter file: the path used in error messages.
    /// - Throws: ``FormatError`` naming the file, the tensor and the problem.
    init(parsing bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) {
        guard bytes.count >= 8 else {
            throw .truncated(file: file, detail: "needs an 8-byte header length, file has \(bytes.count) bytes")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(SafeTensors.maximumHeaderLength) else {
            throw .headerTooLarge(file: file, headerLength: headerLength, limit: SafeTensors.maximumHeaderLength)
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .headerBeyondFile(file: file, headerLength: headerLength, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let bufferSize = bytes.count - dataStart
        let json: JSONValue
        do {
            json = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        } catch {
            throw .invalidJSON(file: file, reason: error.description)
        }
        guard case .object(let object) = json else {
            throw .invalidHeader(file: file, reason: "expected a JSON object, found \(json.kindName)")
        }

        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for name in object.keys.sorted() {
            let value = object[name]!
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(value, file: file)
            } else {
                entries[name] = try Self.parseEntry(value, name: name, bufferSize: bufferSize, file: file)
            }
        }
        try Self.checkOverlaps(entries, file: file)
        self.entries = entries
        self.metadata = metadata
        self.dataStart = dataStart
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws(FormatError) -> [String: String] {
        guard case .object(let object) = value else {
            throw .invalidHeader(file: file, reason: "'__metadata__' must be an object, found \(value.kindName)")
        }
        var result: [String: String] = [:]
        for (key, item) in object {
            guard case .string(let string) = item else {
                throw .invalidHeader(file: file, reason: "'__metadata__' value for '\(key)' must be a string, found \(item.kindName)")
            }
            result[key] = string
        }
        return result
    }

    private static func parseEntry(
        _ value: JSONValue, name: String, bufferSize: Int, file: String
    ) throws(FormatError) -> Entry {
        guard case .object(let fields) = value else {
            throw .invalidHeader(file: file, reason: "entry for tensor '\(name)' must be an object, found \(value.kindName)")
        }
        // dtype
        guard let dtypeValue = fields["dtype"] else { throw .missingField(file: file, tensor: name, field: "dtype") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw .invalidField(file: file, tensor: name, field: "dtype", reason: "must be a string, found \(dtypeValue.kindName)")
        }
        guard let dtype = StoredScalarType(rawValue: dtypeName) else {
            throw .unknownDataType(file: file, tensor: name, dataType: dtypeName)
        }
        // shape
        guard let shapeValue = fields["shape"] else { throw .missingField(file: file, tensor: name, field: "shape") }
        let shape = try integers(shapeValue, field: "shape", tensor: name, file: file)
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .negativeDimension(file: file, tensor: name, shape: shape) }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .shapeOverflow(file: file, tensor: name, shape: shape) }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow else { throw .shapeOverflow(file: file, tensor: name, shape: shape) }
        // data_offsets
        guard let offsetsValue = fields["data_offsets"] else {
            throw .missingField(file: file, tensor: name, field: "data_offsets")
        }
        let offsets = try integers(offsetsValue, field: "data_offsets", tensor: name, file: file)
        guard offsets.count == 2 else {
            throw .invalidField(
                file: file, tensor: name, field: "data_offsets", reason: "must hold 2 integers, found \(offsets.count)")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= bufferSize else {
            throw .offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, bufferSize: bufferSize)
        }
        guard end - begin == byteCount else {
            throw .byteCountMismatch(file: file, tensor: name, expected: byteCount, actual: end - begin)
        }
        return Entry(dtype: dtype, shape: shape, count: count, byteRange: begin..<end)
    }

    /// The elements of a JSON array of integers.
    private static func integers(
        _ value: JSONValue, field: String, tensor: String, file: String
    ) throws(FormatError) -> [Int] {
        guard case .array(let items) = value else {
            throw .invalidField(file: file, tensor: tensor, field: field, reason: "must be an array, found \(value.kindName)")
        }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard case .integer(let integer) = item else {
                throw .invalidField(
                    file: file, tensor: tensor, field: field, reason: "must hold integers in Int range, found \(item.kindName)")
            }
            result.append(integer)
        }
        return result
    }

    /// Rejects non-empty byte ranges that overlap. Empty ranges overlap nothing.
    private static func checkOverlaps(_ entries: [String: Entry], file: String) throws(FormatError) {
        let ranges = entries.filter { !$0.value.byteRange.isEmpty }
            .map { (name: $0.key, range: $0.value.byteRange) }
            .sorted { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        var furthest: (name: String, end: Int)?
        for (name, range) in ranges {
            if let previous = furthest, range.lowerBound < previous.end {
                throw .overlappingOffsets(file: file, first: previous.name, second: name)
            }
            if furthest == nil || range.upperBound > furthest!.end { furthest = (name, range.upperBound) }
        }
    }
}
