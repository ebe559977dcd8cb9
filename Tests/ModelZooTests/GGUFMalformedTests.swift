import Foundation
import ModelZoo
import ReaderFuzzing
import Testing

/// The name of a `GGUFError` case, for matching errors whose payload holds free text.
func ggufErrorCase(_ error: GGUFError?) -> String {
    guard let error else { return "no error" }
    return Mirror(reflecting: error).children.first?.label ?? "\(error)"
}

@Suite struct GGUFMalformedTests {
    /// Opens `url` and reads every metadata value and every convertible tensor; returns the
    /// `GGUFError` thrown, or `nil` when everything loads. Other error types propagate.
    static func loadError(_ url: URL) throws -> GGUFError? {
        do {
            let file = try GGUFFile(contentsOf: url)
            for info in file.tensors where info.type.canConvertToFloat {
                let tensor = try file.tensor(named: info.name)
                #expect(tensor.shape == info.shape)
            }
            return nil
        } catch let error as GGUFError {
            return error
        }
    }

    /// The error thrown when loading `bytes`, with the file's path.
    static func loadError(_ bytes: [UInt8]) throws -> (path: String, error: GGUFError?) {
        try GGUFTestFiles.withFile(bytes) { url in (url.path, try loadError(url)) }
    }

    static func expectCase(_ bytes: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (_, error) = try loadError(bytes)
        #expect(ggufErrorCase(error) == name, "\(error.map { "\($0)" } ?? "loaded")", sourceLocation: sourceLocation)
    }

    static func expectError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation, _ expected: (String) -> GGUFError) throws {
        let (path, error) = try loadError(bytes)
        #expect(error == expected(path), sourceLocation: sourceLocation)
    }

    /// Overwrites the little-endian `value` at `offset`.
    static func patch<T: FixedWidthInteger>(_ bytes: inout [UInt8], at offset: Int, _ value: T) {
        var encoded = [UInt8]()
        GGUFBuilder.append(value, to: &encoded)
        bytes.replaceSubrange(offset..<(offset + encoded.count), with: encoded)
    }

    /// A small valid file: a few metadata entries and two tensors.
    static var validWriter: GGUFBuilder {
        var writer = GGUFBuilder()
        writer.add("general.architecture", .string("test"))
        writer.add("test.count", .uint32(3))
        writer.add("test.tokens", .array(.string(["a", "bc", "def"])))
        writer.add("test.types", .array(.int32([1, 3, 1])))
        writer.addTensor("weight", dimensions: [32, 2], type: .q4_1,
                         data: GGUFTestQuantizer.q4_1(GGUFTestQuantizer.values(count: 64, seed: 9)).bytes)
        writer.addTensor("norm", dimensions: [4], type: .f32, data: GGUFTestQuantizer.f32([1, 2, 3, 4]).bytes)
        return writer
    }

    @Test("the valid base file loads")
    func validBase() throws {
        let (_, error) = try Self.loadError(Self.validWriter.bytes)
        #expect(error == nil)
    }

    @Test("empty and too-short files are truncated")
    func tooShort() throws {
        try Self.expectCase([], "truncated")
        try Self.expectCase(Array("GGU".utf8), "truncated")
        try Self.expectCase(Array("GGUF".utf8) + [3, 0], "truncated")
    }

    @Test("bad magic")
    func badMagic() throws {
        var bytes = Self.validWriter.bytes
        bytes.replaceSubrange(0..<4, with: Array("GGML".utf8))
        try Self.expectError(bytes) { .badMagic(file: $0, found: "0x47474d4c") }
    }

    @Test("unsupported versions, including a big-endian version 3", arguments: [UInt32(0), 1, 4, 0x0300_0000])
    func unsupportedVersion(version: UInt32) throws {
        var writer = Self.validWriter
        writer.version = version
        try Self.expectError(writer.bytes) { .unsupportedVersion(file: $0, version: version) }
    }

    @Test("every truncation inside the header throws")
    func truncatedHeader() throws {
        let writer = Self.validWriter
        let bytes = writer.bytes
        let headerCount = writer.headerBytes.count
        try GGUFTestFiles.withFile([]) { url in
            for length in stride(from: 0, to: headerCount, by: 1) {
                try Data(bytes[0..<length]).write(to: url)
                let error = try Self.loadError(url)
                #expect(["truncated", "countTooLarge", "tensorOutOfRange"].contains(ggufErrorCase(error)), "length \(length): \(ggufErrorCase(error))")
            }
        }
    }

    @Test("a key length beyond the file")
    func keyLengthBeyondFile() throws {
        var bytes = Self.validWriter.bytes
        Self.patch(&bytes, at: 24, UInt64(1_000_000))
        try Self.expectCase(bytes, "countTooLarge")
        Self.patch(&bytes, at: 24, UInt64.max)
        try Self.expectCase(bytes, "countTooLarge")
    }

    @Test("a string value length beyond the file")
    func stringLengthBeyondFile() throws {
        var writer = GGUFBuilder()
        writer.add("k", .string("value"))
        var bytes = writer.bytes
        let lengthOffset = 24 + 8 + 1 + 4
        Self.patch(&bytes, at: lengthOffset, UInt64(1) << 62)
        try Self.expectError(bytes) {
            .countTooLarge(file: $0, field: "the length of the value of key 'k'", count: 1 << 62, remainingBytes: bytes.count - lengthOffset - 8)
        }
    }

    @Test("huge array, metadata and tensor counts throw before allocating")
    func hugeCounts() throws {
        var writer = GGUFBuilder()
        writer.add("k", .array(.uint32([1, 2])))
        var bytes = writer.bytes
        Self.patch(&bytes, at: 24 + 8 + 1 + 4 + 4, UInt64(1) << 61)
        try Self.expectCase(bytes, "countTooLarge")

        var strings = GGUFBuilder()
        strings.add("k", .array(.string(["x"])))
        bytes = strings.bytes
        Self.patch(&bytes, at: 24 + 8 + 1 + 4 + 4, UInt64(3))  // 3 strings need ≥ 24 bytes
        try Self.expectCase(bytes, "countTooLarge")

        var counts = Self.validWriter
        counts.metadataCountOverride = UInt64.max
        try Self.expectCase(counts.bytes, "countTooLarge")
        counts = Self.validWriter
        counts.tensorCountOverride = UInt64(1) << 40
        try Self.expectCase(counts.bytes, "countTooLarge")
    }

    @Test("unknown value types, in a value and in an array")
    func unknownValueType() throws {
        var writer = GGUFBuilder()
        writer.add("k", .uint32(1))
        var bytes = writer.bytes
        Self.patch(&bytes, at: 24 + 8 + 1, UInt32(13))
        try Self.expectError(bytes) { .unknownValueType(file: $0, key: "k", type: 13) }

        writer = GGUFBuilder()
        writer.add("k", .array(.uint32([1])))
        bytes = writer.bytes
        Self.patch(&bytes, at: 24 + 8 + 1 + 4, UInt32(0xFFFF_FFFF))
        try Self.expectError(bytes) { .unknownValueType(file: $0, key: "k", type: 0xFFFF_FFFF) }
    }

    @Test("invalid UTF-8 in a key")
    func invalidUTF8() throws {
        var writer = GGUFBuilder()
        writer.add("ab", .uint8(1))
        var bytes = writer.bytes
        bytes[24 + 8] = 0xC3  // a lead byte followed by an ASCII byte
        try Self.expectError(bytes) { .invalidString(file: $0, field: "the key of metadata entry 0") }
    }

    @Test("duplicate keys and tensor names")
    func duplicates() throws {
        var writer = GGUFBuilder()
        writer.add("k", .uint8(1))
        writer.add("k", .uint8(2))
        try Self.expectError(writer.bytes) { .duplicateKey(file: $0, key: "k") }

        writer = Self.validWriter
        writer.tensors[1].name = "weight"
        try Self.expectError(writer.bytes) { .duplicateTensor(file: $0, tensor: "weight") }
    }

    @Test("arrays nested too deeply")
    func nesting() throws {
        var array = GGUFArray.uint8([1])
        for _ in 0..<GGUFFile.maximumArrayNesting { array = .array([array]) }
        var writer = GGUFBuilder()
        writer.add("deep", .array(array))
        try Self.expectError(writer.bytes) { .nestingTooDeep(file: $0, key: "deep") }
    }

    @Test("invalid alignment", arguments: [GGUFValue.uint32(0), .uint32(48), .uint64(1 << 40), .string("32"), .int32(-32)])
    func invalidAlignment(value: GGUFValue) throws {
        var writer = GGUFBuilder()
        writer.add("general.alignment", value)
        try Self.expectCase(writer.headerBytes, "invalidMetadata")
    }

    @Test("unknown tensor types", arguments: [UInt32(4), 5, 31, 99, .max])
    func unknownTensorType(code: UInt32) throws {
        var writer = Self.validWriter
        writer.tensors[0].typeCode = code
        try Self.expectError(writer.bytes) { .unknownTensorType(file: $0, tensor: "weight", type: code) }
    }

    @Test("invalid dimensions: too many, negative, partial blocks, overflow")
    func invalidDimensions() throws {
        var writer = Self.validWriter
        writer.tensors[1].dimensions = [1, 1, 1, 1, 4]
        try Self.expectCase(writer.bytes, "invalidDimensions")
        writer = Self.validWriter
        writer.tensors[1].dimensions = [UInt64.max]
        try Self.expectError(writer.bytes) {
            .invalidDimensions(file: $0, tensor: "norm", dimensions: [-1], reason: "negative dimension")
        }
        writer = Self.validWriter
        writer.tensors[0].dimensions = [16, 4]
        try Self.expectCase(writer.bytes, "invalidDimensions")
        writer = Self.validWriter
        writer.tensors[1].dimensions = [1 << 40, 1 << 40]
        try Self.expectCase(writer.bytes, "shapeOverflow")
        writer = Self.validWriter
        writer.tensors[1].dimensions = [1 << 62]  // F32: the elements fit in Int, the bytes do not
        try Self.expectCase(writer.bytes, "shapeOverflow")
    }

    @Test("tensor data outside the data section")
    func outOfRange() throws {
        var writer = Self.validWriter
        writer.tensors[1].offsetOverride = 1 << 20
        try Self.expectCase(writer.bytes, "tensorOutOfRange")
        writer.tensors[1].offsetOverride = UInt64(1) << 63
        try Self.expectCase(writer.bytes, "tensorOutOfRange")
        writer.tensors[1].offsetOverride = UInt64.max - 31
        try Self.expectCase(writer.bytes, "tensorOutOfRange")

        let bytes = Self.validWriter.bytes
        try Self.expectError(Array(bytes.dropLast(1))) { path in
            .tensorOutOfRange(file: path, tensor: "norm", offset: 64, byteCount: 16, dataSize: 79)
        }
    }

    @Test("misaligned and overlapping tensors")
    func misalignedAndOverlapping() throws {
        var writer = Self.validWriter
        writer.tensors[1].offsetOverride = 4
        try Self.expectError(writer.bytes) { .misalignedTensor(file: $0, tensor: "norm", offset: 4, alignment: 32) }
        writer.tensors[1].offsetOverride = 32  // inside the 40 bytes of "weight"
        try Self.expectError(writer.bytes) { .overlappingTensors(file: $0, first: "weight", second: "norm") }
    }

    @Test("error descriptions name the file and the key or tensor")
    func descriptions() {
        let errors: [(GGUFError, String)] = [
            (.countTooLarge(file: "/m.gguf", field: "the element count of key 'x.y'", count: 9, remainingBytes: 2), "x.y"),
            (.tensorOutOfRange(file: "/m.gguf", tensor: "blk.0.w", offset: 64, byteCount: 10, dataSize: 5), "blk.0.w"),
            (.unknownTensorType(file: "/m.gguf", tensor: "t9", type: 99), "t9"),
            (.invalidMetadata(file: "/m.gguf", key: "general.alignment", reason: "bad"), "general.alignment"),
            (.badMagic(file: "/m.gguf", found: "0x00"), "magic"),
            (.unsupportedVersion(file: "/m.gguf", version: 1), "version 1"),
        ]
        for (error, fragment) in errors {
            #expect(error.description.contains("/m.gguf") && error.description.contains(fragment), "\(error)")
        }
    }

    @Test("deterministic mutation fuzzing: every mutated or truncated file loads or throws GGUFError")
    func mutationFuzz() throws {
        let writer = Self.validWriter
        let original = writer.bytes
        let headerCount = writer.headerBytes.count
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var outcomes: [String: Int] = [:]
        try GGUFTestFiles.withFile([]) { url in
            for round in 0..<400 {
                var bytes = original
                switch round % 4 {
                case 0:  // flip one to four random bits of the header
                    for _ in 0...next(4) { bytes[next(headerCount)] ^= UInt8(1 << next(8)) }
                case 1:  // overwrite one byte anywhere with a random value
                    bytes[next(bytes.count)] = UInt8(next(256))
                case 2:  // overwrite an 8-byte window of the header with a random or extreme value
                    let position = next(headerCount - 8)
                    let values: [UInt64] = [0, .max, 1 << 62, UInt64(next(1 << 20)), UInt64(next(256))]
                    Self.patch(&bytes, at: position, values[next(values.count)])
                default:  // truncate, possibly after a mutation
                    if next(2) == 0 { bytes[next(headerCount)] = UInt8(next(256)) }
                    bytes = Array(bytes.prefix(next(bytes.count)))
                }
                try Data(bytes).write(to: url)
                let error = try Self.loadError(url)
                outcomes[ggufErrorCase(error), default: 0] += 1
            }
        }
        // Both outcomes occur, and several distinct errors are exercised.
        #expect(outcomes["no error", default: 0] > 0)
        #expect(outcomes.count >= 6, "\(outcomes)")
    }
}
