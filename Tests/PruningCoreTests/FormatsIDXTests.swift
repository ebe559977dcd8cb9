import Foundation
import PruningCore
import Testing

@Suite struct FormatsIDXTests {
    static let fixtureNames = ["idx_u8", "idx_i8", "idx_i16", "idx_i32", "idx_f32", "idx_f64"]

    @Test("every element type reads identically from raw and gzip files", arguments: fixtureNames)
    func fixtures(name: String) throws {
        let expected = try FormatsTestData.decodeFixture([String: FormatsExpectedArray].self, from: "idx_expected.json")
        let array = try #require(expected[name])
        let raw = try IDXArray(contentsOf: FormatsTestData.fixture(name))
        let compressed = try IDXArray(contentsOf: FormatsTestData.fixture(name + ".gz"))
        #expect(raw == compressed)
        #expect(raw.shape == array.shape)
        #expect(raw.count == array.bits.count)
        array.check(raw.tensor(), name)
        #expect((raw.bytes != nil) == (name == "idx_u8"))
    }

    @Test("u8 arrays keep their bytes and scale on conversion")
    func bytesAndScaling() throws {
        let array = try IDXArray(contentsOf: FormatsTestData.fixture("idx_u8.gz"))
        #expect(array.elementType == .uint8)
        #expect(array.bytes == (0..<24).map { UInt8($0 * 10) })
        expectCloseScalars(array.tensor(scaledBy: 1.0 / 255).scalars, (0..<24).map { Float($0 * 10) / 255 })
    }

    @Test("concatenated gzip members decode as one stream")
    func multipleMembers() throws {
        let split = try IDXArray(contentsOf: FormatsTestData.fixture("idx_u8_two_members.gz"))
        #expect(split == (try IDXArray(contentsOf: FormatsTestData.fixture("idx_u8"))))
    }

    /// The error thrown when reading `bytes` as an idx file, with the path it used.
    static func readError(_ bytes: [UInt8]) throws -> (String, FormatError?) {
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("bad-idx")
            try Data(bytes).write(to: url)
            do {
                _ = try IDXArray(contentsOf: url)
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

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: FormatsTestData.fixture(name)))
    }

    @Test("wrong magic")
    func wrongMagic() throws {
        var raw = try Self.fixtureBytes("idx_u8")
        raw[2] = 0x0A  // no such element type
        let (path, error) = try Self.readError(raw)
        #expect(error == .badMagic(file: path, found: "0x00000a03"))
        raw[2] = 0x08
        raw[0] = 0x01
        try Self.expectErrorCase(raw, "badMagic")
        try Self.expectErrorCase(Array("P5\n28 28\n255\n".utf8), "badMagic")
    }

    @Test("truncated raw data and dimensions too large for the data")
    func truncatedRaw() throws {
        let raw = try Self.fixtureBytes("idx_u8")
        for length in [0, 3, 4, 10, 15, 16, raw.count - 1] {
            try Self.expectErrorCase(Array(raw.prefix(length)), "truncated")
        }
        var large = raw
        large[7] = 200  // first dimension 2 → 200
        try Self.expectErrorCase(large, "truncated")
        try Self.expectErrorCase(raw + [0], "byteCountMismatch")
        var overflowing = raw
        for i in 4..<16 { overflowing[i] = 0xFF }  // three dims of 2^32 − 1
        try Self.expectErrorCase(overflowing, "shapeOverflow")
    }

    @Test("truncated gzip streams")
    func truncatedCompressed() throws {
        let compressed = try Self.fixtureBytes("idx_f64.gz")
        for length in [2, 10, 20, compressed.count / 2, compressed.count - 9, compressed.count - 1] {
            let error = try Self.readError(Array(compressed.prefix(length))).1
            #expect(error.map(formatErrorCase) == "truncated", "length \(length): \(error.map { "\($0)" } ?? "no error")")
        }
    }

    @Test("dimensions larger than the compressed data can hold are rejected before allocating")
    func compressedBomb() throws {
        // A gzip stream of just the header 00 00 08 01 7F FF FF FF (2^31 − 1 bytes announced).
        let header: [UInt8] = [0, 0, 8, 1, 0x7F, 0xFF, 0xFF, 0xFF]
        let gzip = try Self.gzipStored(header)
        let (path, error) = try Self.readError(gzip)
        #expect(error.map(formatErrorCase) == "truncated")
        #expect(error?.description.hasPrefix(path) == true)
    }

    @Test("corrupt gzip data and checksum are reported")
    func corruptCompressed() throws {
        let compressed = try Self.fixtureBytes("idx_i32.gz")
        var flipped = compressed
        flipped[flipped.count - 6] ^= 0x01  // inside the CRC-32 trailer
        try Self.expectErrorCase(flipped, "decompressionFailed")
        var garbage = compressed
        for i in 10..<min(18, garbage.count - 8) { garbage[i] = 0xFF }  // deflate block header
        let error = try Self.readError(garbage).1
        #expect(error != nil)
        var badMethod = compressed
        badMethod[2] = 7  // compression method other than deflate
        try Self.expectErrorCase(badMethod, "decompressionFailed")
    }

    @Test("gzip data longer than the dimensions declare")
    func compressedTrailingData() throws {
        let raw = try Self.fixtureBytes("idx_i8")
        let (path, error) = try Self.readError(try Self.gzipStored(raw + [1, 2, 3]))
        #expect(error == .byteCountMismatch(file: path, tensor: "", expected: 5, actual: 8))
        let (_, clean) = try Self.readError(try Self.gzipStored(raw))
        #expect(clean == nil)
    }

    @Test("bit flips in gzip files either throw FormatError or leave the decoded array unchanged")
    func mutationFuzz() throws {
        let original = try Self.fixtureBytes("idx_i16.gz")
        let reference = try IDXArray(contentsOf: FormatsTestData.fixture("idx_i16"))
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        // Flips in unchecked fields (time stamp, OS byte, padding bits after the last deflate
        // block) may pass unnoticed but cannot change the data; every other flip is caught by
        // the deflate decoder, the CRC-32 or the length check.
        var detected = 0
        try FormatsTestData.withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("flipped.gz")
            for _ in 0..<120 {
                var bytes = original
                let position = Int(next() % UInt64(bytes.count))
                bytes[position] ^= UInt8(1) << (next() % 8)
                try Data(bytes).write(to: url)
                do {
                    let array = try IDXArray(contentsOf: url)
                    #expect(array == reference, "flip at byte \(position) changed the data undetected")
                } catch is FormatError {
                    detected += 1
                }
            }
        }
        #expect(detected >= 80)
    }

    /// A gzip member holding `data` in one stored (uncompressed) deflate block, with its CRC-32.
    static func gzipStored(_ data: [UInt8]) throws -> [UInt8] {
        precondition(data.count < 65536)
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc = ~crc
        let length = UInt16(data.count)
        var bytes: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        bytes += [1, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        bytes += data
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: UInt32(data.count) >> (8 * $0)) }
        return bytes
    }

    func expectCloseScalars(_ actual: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) where abs(a - e) > 1e-6 {
            Issue.record("\(a) differs from \(e)", sourceLocation: sourceLocation)
            return
        }
    }
}

@Suite struct FormatsFashionMNISTTests {
    static let labels = "fashion-mnist/t10k-labels-idx1-ubyte.gz"
    static let images = "fashion-mnist/t10k-images-idx3-ubyte.gz"

    @Test(
        "Fashion-MNIST test labels: 10,000 labels, 1,000 per class",
        .enabled(
            if: FormatsTestData.hasDataFile(labels),
            "shared data folder not found: set PRUNING_DATA_DIR or place data beside the package in ../shared/data"))
    func testLabels() throws {
        let array = try IDXArray(contentsOf: FormatsTestData.dataFile(Self.labels))
        #expect(array.elementType == .uint8)
        #expect(array.shape == [10_000])
        let labels = try #require(array.bytes)
        var counts = [Int](repeating: 0, count: 10)
        for label in labels { counts[Int(label)] += 1 }
        #expect(counts == [Int](repeating: 1_000, count: 10))
        #expect(Array(labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
    }

    @Test(
        "Fashion-MNIST test images: 10,000 × 28 × 28 with known pixel sums",
        .enabled(
            if: FormatsTestData.hasDataFile(images),
            "shared data folder not found: set PRUNING_DATA_DIR or place data beside the package in ../shared/data"))
    func testImages() throws {
        let array = try IDXArray(contentsOf: FormatsTestData.dataFile(Self.images))
        #expect(array.shape == [10_000, 28, 28])
        let pixels = try #require(array.bytes)
        // Reference sums computed with Python's gzip module and numpy.
        #expect(pixels.prefix(784).reduce(0) { $0 + Int($1) } == 33_456)
        #expect(pixels.suffix(784).reduce(0) { $0 + Int($1) } == 24_390)
    }
}
