import Foundation
import ModelZoo
import PruningCore
import ReaderFuzzing
import Testing

@Suite struct GGUFReaderTests {
    /// One value of every GGUF type, including nested and empty arrays and non-ASCII strings.
    static let allValues: [(String, GGUFValue)] = [
        ("test.u8", .uint8(250)),
        ("test.i8", .int8(-120)),
        ("test.u16", .uint16(65_000)),
        ("test.i16", .int16(-32_000)),
        ("test.u32", .uint32(4_000_000_000)),
        ("test.i32", .int32(-2_000_000_000)),
        ("test.f32", .float32(-1.5e-3)),
        ("test.bool.true", .bool(true)),
        ("test.bool.false", .bool(false)),
        ("test.string", .string("naïve café 日本語 🙂")),
        ("test.empty_string", .string("")),
        ("test.u64", .uint64(18_000_000_000_000_000_000)),
        ("test.i64", .int64(-9_000_000_000_000_000_000)),
        ("test.f64", .float64(2.718281828459045)),
        ("test.array.u8", .array(.uint8([0, 1, 255]))),
        ("test.array.i8", .array(.int8([-128, 0, 127]))),
        ("test.array.u16", .array(.uint16([1, 65_535]))),
        ("test.array.i16", .array(.int16([-32_768, 32_767]))),
        ("test.array.u32", .array(.uint32([7, 4_294_967_295]))),
        ("test.array.i32", .array(.int32([3, 1, 3, -1]))),
        ("test.array.f32", .array(.float32([0.5, -0.25, .infinity]))),
        ("test.array.bool", .array(.bool([true, false, true]))),
        ("test.array.string", .array(.string(["Ġ t", "", "<|im_start|>", "é"]))),
        ("test.array.u64", .array(.uint64([0, UInt64.max]))),
        ("test.array.i64", .array(.int64([Int64.min, 5]))),
        ("test.array.f64", .array(.float64([1e300, -0.0]))),
        ("test.array.empty", .array(.float32([]))),
        ("test.array.nested", .array(.array([.int32([1, 2]), .string(["a", "b", "c"]), .array([.uint8([9])])]))),
        ("general.alignment", .uint32(32)),
    ]

    @Test("metadata of every value type reads back in order")
    func metadataRoundTrip() throws {
        var writer = GGUFBuilder()
        for (key, value) in Self.allValues { writer.add(key, value) }
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let file = try GGUFFile(contentsOf: url)
            #expect(file.version == 3)
            #expect(file.metadataKeys == Self.allValues.map(\.0))
            #expect(file.metadata.count == Self.allValues.count)
            for (key, value) in Self.allValues {
                #expect(file.metadata[key] == value, "key \(key)")
            }
            #expect(file.tensors.isEmpty)
            #expect(file.alignment == 32)
        }
    }

    @Test("convenience accessors convert compatible types and reject others")
    func accessors() throws {
        #expect(GGUFValue.uint8(7).int == 7)
        #expect(GGUFValue.int64(-3).int == -3)
        #expect(GGUFValue.uint64(.max).int == nil)
        #expect(GGUFValue.uint64(42).int == 42)
        #expect(GGUFValue.float32(1.5).int == nil)
        #expect(GGUFValue.float32(1.5).float == 1.5)
        #expect(GGUFValue.float64(0.1).double == 0.1)
        #expect(GGUFValue.uint32(3).float == 3)
        #expect(GGUFValue.string("x").float == nil)
        #expect(GGUFValue.string("x").string == "x")
        #expect(GGUFValue.int32(1).string == nil)
        #expect(GGUFValue.bool(true).bool == true)
        #expect(GGUFValue.uint8(1).bool == nil)
        #expect(GGUFValue.array(.string(["a", "b"])).strings == ["a", "b"])
        #expect(GGUFValue.array(.int32([1, -2])).ints == [1, -2])
        #expect(GGUFValue.array(.uint64([1, .max])).ints == nil)
        #expect(GGUFValue.array(.int16([2])).floats == [2])
        #expect(GGUFValue.array(.float64([0.5])).floats == [0.5])
        #expect(GGUFValue.array(.string(["a"])).ints == nil)
        #expect(GGUFValue.array(.int32([1])).strings == nil)
        #expect(GGUFValue.array(.array([])).typeName == "ARRAY[ARRAY]")
        #expect(GGUFValue.uint32(1).typeName == "UINT32")

        var writer = GGUFBuilder()
        for (key, value) in Self.allValues { writer.add(key, value) }
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let file = try GGUFFile(contentsOf: url)
            #expect(try file.int(forKey: "test.u32") == 4_000_000_000)
            #expect(try file.float(forKey: "test.f32") == -1.5e-3)
            #expect(try file.bool(forKey: "test.bool.true"))
            #expect(try file.string(forKey: "test.string") == "naïve café 日本語 🙂")
            #expect(try file.strings(forKey: "test.array.string") == ["Ġ t", "", "<|im_start|>", "é"])
            #expect(try file.ints(forKey: "test.array.i32") == [3, 1, 3, -1])
            #expect(try file.floats(forKey: "test.array.f32") == [0.5, -0.25, .infinity])
            #expect(throws: GGUFError.missingKey(file: url.path, key: "no.such.key")) {
                try file.int(forKey: "no.such.key")
            }
            #expect(throws: GGUFError.wrongValueType(file: url.path, key: "test.string", expected: "an integer", found: "STRING")) {
                try file.int(forKey: "test.string")
            }
            let error = GGUFError.wrongValueType(file: url.path, key: "test.u8", expected: "STRING", found: "UINT8")
            #expect(error.description.contains(url.path) && error.description.contains("test.u8"))
        }
    }

    /// A file with one tensor of each writable type, and the values each must read back as.
    static func tensorFile(alignment: Int? = nil, version: UInt32 = 3) -> (GGUFBuilder, [String: (shape: [Int], source: [Float], expected: [Float])]) {
        var writer = GGUFBuilder()
        writer.version = version
        if let alignment { writer.add("general.alignment", .uint32(UInt32(alignment))) }
        writer.add("general.architecture", .string("test"))
        var expectations: [String: (shape: [Int], source: [Float], expected: [Float])] = [:]
        let specs: [(String, [Int], GGUFTensorType, ([Float]) -> (bytes: [UInt8], expected: [Float]))] = [
            ("f32.matrix", [4, 3], .f32, GGUFTestQuantizer.f32),
            ("f32.vector", [5], .f32, GGUFTestQuantizer.f32),
            ("f16.matrix", [8, 2], .f16, GGUFTestQuantizer.f16),
            ("q8_0.matrix", [64, 3], .q8_0, GGUFTestQuantizer.q8_0),
            ("q4_0.matrix", [32, 4], .q4_0, GGUFTestQuantizer.q4_0),
            ("q4_1.matrix", [96, 2], .q4_1, GGUFTestQuantizer.q4_1),
            ("q4_1.cube", [32, 2, 3], .q4_1, GGUFTestQuantizer.q4_1),
        ]
        for (index, (name, dimensions, type, quantize)) in specs.enumerated() {
            let count = dimensions.reduce(1, *)
            var source = GGUFTestQuantizer.values(count: count, seed: UInt64(index + 1), scale: 2)
            if type == .q4_1 { source = source.map { $0 + 0.75 } }  // an offset range exercises m
            let (bytes, expected) = quantize(source)
            writer.addTensor(name, dimensions: dimensions, type: type, data: bytes)
            expectations[name] = (dimensions.reversed(), source, expected)
        }
        return (writer, expectations)
    }

    @Test("tensors of each type read back with reversed shape and exact dequantized values", arguments: [nil, 64, 256])
    func tensorRoundTrip(alignment: Int?) throws {
        let (writer, expectations) = Self.tensorFile(alignment: alignment)
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let file = try GGUFFile(contentsOf: url)
            let alignment = alignment ?? 32
            #expect(file.alignment == alignment)
            #expect(file.dataOffset % alignment == 0)
            #expect(file.tensors.map(\.name) == writer.tensors.map(\.name))
            for (info, offset) in zip(file.tensors, writer.tensorOffsets) {
                #expect(info.offset == offset && info.offset % alignment == 0)
                #expect(info.elementCount == info.dimensions.reduce(1, *))
                #expect(info.byteCount == info.elementCount / info.type.blockSize * info.type.blockByteCount)
            }
            for (name, expectation) in expectations {
                let tensor = try file.tensor(named: name)
                #expect(tensor.shape == expectation.shape, "\(name)")
                #expect(file.tensorInfo(named: name)?.shape == expectation.shape)
                #expect(tensor.scalars == expectation.expected, "\(name): dequantized values differ from the reference")
            }
        }
    }

    @Test("dequantized values stay within the quantization error of the source")
    func quantizationError() throws {
        let (writer, expectations) = Self.tensorFile()
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let file = try GGUFFile(contentsOf: url)
            for (name, expectation) in expectations {
                let values = try file.tensor(named: name).scalars
                let type = try #require(file.tensorInfo(named: name)).type
                // Step of the grid: max|x|/127 (Q8_0), range/15 (Q4_1), max|x|/8 (Q4_0); half a step
                // of rounding plus the binary16 rounding of the scale and minimum. Q4_0's grid
                // reaches only 7 steps on the side opposite the extreme value, so values there
                // may be clamped by up to one full step.
                let magnitude = expectation.source.map(abs).max()!
                let bound: Float = switch type {
                case .f32: 0
                case .f16: magnitude * 0x1p-11
                case .q8_0: magnitude / 127 * 0.6
                case .q4_0: magnitude / 8 * 1.1
                default: 4.0 / 15 * 0.6 + magnitude * 0x1p-10
                }
                for (value, source) in zip(values, expectation.source) {
                    #expect(abs(value - source) <= bound, "\(name): \(value) vs source \(source)")
                }
            }
        }
    }

    @Test("version 2 files read like version 3")
    func version2() throws {
        let (writer, expectations) = Self.tensorFile(version: 2)
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let file = try GGUFFile(contentsOf: url)
            #expect(file.version == 2)
            #expect(try file.tensor(named: "q8_0.matrix").scalars == expectations["q8_0.matrix"]!.expected)
        }
    }

    @Test("a file with no tensors may end right after its header")
    func headerOnly() throws {
        var writer = GGUFBuilder()
        writer.add("general.name", .string("x"))
        try GGUFTestFiles.withFile(writer.headerBytes) { url in
            let file = try GGUFFile(contentsOf: url)
            #expect(file.tensors.isEmpty && file.metadata["general.name"] == .string("x"))
        }
    }

    @Test("stored bytes, empty tensors, missing tensors and unsupported types")
    func storedBytesAndUnsupported() throws {
        var writer = GGUFBuilder()
        let raw = (0..<144).map { UInt8(truncatingIfNeeded: $0 * 7) }
        writer.addTensor("k.quant", dimensions: [256], type: .q3_K, data: Array(raw.prefix(110)))
        writer.addTensor("empty", dimensions: [32, 0], type: .q8_0, data: [])
        writer.addTensor("scalar", dimensions: [], type: .f32, data: GGUFTestQuantizer.f32([3.5]).bytes)
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let file = try GGUFFile(contentsOf: url)
            #expect(file.tensorInfo(named: "k.quant")?.type == .q3_K)
            #expect(throws: GGUFError.unsupportedTensorType(file: url.path, tensor: "k.quant", type: "Q3_K")) {
                try file.tensor(named: "k.quant")
            }
            let stored = try file.withStoredBytes(ofTensor: "k.quant") { Array($0) }
            #expect(stored == Array(raw.prefix(110)))
            let empty = try file.tensor(named: "empty")
            #expect(empty.shape == [0, 32] && empty.count == 0)
            let scalar = try file.tensor(named: "scalar")
            #expect(scalar.shape == [] && scalar.scalar == 3.5)
            #expect(throws: GGUFError.tensorNotFound(file: url.path, tensor: "missing")) {
                try file.tensor(named: "missing")
            }
            #expect(file.tensorInfo(named: "missing") == nil)
        }
    }

    @Test("type table: block sizes and names")
    func typeTable() {
        #expect(GGUFTensorType.q4_1.blockSize == 32 && GGUFTensorType.q4_1.blockByteCount == 20)
        #expect(GGUFTensorType.q8_0.blockByteCount == 34 && GGUFTensorType.q6_K.blockByteCount == 210)
        #expect(GGUFTensorType.q4_K.name == "Q4_K" && GGUFTensorType.iq2_XXS.name == "IQ2_XXS")
        #expect(GGUFTensorType.bf16.name == "BF16" && GGUFTensorType(rawValue: 4) == nil)
        for type in GGUFTensorType.allCases {
            #expect(type.blockByteCount > 0 && type.blockSize > 0, "\(type.name)")
        }
    }
}
