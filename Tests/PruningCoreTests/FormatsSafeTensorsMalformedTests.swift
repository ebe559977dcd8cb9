import Foundation
import PruningCore
import Testing

/// The name of an error's enum case, for matching errors whose payload holds free text.
func formatErrorCase(_ error: FormatError) -> String {
    Mirror(reflecting: error).children.first?.label ?? "\(error)"
}

@Suite struct FormatsSafeTensorsMalformedTests {
    /// The bytes of a safetensors file with header `json` (unpadded) and `dataCount` data bytes.
    static func fileBytes(_ json: String, dataCount: Int = 0, headerLength: UInt64? = nil) -> [UInt8] {
        let header = Array(json.utf8)
        let length = headerLength ?? UInt64(header.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + header
            + [UInt8](repeating: 0, count: dataCount)
    }

    /// Writes `bytes` to a file and returns the error thrown when opening it and reading all
    /// its tensors, or `nil` when that succeeds.
    static func openError(_ bytes: [UInt8], in directory: URL, name: String = "bad.safetensors") throws -> (String, FormatError?) {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        do {
            let file = try SafeTensorsFile(contentsOf: url)
            for name in file.names {
                let tensor = try file.tensor(named: name)
                #expect(tensor.shape == file.shape(of: name))
            }
            return (url.path, nil)
        } catch let error as FormatError {
            return (url.path, error)
        }
    }

    /// Checks that opening `bytes` throws exactly `expected(path)`.
    static func expectError(
        _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation, _ expected: (String) -> FormatError
    ) throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let (path, error) = try openError(bytes, in: directory)
            #expect(error == expected(path), sourceLocation: sourceLocation)
        }
    }

    /// Checks that opening `bytes` throws an error of the case named `caseName`.
    static func expectErrorCase(
        _ bytes: [UInt8], _ caseName: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let (_, error) = try openError(bytes, in: directory)
            #expect(error.map(formatErrorCase) == caseName, "\(error.map { "\($0)" } ?? "no error")", sourceLocation: sourceLocation)
        }
    }

    @Test("empty file and file shorter than 8 bytes are truncated")
    func tooShort() throws {
        try Self.expectErrorCase([], "truncated")
        try Self.expectErrorCase([1, 0, 0, 0, 0], "truncated")
    }

    @Test("header length beyond the file")
    func headerBeyondFile() throws {
        let bytes = Self.fileBytes("{}", headerLength: 100)
        try Self.expectError(bytes) { .headerBeyondFile(file: $0, headerLength: 100, fileSize: 10) }
    }

    @Test("huge header length 2^63")
    func hugeHeader() throws {
        let bytes = Self.fileBytes("{}", headerLength: 1 << 63)
        try Self.expectError(bytes) {
            .headerTooLarge(file: $0, headerLength: 1 << 63, limit: SafeTensors.maximumHeaderLength)
        }
    }

    @Test("header that is not JSON", arguments: [
        "not json", "{", #"{"a":}"#, #"{"a":{"dtype":"F32",}}"#, "{} x", #"{"a":1,"a":2}"#, "",
        #"{"\ud800":{}}"#, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ])
    func notJSON(header: String) throws {
        try Self.expectErrorCase(Self.fileBytes(header), "invalidJSON")
    }

    @Test("header bytes that are not UTF-8")
    func notUTF8() throws {
        var bytes = Self.fileBytes(#"{"__metadata__":{"k":"vv"}}"#)
        bytes[bytes.count - 4] = 0xFF
        try Self.expectErrorCase(bytes, "invalidJSON")
    }

    @Test("JSON array instead of object")
    func arrayHeader() throws {
        try Self.expectError(Self.fileBytes("[1, 2]")) {
            .invalidHeader(file: $0, reason: "expected a JSON object, found an array")
        }
    }

    @Test("entry that is not an object, and metadata that is not string to string")
    func wrongStructure() throws {
        try Self.expectErrorCase(Self.fileBytes(#"{"t": [1]}"#), "invalidHeader")
        try Self.expectErrorCase(Self.fileBytes(#"{"__metadata__": {"k": 1}}"#), "invalidHeader")
        try Self.expectErrorCase(Self.fileBytes(#"{"__metadata__": "x"}"#), "invalidHeader")
    }

    @Test("missing dtype, shape or data_offsets")
    func missingFields() throws {
        try Self.expectError(Self.fileBytes(#"{"t":{"shape":[1],"data_offsets":[0,4]}}"#, dataCount: 4)) {
            .missingField(file: $0, tensor: "t", field: "dtype")
        }
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","data_offsets":[0,4]}}"#, dataCount: 4)) {
            .missingField(file: $0, tensor: "t", field: "shape")
        }
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[1]}}"#, dataCount: 4)) {
            .missingField(file: $0, tensor: "t", field: "data_offsets")
        }
    }

    @Test("ill-typed fields", arguments: [
        #"{"t":{"dtype":5,"shape":[1],"data_offsets":[0,4]}}"#,
        #"{"t":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#,
        #"{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
        #"{"t":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}"#,
        #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}"#,
    ])
    func illTyped(header: String) throws {
        try Self.expectErrorCase(Self.fileBytes(header, dataCount: 4), "invalidField")
    }

    @Test("unknown dtype")
    func unknownDType() throws {
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#, dataCount: 4)) {
            .unknownDataType(file: $0, tensor: "t", dataType: "F17")
        }
    }

    @Test("negative dimension")
    func negativeDimension() throws {
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,4]}}"#, dataCount: 4)) {
            .negativeDimension(file: $0, tensor: "t", shape: [2, -1])
        }
    }

    @Test("shape whose size overflows")
    func shapeOverflow() throws {
        let huge = 1 << 62
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[\#(huge),4],"data_offsets":[0,4]}}"#, dataCount: 4)) {
            .shapeOverflow(file: $0, tensor: "t", shape: [huge, 4])
        }
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F64","shape":[\#(huge)],"data_offsets":[0,4]}}"#, dataCount: 4)) {
            .shapeOverflow(file: $0, tensor: "t", shape: [huge])
        }
    }

    @Test("data_offsets out of range")
    func offsetsOutOfRange() throws {
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[25],"data_offsets":[0,100]}}"#, dataCount: 8)) {
            .offsetsOutOfRange(file: $0, tensor: "t", begin: 0, end: 100, bufferSize: 8)
        }
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, dataCount: 8)) {
            .offsetsOutOfRange(file: $0, tensor: "t", begin: 8, end: 4, bufferSize: 8)
        }
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, dataCount: 8)) {
            .offsetsOutOfRange(file: $0, tensor: "t", begin: -4, end: 0, bufferSize: 8)
        }
    }

    @Test("overlapping data_offsets")
    func overlapping() throws {
        let json = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        try Self.expectError(Self.fileBytes(json, dataCount: 12)) { .overlappingOffsets(file: $0, first: "a", second: "b") }
        // A range nested inside an earlier, longer one also overlaps.
        let nested = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"#
            + #""c":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try Self.expectError(Self.fileBytes(nested, dataCount: 16)) { .overlappingOffsets(file: $0, first: "a", second: "c") }
        // Empty tensors overlap nothing; adjacent ranges are fine.
        let fine = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F16","shape":[0,3],"data_offsets":[4,4]},"#
            + #""b":{"dtype":"I8","shape":[4],"data_offsets":[8,12]}}"#
        try FormatsTestData.withTemporaryDirectory { directory in
            let error = try Self.openError(Self.fileBytes(fine, dataCount: 12), in: directory).1
            #expect(error == nil)
        }
    }

    @Test("byte length not matching shape × dtype")
    func byteCountMismatch() throws {
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataCount: 8)) {
            .byteCountMismatch(file: $0, tensor: "t", expected: 12, actual: 8)
        }
        try Self.expectError(Self.fileBytes(#"{"t":{"dtype":"BF16","shape":[],"data_offsets":[0,4]}}"#, dataCount: 8)) {
            .byteCountMismatch(file: $0, tensor: "t", expected: 2, actual: 4)
        }
    }

    @Test("error descriptions name the file, the tensor and the problem")
    func descriptions() {
        let error = FormatError.byteCountMismatch(file: "m.safetensors", tensor: "fc.weight", expected: 32, actual: 24)
        #expect(error.description == "m.safetensors: tensor 'fc.weight': shape and element type need 32 bytes but the byte range holds 24")
        #expect(FormatError.overlappingOffsets(file: "f", first: "a", second: "b").description.contains("'a' and 'b'"))
        #expect(FormatError.negativeDimension(file: "x.npy", tensor: "", shape: [-1]).description == "x.npy: negative dimension in shape [-1]")
    }

    @Test("mutated and truncated files either load or throw FormatError")
    func mutationFuzz() throws {
        let original = Array(try Data(contentsOf: FormatsTestData.fixture("python_fixture.safetensors")))
        let headerEnd = 8 + original.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let structural = Array("{}[]\",:-0123456789e. tfnu\\".utf8)
        var outcomes = [String: Int]()
        try FormatsTestData.withTemporaryDirectory { directory in
            for _ in 0..<200 {
                var bytes = original
                for _ in 0...(next() % 3) {
                    // Three quarters of the edits hit the length prefix or the JSON header.
                    let position = next() % 4 == 0 ? Int(next() % UInt64(bytes.count)) : Int(next() % UInt64(headerEnd))
                    switch next() % 3 {
                    case 0: bytes[position] ^= UInt8(1) << (next() % 8)
                    case 1: bytes[position] = UInt8(truncatingIfNeeded: next())
                    default: bytes[position] = structural[Int(next() % UInt64(structural.count))]
                    }
                }
                let error = try Self.openError(bytes, in: directory).1
                outcomes[error.map(formatErrorCase) ?? "success", default: 0] += 1
            }
            // Truncations: densely through the length prefix and header, sparsely in the data.
            let lengths = Array(0..<16) + Array(stride(from: 16, to: headerEnd + 8, by: 7))
                + Array(stride(from: headerEnd + 8, to: original.count, by: 23)) + [original.count - 1]
            for length in lengths {
                let error = try Self.openError(Array(original.prefix(length)), in: directory).1
                #expect(error != nil, "truncation to \(length) bytes must fail")
            }
        }
        // The mutations exercise several distinct failure modes, not just one.
        #expect(outcomes.count >= 4, "\(outcomes)")
    }
}
