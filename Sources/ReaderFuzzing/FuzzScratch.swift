import Foundation

/// Building seed files: writing through the package's own writers into a scratch folder and
/// reading the bytes back.
enum FuzzScratch {
    /// A fresh folder under the temporary directory; the caller removes it.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `write` on a fresh folder and returns every file it wrote, by name.
    static func files(_ write: (URL) throws -> Void) throws -> [String: [UInt8]] {
        let url = try folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try write(url)
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path) {
            files[name] = Array(try Data(contentsOf: url.appendingPathComponent(name)))
        }
        return files
    }

    /// The seed file of a safetensors file's bytes: the header as JSON behind its length field,
    /// and boundaries at the length, the header's end and each tensor's data.
    static func safeTensorsSeed(name: String, bytes: [UInt8]) -> FuzzSeedFile {
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        let header = 8..<(8 + length)
        // Every number of the header read as an offset into the data buffer: the data offsets
        // give each tensor's start and end; the shape numbers add a few harmless extra cuts.
        let tokens = JSONTokens(bytes, region: header)
        let offsets = tokens.numbers.compactMap { Int(tokens.text(of: $0)) }.map { header.upperBound + $0 }
        return FuzzSeedFile(
            name: name, bytes: bytes, fields: [FuzzField(offset: 0, width: 8)],
            boundaries: [0, 4, 8, header.upperBound] + offsets.filter { $0 < bytes.count },
            json: FuzzJSONRegion(range: header, lengthField: 0))
    }
}

extension JSONTokens {
    /// The text of a token range.
    func text(of range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
}
