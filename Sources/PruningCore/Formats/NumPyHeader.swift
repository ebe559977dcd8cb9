/// The header of a NumPy `.npy` file.
///
/// Layout (NEP 1, "A Simple File Format for NumPy Arrays"): the magic `\x93NUMPY`, a major and
/// minor version byte, a little-endian header length (`u16` in version 1.0, `u32` in 2.0 and
/// 3.0), then the header: a Python dictionary literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and ended by
/// a newline, so that the data starts at a multiple of 64 bytes. The data follows in C order.
struct NumPyHeader: Equatable {
    /// The element type.
    let dtype: StoredScalarType
    /// Whether elements are stored big-endian (a `>` descr on a multi-byte type).
    let isBigEndian: Bool
    /// The array shape; `[]` for a scalar.
    let shape: [Int]
    /// The element count.
    let count: Int
    /// The file offset of the data.
    let dataStart: Int

    /// The magic string that starts every `.npy` file.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses and validates the header at the start of `bytes` (the whole file).
    ///
    /// - Throws: ``FormatError`` for a bad magic, an unsupported version, a header running past
    ///   the file, an unparsable or incomplete dictionary, an unsupported `descr`, Fortran order,
    ///   or a negative or overflowing shape.
    init(parsing bytes: UnsafeRawBufferPointer, file: String) throws(FormatError) {
        guard bytes.count >= 10 else {
            throw .truncated(file: file, detail: "an .npy preamble needs at least 10 bytes, file has \(bytes.count)")
        }
        guard bytes.prefix(6).elementsEqual(Self.magic) else {
            throw .badMagic(file: file, found: FormatError.hexDescription(of: bytes.prefix(6)))
        }
        let (major, minor) = (bytes[6], bytes[7])
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else {
                throw .truncated(file: file, detail: "a version \(major).0 preamble needs 12 bytes, file has \(bytes.count)")
            }
            headerStart = 12
            headerLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        default:
            throw .unsupportedVersion(file: file, version: "\(major).\(minor)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw .headerBeyondFile(file: file, headerLength: UInt64(headerLength), fileSize: bytes.count)
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)])
        let literal: PythonLiteral
        do {
            literal = try PythonLiteral.parse(headerBytes)
        } catch {
            throw .invalidJSON(file: file, reason: error.description)
        }
        guard case .dictionary(let dictionary) = literal else {
            throw .invalidHeader(file: file, reason: "the header is not a dictionary literal")
        }

        guard let descrValue = dictionary["descr"] else { throw .missingField(file: file, tensor: "", field: "descr") }
        guard case .string(let descr) = descrValue else {
            throw .unknownDataType(file: file, tensor: "", dataType: "\(descrValue)")
        }
        (dtype, isBigEndian) = try Self.parseDescr(descr, file: file)

        guard let fortranValue = dictionary["fortran_order"] else {
            throw .missingField(file: file, tensor: "", field: "fortran_order")
        }
        guard case .bool(let fortranOrder) = fortranValue else {
            throw .invalidField(file: file, tensor: "", field: "fortran_order", reason: "must be True or False")
        }
        guard !fortranOrder else { throw .unsupportedFeature(file: file, feature: "Fortran-order (column-major) arrays") }

        guard let shapeValue = dictionary["shape"] else { throw .missingField(file: file, tensor: "", field: "shape") }
        guard case .tuple(let items) = shapeValue else {
            throw .invalidField(file: file, tensor: "", field: "shape", reason: "must be a tuple of integers")
        }
        var shape: [Int] = []
        for item in items {
            guard case .integer(let dimension) = item else {
                throw .invalidField(file: file, tensor: "", field: "shape", reason: "must be a tuple of integers")
            }
            shape.append(dimension)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .negativeDimension(file: file, tensor: "", shape: shape) }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, !product.multipliedReportingOverflow(by: 8).overflow else {
                throw .shapeOverflow(file: file, tensor: "", shape: shape)
            }
            count = product
        }
        self.shape = shape
        self.count = count
        self.dataStart = headerStart + headerLength
    }

    /// Maps a `descr` such as `'<f4'` to an element type and byte order.
    private static func parseDescr(_ descr: String, file: String) throws(FormatError) -> (StoredScalarType, Bool) {
        let characters = Array(descr)
        guard characters.count >= 3, let order = characters.first else {
            throw .unknownDataType(file: file, tensor: "", dataType: descr)
        }
        let types: [String: StoredScalarType] = [
            "f2": .float16, "f4": .float32, "f8": .float64,
            "i1": .int8, "i2": .int16, "i4": .int32, "i8": .int64,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool,
        ]
        guard let dtype = types[String(characters.dropFirst())] else {
            throw .unknownDataType(file: file, tensor: "", dataType: descr)
        }
        switch order {
        case "<": return (dtype, false)
        case ">": return (dtype, dtype.byteCount > 1)
        case "|" where dtype.byteCount == 1: return (dtype, false)
        case "=":
            #if _endian(little)
            return (dtype, false)
            #else
            return (dtype, dtype.byteCount > 1)
            #endif
        default: throw .unknownDataType(file: file, tensor: "", dataType: descr)
        }
    }

    /// The version 1.0 header numpy writes for a C-order `<f4` array of `shape`: the sorted
    /// dictionary, spare spaces for growing the first axis, padding to a multiple of 64, then
    /// a newline. Falls back to version 2.0 when the header exceeds 65535 bytes.
    static func encodeFloat32(shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var body = Array(header.utf8)
        for (version, prefixLength) in [(UInt8(1), 10), (UInt8(2), 12)] {
            let unpadded = prefixLength + body.count + 1
            let padding = 64 - unpadded % 64  // 1...64, as numpy pads
            let length = body.count + padding + 1
            if version == 1 && length > Int(UInt16.max) { continue }
            body.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
            body.append(UInt8(ascii: "\n"))
            var result = magic + [version, 0]
            let lengthBytes = version == 1 ? 2 : 4
            result += (0..<lengthBytes).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
            return result + body
        }
        preconditionFailure("an .npy header of \(body.count) bytes does not fit version 2.0")
    }
}
