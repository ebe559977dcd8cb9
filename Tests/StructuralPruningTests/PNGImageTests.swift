@testable import ExampleSupport
import Foundation
import Testing

/// A PNG file taken apart by hand: chunks with verified CRCs and the inflated image data.
private struct ParsedPNG {
    var chunkTypes: [String] = []
    var width = 0
    var height = 0
    var bitDepth: UInt8 = 0
    var colorType: UInt8 = 0
    var compression: UInt8 = 0
    var filter: UInt8 = 0
    var interlace: UInt8 = 0
    var storedBlockCount = 0
    var inflated: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Failure(description: "bad signature")
        }
        var offset = 8
        var idat: [UInt8] = []
        func bigEndian(_ at: Int) -> UInt32 {
            bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        }
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw Failure(description: "truncated chunk at \(offset)") }
            let length = Int(bigEndian(offset))
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            let data = Array(typeAndData[4...])
            guard PNGImage.crc32(typeAndData) == bigEndian(offset + 8 + length) else {
                throw Failure(description: "CRC mismatch in \(type)")
            }
            chunkTypes.append(type)
            switch type {
            case "IHDR":
                guard length == 13 else { throw Failure(description: "IHDR length \(length)") }
                width = Int(data[0..<4].reduce(0) { $0 << 8 | UInt32($1) })
                height = Int(data[4..<8].reduce(0) { $0 << 8 | UInt32($1) })
                (bitDepth, colorType, compression, filter, interlace) = (data[8], data[9], data[10], data[11], data[12])
            case "IDAT":
                idat += data
            case "IEND":
                guard length == 0 else { throw Failure(description: "IEND length \(length)") }
            default:
                break
            }
            offset += 12 + length
        }
        guard offset == bytes.count else { throw Failure(description: "trailing bytes") }

        // zlib header, stored deflate blocks, big-endian Adler-32.
        guard idat.count >= 6, idat[0] == 0x78, idat[1] == 0x01, (UInt16(idat[0]) << 8 | UInt16(idat[1])) % 31 == 0 else {
            throw Failure(description: "bad zlib header")
        }
        var position = 2
        var final = false
        while !final {
            let header = idat[position]
            final = header & 1 == 1
            guard header >> 1 & 0b11 == 0 else { throw Failure(description: "block is not stored") }
            let len = UInt16(idat[position + 1]) | UInt16(idat[position + 2]) << 8
            let nlen = UInt16(idat[position + 3]) | UInt16(idat[position + 4]) << 8
            guard nlen == ~len else { throw Failure(description: "NLEN != ~LEN") }
            position += 5
            inflated += idat[position..<(position + Int(len))]
            position += Int(len)
            storedBlockCount += 1
        }
        guard position + 4 == idat.count else { throw Failure(description: "bad zlib trailer length") }
        let adler = idat[position..<(position + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler == PNGImage.adler32(inflated) else { throw Failure(description: "Adler-32 mismatch") }
    }
}

/// The filter-0 scanlines that should be inside the zlib stream of `image`.
private func expectedScanlines(_ image: PNGImage) -> [UInt8] {
    let rowBytes = image.width * image.colorType.channelCount
    return (0..<image.height).flatMap { y in [0] + image.samples[(y * rowBytes)..<((y + 1) * rowBytes)] }
}

@Suite("PNGImage")
struct PNGImageTests {
    @Test("CRC-32 matches the known check values")
    func crc32() {
        #expect(PNGImage.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNGImage.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGImage.crc32([UInt8]()) == 0)
    }

    @Test("Adler-32 matches the known check values")
    func adler32() {
        #expect(PNGImage.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGImage.adler32([UInt8]()) == 1)
        // Long input exercises the deferred modulo: 100,000 bytes of 0xFF.
        let long = [UInt8](repeating: 0xFF, count: 100_000)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in long { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        #expect(PNGImage.adler32(long) == b << 16 | a)
    }

    @Test("A 3×2 grayscale image parses back with correct chunks, header and scanlines")
    func smallGrayscaleRoundTrip() throws {
        let image = try PNGImage(width: 3, height: 2, colorType: .grayscale, samples: [0, 128, 255, 10, 20, 30])
        let parsed = try ParsedPNG(image.encoded(compression: .stored))
        #expect(parsed.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(parsed.width == 3 && parsed.height == 2)
        #expect(parsed.bitDepth == 8 && parsed.colorType == 0)
        #expect(parsed.compression == 0 && parsed.filter == 0 && parsed.interlace == 0)
        #expect(parsed.storedBlockCount == 1)
        #expect(parsed.inflated == [0, 0, 128, 255, 0, 10, 20, 30])
    }

    @Test("An image over 65,535 bytes uses several stored blocks and round-trips")
    func largeImageUsesSeveralBlocks() throws {
        let width = 300, height = 100  // 100 × (1 + 900) = 90,100 bytes of scanlines
        let samples = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        let image = try PNGImage(width: width, height: height, colorType: .rgb, samples: samples)
        let parsed = try ParsedPNG(image.encoded(compression: .stored))
        #expect(parsed.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(parsed.colorType == 2 && parsed.width == width && parsed.height == height)
        #expect(parsed.storedBlockCount == 2)
        #expect(parsed.inflated == expectedScanlines(image))
    }

    @Test("The default deflate stream inflates (by zlib) to the scanlines, with valid chunk CRCs, and is smaller than stored")
    func deflateRoundTrip() throws {
        let width = 120, height = 60
        let samples = (0..<(width * height)).map { UInt8(($0 % width) * 2) }  // a smooth gradient compresses well
        let image = try PNGImage(width: width, height: height, colorType: .grayscale, samples: samples)
        let bytes = [UInt8](image.encoded())
        var offset = 8, idat: [UInt8] = [], types: [String] = []
        while offset + 12 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let stored = bytes[(offset + 8 + length)..<(offset + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(PNGImage.crc32(typeAndData) == stored)
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            types.append(type)
            if type == "IDAT" { idat += typeAndData[4...] }
            offset += 12 + length
        }
        #expect(types == ["IHDR", "IDAT", "IEND"])
        #expect(PNGImage.zlibInflate(idat, count: height * (width + 1)) == expectedScanlines(image))
        #expect(bytes.count < image.encoded(compression: .stored).count / 4)
    }

    @Test("Bad sample counts and sizes are refused")
    func badInputThrows() {
        #expect(throws: PNGImageError.sampleCountMismatch(expected: 6, actual: 5, width: 3, height: 2, channels: 1)) {
            try PNGImage(width: 3, height: 2, colorType: .grayscale, samples: [UInt8](repeating: 0, count: 5))
        }
        #expect(throws: PNGImageError.self) {
            try PNGImage(width: 2, height: 2, colorType: .rgb, samples: [UInt8](repeating: 0, count: 4))
        }
        #expect(throws: PNGImageError.invalidSize(width: 0, height: 2)) {
            try PNGImage(width: 0, height: 2, colorType: .grayscale, samples: [])
        }
        #expect(throws: PNGImageError.invalidSize(width: 65536, height: 1)) {
            try PNGImage(width: 65536, height: 1, colorType: .grayscale, samples: [UInt8](repeating: 0, count: 65536))
        }
        #expect(throws: PNGImageError.self) {
            try PNGImage(grayscale: [1, 2, 3], width: 2, height: 2)
        }
        #expect(throws: PNGImageError.self) {
            try PNGImage.overlay(grayscale: [0, 1, 2, 3], heat: [0, 1], width: 2, height: 2)
        }
        let message = PNGImageError.sampleCountMismatch(expected: 6, actual: 5, width: 3, height: 2, channels: 1).description
        #expect(message.contains("5") && message.contains("3×2×1 = 6"))
    }

    @Test("Float grayscale maps min…max (or the given range) to 0…255; constant input is black")
    func floatGrayscale() throws {
        let image = try PNGImage(grayscale: [-1, 0, 1, 3], width: 2, height: 2)
        #expect(image.samples == [0, 64, 128, 255])
        let ranged = try PNGImage(grayscale: [-1, 0.5, 2, .nan], width: 4, height: 1, range: 0...1)
        #expect(ranged.samples == [0, 128, 255, 0])
        let constant = try PNGImage(grayscale: [7, 7, 7], width: 3, height: 1)
        #expect(constant.samples == [0, 0, 0])
    }

    @Test("The overlay keeps the base where there is no heat and blends red–yellow where there is")
    func overlay() throws {
        let image = try PNGImage.overlay(grayscale: [0, 1, 1], heat: [0, 1, 2], width: 3, height: 1, alpha: 0.5)
        #expect(image.colorType == .rgb)
        #expect(Array(image.samples[0..<3]) == [0, 0, 0])        // no heat: base black
        #expect(Array(image.samples[3..<6]) == [255, 255, 128])  // white half-blended with yellow
        #expect(Array(image.samples[6..<9]) == [255, 255, 128])  // heat clamped to 1
    }

    @Test("A grid of differently sized tiles has the expected size and placement")
    func grid() throws {
        let a = try PNGImage(width: 2, height: 3, colorType: .grayscale, samples: [UInt8](repeating: 0, count: 6))
        let b = try PNGImage(width: 4, height: 1, colorType: .grayscale, samples: [UInt8](repeating: 50, count: 4))
        let c = try PNGImage(width: 1, height: 5, colorType: .grayscale, samples: [UInt8](repeating: 100, count: 5))
        // Columns: max(2, 1) = 2, 4; rows: max(3, 1) = 3, 5.
        let gray = try PNGImage.grid([[a, b], [c]], padding: 2)
        #expect(gray.colorType == .grayscale)
        #expect(gray.width == 2 + 2 + 2 + 4 + 2 && gray.height == 2 + 3 + 2 + 5 + 2)
        #expect(gray.samples[0] == 255)
        #expect(gray.samples[2 * gray.width + 2] == 0)                 // a at (2, 2)
        #expect(gray.samples[2 * gray.width + 6] == 50)                // b at (6, 2)
        #expect(gray.samples[3 * gray.width + 6] == 255)               // below b: background
        #expect(gray.samples[7 * gray.width + 2] == 100)               // c at (2, 7)
        #expect(try ParsedPNG(gray.encoded(compression: .stored)).inflated == expectedScanlines(gray))

        let red = try PNGImage(width: 1, height: 1, colorType: .rgb, samples: [255, 0, 0])
        let mixed = try PNGImage.grid([[a, red]], padding: 0, background: 9)
        #expect(mixed.colorType == .rgb && mixed.width == 3 && mixed.height == 3)
        #expect(Array(mixed.samples[0..<9]) == [0, 0, 0, 0, 0, 0, 255, 0, 0])
        #expect(Array(mixed.samples[(1 * 3 + 2) * 3..<(1 * 3 + 3) * 3]) == [9, 9, 9])  // below red

        #expect(throws: PNGImageError.emptyGrid) { try PNGImage.grid([]) }
        #expect(throws: PNGImageError.negativePadding(-1)) { try PNGImage.grid([[a]], padding: -1) }
    }

    @Test("Writing creates the parent folder and the file holds the encoded bytes")
    func writeToFile() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("PNGImageTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nested/image.png")
        let image = try PNGImage(grayscale: [0, 0.5, 1, 0.25], width: 2, height: 2)
        try image.write(to: url)
        #expect(try Data(contentsOf: url) == image.encoded())

        // A file where a folder should be makes the write fail with the file named.
        let blocked = folder.appendingPathComponent("nested/image.png/inner.png")
        do {
            try image.write(to: blocked)
            Issue.record("writing below a file succeeded")
        } catch {
            #expect("\(error)".contains("inner.png"))
        }
    }
}
