import Foundation
import PruningCore
import Testing

@Suite struct FormatsSafeTensorsTests {
    struct Expected: Decodable {
        let metadata: [String: String]
        let tensors: [String: FormatsExpectedArray]
    }

    @Test("fixture written by Python safetensors loads identical values by name")
    func pythonFixture() throws {
        let expected = try FormatsTestData.decodeFixture(Expected.self, from: "python_fixture_expected.json")
        let file = try SafeTensorsFile(contentsOf: FormatsTestData.fixture("python_fixture.safetensors"))
        #expect(file.names == expected.tensors.keys.sorted())
        #expect(file.metadata == expected.metadata)
        for (name, array) in expected.tensors {
            #expect(file.shape(of: name) == array.shape, "\(name)")
            #expect(file.dtype(of: name)?.rawValue == array.dtype, "\(name)")
            array.check(try file.tensor(named: name), name)
        }
        #expect(file.shape(of: "absent") == nil)
        #expect(file.dtype(of: "absent") == nil)
        #expect(throws: FormatError.tensorNotFound(file: file.path, tensor: "absent")) {
            try file.tensor(named: "absent")
        }
    }

    @Test("tensors stay valid after the file is released")
    func tensorOutlivesFile() throws {
        var tensor: Tensor?
        do {
            let file = try SafeTensorsFile(contentsOf: FormatsTestData.fixture("python_fixture.safetensors"))
            tensor = try file.tensor(named: "scalar_f32")
        }
        #expect(tensor?.shape == [])
        #expect(tensor?.scalar == 3.25)
    }

    @Test("write then read round-trips shapes, values and metadata")
    func roundTrip() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("round.safetensors")
            let tensors: [String: Tensor] = [
                "b.matrix": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, -0.0, .leastNormalMagnitude / 4]),
                "a.scalar": Tensor(7),
                "empty": Tensor.zeros([0, 4]),
                "c": Tensor.arange(0, 10).reshaped(to: [5, 2]),
            ]
            let metadata = ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t ünïcode \u{1}"]
            try SafeTensors.write(tensors, metadata: metadata, to: url)
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(file.names == ["a.scalar", "b.matrix", "c", "empty"])
            #expect(file.metadata == metadata)
            for (name, tensor) in tensors {
                #expect(file.dtype(of: name) == .float32)
                let loaded = try file.tensor(named: name)
                #expect(loaded.shape == tensor.shape, "\(name)")
                #expect(loaded.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
            }
            #expect(try SafeTensors.read(from: url).keys.sorted() == file.names)
        }
    }

    @Test("header is sorted, compact, space-padded to 8 bytes and deterministic")
    func headerLayout() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let first = directory.appendingPathComponent("first.safetensors")
            let second = directory.appendingPathComponent("second.safetensors")
            let tensors = ["z": Tensor([1, 2]), "a": Tensor(shape: [1, 1], scalars: [3])]
            try SafeTensors.write(tensors, metadata: ["k": "v"], to: first)
            try SafeTensors.write(tensors, metadata: ["k": "v"], to: second)
            let bytes = try Data(contentsOf: first)
            #expect(bytes == (try Data(contentsOf: second)))
            let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            #expect((8 + length) % 8 == 0)
            let json = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
            let expectedJSON = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"#
                + #""z":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
            #expect(json.trimmingCharacters(in: .whitespaces) == expectedJSON)
            #expect(json.hasPrefix(expectedJSON) && json.dropFirst(expectedJSON.count).allSatisfy { $0 == " " })
            #expect(bytes.count == 8 + length + 12)
            let floats = bytes[(8 + length)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            #expect(floats == [3, 1, 2])
        }
    }

    @Test("writing replaces the destination atomically and leaves no temporary files")
    func atomicReplace() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try SafeTensors.write(["w": Tensor([1, 2, 3])], to: url)
            try SafeTensors.write(["w": Tensor([4, 5])], to: url)
            #expect(try SafeTensorsFile(contentsOf: url).tensor(named: "w").scalars == [4, 5])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
            let missing = directory.appendingPathComponent("no/such/dir/x.safetensors")
            #expect(throws: FormatError.self) { try SafeTensors.write(["w": Tensor([1])], to: missing) }
        }
    }

    @Test("a large file opens without reading its data")
    func lazyOpen() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            // A 1 GiB sparse file: the header declares a huge tensor after a small one.
            let url = directory.appendingPathComponent("big.safetensors")
            let big = 1 << 28
            var json = #"{"small":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                + #""big":{"dtype":"F32","shape":[\#(big)],"data_offsets":[8,\#(8 + 4 * big)]}}"#
            while json.utf8.count % 8 != 0 { json += " " }
            var bytes = (0..<8).map { UInt8(truncatingIfNeeded: json.utf8.count >> (8 * $0)) } + Array(json.utf8)
            bytes += [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]  // 1.0, 2.0
            #expect(FileManager.default.createFile(atPath: url.path, contents: Data(bytes)))
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(bytes.count + 4 * big))
            try handle.close()
            let clock = ContinuousClock()
            let start = clock.now
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(try file.tensor(named: "small").scalars == [1, 2])
            #expect(file.shape(of: "big") == [big])
            #expect(clock.now - start < .seconds(1))
        }
    }

    @Test("missing file and directory are reported")
    func missingFile() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("absent.safetensors")
            #expect(throws: FormatError.fileNotFound(file: url.path)) { try SafeTensorsFile(contentsOf: url) }
            #expect(throws: FormatError.unreadable(file: directory.path, reason: "not a regular file")) {
                try SafeTensorsFile(contentsOf: directory)
            }
        }
    }
}

@Suite struct FormatsModuleSaveLoadTests {
    func makeModel(seed: UInt64) -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return Sequential([
            Linear(inputCount: 3, outputCount: 4, using: &generator),
            Activation(.relu),
            Linear(inputCount: 4, outputCount: 2, bias: false, using: &generator),
        ])
    }

    @Test("save then load restores every parameter by dotted name")
    func roundTrip() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            let source = makeModel(seed: 1)
            let target = makeModel(seed: 2)
            #expect(source.stateDictionary()["0.weight"]!.scalars != target.stateDictionary()["0.weight"]!.scalars)
            try source.save(to: url, metadata: ["epoch": "3"])
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(file.names == ["0.bias", "0.weight", "2.weight"])
            #expect(file.metadata == ["epoch": "3"])
            try target.load(from: url)
            let expected = source.stateDictionary()
            for (name, value) in target.stateDictionary() {
                #expect(value.scalars == expected[name]!.scalars, "\(name)")
            }
        }
    }

    @Test("strict loading reports missing, unexpected and mis-shaped parameters")
    func strictErrors() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let model = makeModel(seed: 3)
            var state = model.stateDictionary()
            let url = directory.appendingPathComponent("m.safetensors")

            state["extra"] = Tensor([1])
            try SafeTensors.write(state, to: url)
            #expect(throws: ModuleError.inFile(file: url.path, error: .unexpectedParameter("extra"))) { try model.load(from: url) }
            try model.load(from: url, strict: false)

            state["extra"] = nil
            let bias = state.removeValue(forKey: "0.bias")!
            try SafeTensors.write(state, to: url)
            #expect(throws: ModuleError.inFile(file: url.path, error: .missingParameter("0.bias"))) { try model.load(from: url) }
            let before = model.stateDictionary()["0.bias"]!.scalars
            try model.load(from: url, strict: false)
            #expect(model.stateDictionary()["0.bias"]!.scalars == before)

            state["0.bias"] = Tensor([1, 2, 3])
            try SafeTensors.write(state, to: url)
            #expect(throws: ModuleError.inFile(file: url.path, error: .shapeMismatch(name: "0.bias", expected: [4], found: [3]))) {
                try model.load(from: url, strict: false)
            }
            #expect(bias.shape == [4])
        }
    }

    @Test("loading converts F16 and BF16 tensors to Float")
    func loadsHalfPrecision() throws {
        let fixture = FormatsTestData.fixture("python_fixture.safetensors")
        let file = try SafeTensorsFile(contentsOf: fixture)
        let model = Linear(weight: Tensor.zeros([2, 3]))
        final class Holder: Module {
            var isTraining = true
            let bias = Parameter(Tensor.zeros([3, 4]))
            let cube = Parameter(Tensor.zeros([2, 3, 4]))
            var ownParameters: [(String, Parameter)] { [("specials_f16", bias), ("cube_bf16", cube)] }
        }
        final class CubeHolder: Module {
            var isTraining = true
            let cube = Parameter(Tensor.zeros([2, 3, 4]))
            var ownParameters: [(String, Parameter)] { [("cube_bf16", cube)] }
        }
        let holder = CubeHolder()
        try holder.load(from: fixture, strict: false)
        #expect(holder.cube.value.scalars == (try file.tensor(named: "cube_bf16")).scalars)
        // The F16 specials hold NaN and infinities, which a module refuses as weights.
        let specials = try file.tensor(named: "specials_f16")
        let firstSpecial = try #require(specials.firstNonFiniteIndex)
        #expect(throws: ModuleError.inFile(file: fixture.path, error: .nonFiniteValue(name: "specials_f16", index: firstSpecial))) {
            try Holder().load(from: fixture, strict: false)
        }
        #expect(throws: ModuleError.inFile(file: fixture.path, error: .missingParameter("weight"))) { try model.load(from: fixture) }
    }
}
