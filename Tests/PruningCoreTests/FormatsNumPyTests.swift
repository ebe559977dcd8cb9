import Foundation
import PruningCore
import Testing

@Suite struct FormatsNumPyTests {
    @Test("fixtures written by numpy load with identical values")
    func numpyFixtures() throws {
        let expected = try FormatsTestData.decodeFixture([String: FormatsExpectedArray].self, from: "npy_expected.json")
        #expect(expected.count == 13)
        for (name, array) in expected {
            array.check(try NumPy.read(from: FormatsTestData.fixture(name + ".npy")), name)
        }
    }

    @Test("fixtures resolve through the test bundle's resources")
    func bundleResources() {
        #expect(Bundle.module.url(forResource: "npy_f4", withExtension: "npy", subdirectory: "Fixtures") != nil)
    }

    @Test("writing produces the same bytes as numpy.save")
    func byteIdenticalToNumPy() throws {
        let numpyBytes = try Data(contentsOf: FormatsTestData.fixture("npy_f4.npy"))
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("ours.npy")
            let tensor = Tensor.arange(0, 12).reshaped(to: [3, 4]) * Tensor(0.5) - Tensor(2)
            try NumPy.write(tensor, to: url)
            #expect(try Data(contentsOf: url) == numpyBytes)
        }
    }

    @Test("write then read round-trips", arguments: [[Int](), [0], [5], [2, 0, 3], [2, 3, 4], [1, 1, 1, 1, 1, 1, 1, 2]])
    func roundTrip(shape: [Int]) throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("a.npy")
            let count = Tensor.elementCount(of: shape)
            let tensor = Tensor(shape: shape, scalars: (0..<count).map { Float($0) * 0.25 - 1 })
            try NumPy.write(tensor, to: url)
            let bytes = try Data(contentsOf: url)
            #expect((bytes.count - 4 * count) % 64 == 0, "data starts 64-byte aligned")
            let loaded = try NumPy.read(from: url)
            #expect(loaded.shape == shape)
            #expect(loaded.scalars == tensor.scalars)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.npy"])
        }
    }

    /// A version 1.0 file with the given header text (padded to 64 bytes) and data bytes.
    static func npyBytes(_ header: String, data: [UInt8] = [], version: (UInt8, UInt8) = (1, 0)) -> [UInt8] {
        var text = Array(header.utf8)
        while (10 + text.count + 1) % 64 != 0 { text.append(UInt8(ascii: " ")) }
        text.append(UInt8(ascii: "\n"))
        return [0x93] + Array("NUMPY".utf8) + [version.0, version.1, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
    }

    /// The error thrown when reading `bytes` as an `.npy` file, with the path it used.
    static func readError(_ bytes: [UInt8]) throws -> (String, FormatError?) {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("bad.npy")
            try Data(bytes).write(to: url)
            do {
                _ = try NumPy.read(from: url)
                return (url.path, nil)
            } catch let error as FormatError {
                return (url.path, error)
            }
        }
    }

    static func expectErrorCase(_ bytes: [UInt8], _ caseName: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = try readError(bytes).1
        #expect(error.map(formatErrorCase) == caseName, "\(error.map { "\($0)" } ?? "no error")", sourceLocation: sourceLocation)
    }

    static let validHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"

    @Test("a well-formed hand-written file reads, so the malformed cases below differ only in their defect")
    func handWrittenBaseline() throws {
        let (_, error) = try Self.readError(Self.npyBytes(Self.validHeader, data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]))
        #expect(error == nil)
    }

    @Test("bad magic, unsupported version, truncated preamble")
    func preamble() throws {
        var bytes = Self.npyBytes(Self.validHeader, data: [UInt8](repeating: 0, count: 8))
        bytes[1] = UInt8(ascii: "n")
        try Self.expectErrorCase(bytes, "badMagic")
        try Self.expectErrorCase(Self.npyBytes(Self.validHeader, data: [UInt8](repeating: 0, count: 8), version: (4, 0)), "unsupportedVersion")
        try Self.expectErrorCase(Self.npyBytes(Self.validHeader, data: [UInt8](repeating: 0, count: 8), version: (1, 1)), "unsupportedVersion")
        try Self.expectErrorCase(Array(bytes.prefix(7)), "truncated")
        try Self.expectErrorCase([], "truncated")
        let (path, error) = try Self.readError(Array(Self.npyBytes(Self.validHeader).prefix(40)))
        #expect(error == .headerBeyondFile(file: path, headerLength: 118, fileSize: 40))
    }

    @Test("Fortran-order arrays are rejected")
    func fortranOrder() throws {
        let url = FormatsTestData.fixture("npy_fortran.npy")
        #expect(throws: FormatError.unsupportedFeature(file: url.path, feature: "Fortran-order (column-major) arrays")) {
            try NumPy.read(from: url)
        }
    }

    @Test("malformed header dictionaries", arguments: [
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "invalidJSON"),
        ("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", "invalidJSON"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", "invalidJSON"),
        ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "invalidJSON"),
        ("['descr', '<f4']", "invalidHeader"),
        ("{'fortran_order': False, 'shape': (2,), }", "missingField"),
        ("{'descr': '<f4', 'shape': (2,), }", "missingField"),
        ("{'descr': '<f4', 'fortran_order': False, }", "missingField"),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "invalidField"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "invalidField"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "invalidField"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',), }", "invalidField"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", "negativeDimension"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "shapeOverflow"),
        ("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "unknownDataType"),
        ("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", "unknownDataType"),
        ("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "unknownDataType"),
        ("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", "unknownDataType"),
    ])
    func malformedHeader(header: String, caseName: String) throws {
        try Self.expectErrorCase(Self.npyBytes(header, data: [UInt8](repeating: 0, count: 8)), caseName)
    }

    @Test("data shorter or longer than the shape needs")
    func dataLength() throws {
        try Self.expectErrorCase(Self.npyBytes(Self.validHeader, data: [0, 0, 0, 0, 0, 0, 0]), "truncated")
        let (path, error) = try Self.readError(Self.npyBytes(Self.validHeader, data: [UInt8](repeating: 0, count: 12)))
        #expect(error == .byteCountMismatch(file: path, tensor: "", expected: 8, actual: 12))
    }

    @Test("older headers with Python 2 long integers and double quotes read")
    func legacyHeader() throws {
        let header = #"{"descr": "<i2", "fortran_order": False, "shape": (2L, 1L)}"#
        let bytes = Self.npyBytes(header, data: [0xFF, 0xFF, 0x02, 0x01])
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("legacy.npy")
            try Data(bytes).write(to: url)
            let tensor = try NumPy.read(from: url)
            #expect(tensor.shape == [2, 1])
            #expect(tensor.scalars == [-1, 258])
        }
    }

    @Test("missing file")
    func missingFile() throws {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("none.npy")
            #expect(throws: FormatError.fileNotFound(file: url.path)) { try NumPy.read(from: url) }
        }
    }
}
