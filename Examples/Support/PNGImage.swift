import CZlib
import Foundation
import PruningCore

/// Why a ``PNGImage`` could not be made or written.
public enum PNGImageError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The width or height is not in 1…65535.
    case invalidSize(width: Int, height: Int)
    /// The number of samples does not match `width × height × channels`.
    case sampleCountMismatch(expected: Int, actual: Int, width: Int, height: Int, channels: Int)
    /// A per-pixel input array (values, base or heat) has the wrong length.
    case valueCountMismatch(name: String, expected: Int, actual: Int)
    /// A grid was asked for without any tile.
    case emptyGrid
    /// The padding of a grid is negative.
    case negativePadding(Int)
    /// Writing the file at `path` failed; `reason` describes the underlying error.
    case writeFailed(path: String, reason: String)

    /// A sentence naming what is wrong.
    public var description: String {
        switch self {
        case let .invalidSize(width, height):
            return "PNG size \(width)×\(height) is invalid: width and height must be in 1…65535"
        case let .sampleCountMismatch(expected, actual, width, height, channels):
            return "PNG sample count \(actual) does not match \(width)×\(height)×\(channels) = \(expected)"
        case let .valueCountMismatch(name, expected, actual):
            return "PNG \(name) has \(actual) values, expected width×height = \(expected)"
        case .emptyGrid:
            return "PNG grid has no tiles"
        case let .negativePadding(padding):
            return "PNG grid padding \(padding) is negative"
        case let .writeFailed(path, reason):
            return "Could not write PNG file \(path): \(reason)"
        }
    }

    /// The same as ``description``.
    public var errorDescription: String? { description }
}

/// An 8-bit grayscale or RGB image that encodes itself as PNG without any dependency.
///
/// The image data is stored uncompressed (deflate stored blocks), which keeps the encoder small
/// and exact; the files are larger than compressed PNGs but open in every viewer.
public struct PNGImage: Sendable, Equatable {
    /// How the samples of one pixel are laid out.
    public enum ColorType: Sendable, Equatable {
        /// One sample per pixel (PNG colour type 0).
        case grayscale
        /// Three samples per pixel, red, green, blue (PNG colour type 2).
        case rgb

        /// The number of samples per pixel: 1 or 3.
        public var channelCount: Int {
            switch self {
            case .grayscale: return 1
            case .rgb: return 3
            }
        }

        /// The colour type code in the PNG header.
        var headerCode: UInt8 {
            switch self {
            case .grayscale: return 0
            case .rgb: return 2
            }
        }
    }

    /// The number of pixels per row, 1…65535.
    public let width: Int
    /// The number of rows, 1…65535.
    public let height: Int
    /// The layout of each pixel's samples.
    public let colorType: ColorType
    /// The samples, row-major from the top-left pixel, `colorType.channelCount` per pixel.
    public let samples: [UInt8]

    /// An image of `width × height` pixels from `samples` (row-major, 1 or 3 bytes per pixel).
    ///
    /// - Throws: ``PNGImageError/invalidSize(width:height:)`` when a side is not in 1…65535,
    ///   ``PNGImageError/sampleCountMismatch(expected:actual:width:height:channels:)`` when
    ///   `samples.count` is not `width × height × colorType.channelCount`.
    public init(width: Int, height: Int, colorType: ColorType, samples: [UInt8]) throws {
        guard (1...65535).contains(width), (1...65535).contains(height) else {
            throw PNGImageError.invalidSize(width: width, height: height)
        }
        let channels = colorType.channelCount
        let expected = width * height * channels
        guard samples.count == expected else {
            throw PNGImageError.sampleCountMismatch(
                expected: expected, actual: samples.count, width: width, height: height, channels: channels)
        }
        self.width = width
        self.height = height
        self.colorType = colorType
        self.samples = samples
    }

    /// A grayscale image from one float per pixel (row-major), mapped linearly so that
    /// `range.lowerBound` is black (0) and `range.upperBound` is white (255).
    ///
    /// Values outside `range` are clamped; values that are not finite become black. With a nil
    /// `range` the finite minimum…maximum of `values` is used. When the range is empty (for
    /// example constant input) every pixel is 0.
    ///
    /// - Throws: ``PNGImageError`` when the size is invalid or `values.count != width × height`.
    public init(grayscale values: [Float], width: Int, height: Int, range: ClosedRange<Float>? = nil) throws {
        guard (1...65535).contains(width), (1...65535).contains(height) else {
            throw PNGImageError.invalidSize(width: width, height: height)
        }
        guard values.count == width * height else {
            throw PNGImageError.valueCountMismatch(name: "grayscale values", expected: width * height, actual: values.count)
        }
        try self.init(width: width, height: height, colorType: .grayscale,
                      samples: Self.normalizedBytes(values, range: range))
    }

    /// An RGB image showing `base` in gray with `heat` blended on top as a red–yellow colormap.
    ///
    /// `base` is mapped to gray over its finite minimum…maximum, as in
    /// ``init(grayscale:width:height:range:)``. Each heat value `h` is clamped to 0…1 (values that
    /// are not finite count as 0) and coloured `(255, 255·h, 0)`: pure red at 0, orange at 0.5,
    /// yellow at 1. The colour is mixed into the gray with weight `alpha · h`, so pixels without
    /// heat keep the base gray and the hottest pixels take `alpha` of the colour. `alpha` is
    /// clamped to 0…1.
    ///
    /// - Throws: ``PNGImageError`` when the size is invalid or an array's length is not
    ///   `width × height`.
    public static func overlay(
        grayscale base: [Float], heat: [Float], width: Int, height: Int, alpha: Float = 0.5
    ) throws -> PNGImage {
        guard (1...65535).contains(width), (1...65535).contains(height) else {
            throw PNGImageError.invalidSize(width: width, height: height)
        }
        let count = width * height
        guard base.count == count else {
            throw PNGImageError.valueCountMismatch(name: "overlay base", expected: count, actual: base.count)
        }
        guard heat.count == count else {
            throw PNGImageError.valueCountMismatch(name: "overlay heat", expected: count, actual: heat.count)
        }
        let gray = normalizedBytes(base, range: nil)
        let opacity = alpha.isFinite ? min(max(alpha, 0), 1) : 0
        var samples = [UInt8](repeating: 0, count: count * 3)
        for index in 0..<count {
            let h = heat[index].isFinite ? min(max(heat[index], 0), 1) : 0
            let weight = opacity * h
            let g = Float(gray[index])
            let color: (Float, Float, Float) = (255, 255 * h, 0)
            samples[3 * index] = byte((1 - weight) * g + weight * color.0)
            samples[3 * index + 1] = byte((1 - weight) * g + weight * color.1)
            samples[3 * index + 2] = byte((1 - weight) * g + weight * color.2)
        }
        return try PNGImage(width: width, height: height, colorType: .rgb, samples: samples)
    }

    /// The `tiles` laid out in rows, `tiles[row][column]`, separated and surrounded by `padding`
    /// pixels of the gray level `background`.
    ///
    /// Every row is as tall as its tallest tile and every column as wide as its widest tile; each
    /// tile sits at the top-left of its cell and the rest of the cell is `background`. Rows may
    /// have different numbers of tiles. The result is RGB if any tile is RGB (grayscale tiles are
    /// then shown in gray), otherwise grayscale.
    ///
    /// - Throws: ``PNGImageError/emptyGrid`` without tiles,
    ///   ``PNGImageError/negativePadding(_:)`` for a negative `padding`, and
    ///   ``PNGImageError/invalidSize(width:height:)`` when the grid exceeds 65535 pixels a side.
    public static func grid(_ tiles: [[PNGImage]], padding: Int = 2, background: UInt8 = 255) throws -> PNGImage {
        guard padding >= 0 else { throw PNGImageError.negativePadding(padding) }
        let rows = tiles.filter { !$0.isEmpty }
        guard !rows.isEmpty else { throw PNGImageError.emptyGrid }
        let columnCount = rows.map(\.count).max() ?? 0
        var columnWidths = [Int](repeating: 0, count: columnCount)
        for row in rows {
            for (column, tile) in row.enumerated() { columnWidths[column] = max(columnWidths[column], tile.width) }
        }
        let rowHeights = rows.map { row in row.map(\.height).max() ?? 0 }
        let width = columnWidths.reduce(padding, +) + padding * columnCount
        let height = rowHeights.reduce(padding, +) + padding * rows.count
        guard (1...65535).contains(width), (1...65535).contains(height) else {
            throw PNGImageError.invalidSize(width: width, height: height)
        }

        let colorType: ColorType = rows.joined().contains { $0.colorType == .rgb } ? .rgb : .grayscale
        let channels = colorType.channelCount
        var samples = [UInt8](repeating: background, count: width * height * channels)
        var top = padding
        for (rowIndex, row) in rows.enumerated() {
            var left = padding
            for (column, tile) in row.enumerated() {
                let source = (colorType == .rgb ? tile.promotedToRGB() : tile).samples
                let rowBytes = tile.width * channels
                for y in 0..<tile.height {
                    let sourceStart = y * rowBytes
                    let targetStart = ((top + y) * width + left) * channels
                    samples.replaceSubrange(targetStart..<(targetStart + rowBytes),
                                            with: source[sourceStart..<(sourceStart + rowBytes)])
                }
                left += columnWidths[column] + padding
            }
            top += rowHeights[rowIndex] + padding
        }
        return try PNGImage(width: width, height: height, colorType: colorType, samples: samples)
    }

    /// How the `IDAT` zlib stream is encoded.
    public enum Compression: Sendable, Equatable {
        /// zlib's deflate at its best compression level.
        case deflate
        /// Stored (uncompressed) deflate blocks of at most 65,535 bytes.
        case stored
    }

    /// The image as a complete PNG file: signature, `IHDR`, one `IDAT` with a zlib stream of the
    /// scanlines (`compression`), and `IEND`. Every scanline uses filter type 0.
    public func encoded(compression: Compression = .deflate) -> Data {
        let rowBytes = width * colorType.channelCount
        var scanlines = [UInt8]()
        scanlines.reserveCapacity(height * (rowBytes + 1))
        for y in 0..<height {
            scanlines.append(0)
            scanlines.append(contentsOf: samples[(y * rowBytes)..<((y + 1) * rowBytes)])
        }

        var header = [UInt8]()
        header.reserveCapacity(13)
        Self.appendBigEndian(UInt32(width), to: &header)
        Self.appendBigEndian(UInt32(height), to: &header)
        header += [8, colorType.headerCode, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace

        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        Self.appendChunk("IHDR", header, to: &file)
        let stream = compression == .deflate ? (Self.zlibDeflate(scanlines) ?? Self.zlibStored(scanlines)) : Self.zlibStored(scanlines)
        Self.appendChunk("IDAT", stream, to: &file)
        Self.appendChunk("IEND", [], to: &file)
        return Data(file)
    }

    /// Writes ``encoded()`` to `url` atomically, creating the parent folder if it is missing.
    ///
    /// - Throws: ``PNGImageError/writeFailed(path:reason:)`` naming the file.
    public func write(to url: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(encoded(), to: url)
        } catch {
            throw PNGImageError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    // MARK: zlib

    /// A zlib stream of `bytes` compressed by zlib at level 9; nil if zlib fails.
    static func zlibDeflate(_ bytes: [UInt8]) -> [UInt8]? {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), 9)
            }
        }
        guard status == Z_OK else { return nil }
        return Array(output.prefix(Int(capacity)))
    }

    /// The bytes of a zlib stream decompressed by zlib, knowing their count; nil on any error.
    static func zlibInflate(_ stream: [UInt8], count: Int) -> [UInt8]? {
        var length = uLong(count)
        var output = [UInt8](repeating: 0, count: max(count, 1))
        let status = output.withUnsafeMutableBufferPointer { out in
            stream.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &length, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(length) == count else { return nil }
        return Array(output.prefix(count))
    }

    // MARK: Checksums

    /// The CRC-32 lookup table for the reflected polynomial 0xEDB88320.
    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 (as used by PNG and zlib's `crc32`) of `bytes`.
    static func crc32<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// The Adler-32 checksum (as used by zlib streams) of `bytes`.
    static func adler32<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let modulus: UInt32 = 65521
        var a: UInt32 = 1
        var b: UInt32 = 0
        var pending = 0
        for byte in bytes {
            a += UInt32(byte)
            b += a
            pending += 1
            // 5552 is the largest run for which `b` cannot overflow before reducing.
            if pending == 5552 {
                a %= modulus
                b %= modulus
                pending = 0
            }
        }
        return ((b % modulus) << 16) | (a % modulus)
    }

    // MARK: Encoding helpers

    /// A zlib stream holding `data` in stored deflate blocks of at most 65,535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        let maxBlock = 65535
        let blockCount = max(1, (data.count + maxBlock - 1) / maxBlock)
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(2 + data.count + 5 * blockCount + 4)
        for block in 0..<blockCount {
            let start = block * maxBlock
            let end = min(start + maxBlock, data.count)
            let length = UInt16(end - start)
            out.append(block == blockCount - 1 ? 1 : 0)  // BFINAL, BTYPE = 00 (stored)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out.append(contentsOf: data[start..<end])
        }
        appendBigEndian(adler32(data), to: &out)
        return out
    }

    /// Appends one chunk: length, type, data and the CRC-32 of type and data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        appendBigEndian(UInt32(data.count), to: &file)
        file += typeBytes
        file += data
        appendBigEndian(crc32(typeBytes + data), to: &file)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// `values` mapped linearly from `range` (or their finite minimum…maximum) to 0…255.
    private static func normalizedBytes(_ values: [Float], range: ClosedRange<Float>?) -> [UInt8] {
        let bounds: ClosedRange<Float>
        if let range {
            bounds = range
        } else {
            let finite = values.lazy.filter(\.isFinite)
            guard let low = finite.min(), let high = finite.max() else {
                return [UInt8](repeating: 0, count: values.count)
            }
            bounds = low...high
        }
        let span = bounds.upperBound - bounds.lowerBound
        guard span > 0, span.isFinite else { return [UInt8](repeating: 0, count: values.count) }
        return values.map { value in
            guard value.isFinite else { return 0 }
            return byte((min(max(value, bounds.lowerBound), bounds.upperBound) - bounds.lowerBound) / span * 255)
        }
    }

    /// `value` rounded and clamped to 0…255.
    private static func byte(_ value: Float) -> UInt8 {
        UInt8(min(max(value.rounded(), 0), 255))
    }

    /// This image as RGB, grayscale samples becoming equal red, green and blue.
    private func promotedToRGB() -> PNGImage {
        guard colorType == .grayscale else { return self }
        var rgb = [UInt8]()
        rgb.reserveCapacity(samples.count * 3)
        for gray in samples { rgb += [gray, gray, gray] }
        return PNGImage(unchecked: width, height, .rgb, rgb)
    }

    /// An image whose invariants the caller has already established.
    private init(unchecked width: Int, _ height: Int, _ colorType: ColorType, _ samples: [UInt8]) {
        self.width = width
        self.height = height
        self.colorType = colorType
        self.samples = samples
    }
}
