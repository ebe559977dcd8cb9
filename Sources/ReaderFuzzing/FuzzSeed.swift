import Foundation

/// A fixed-width integer field inside a file (a length, count, type code, dimension or offset).
package struct FuzzField: Sendable, Equatable {
    /// The field's first byte.
    package var offset: Int
    /// Its width in bytes (1, 2, 4 or 8), little-endian.
    package var width: Int

    /// A field at `offset` of `width` bytes.
    package init(offset: Int, width: Int) {
        self.offset = offset
        self.width = width
    }
}

/// A JSON text embedded in a file: the whole file, or a header behind a little-endian length.
package struct FuzzJSONRegion: Sendable, Equatable {
    /// The JSON's bytes inside the file.
    package var range: Range<Int>
    /// The offset of a little-endian `u64` holding the JSON's byte count, rewritten after a JSON
    /// mutation changes the length (the safetensors header length).
    package var lengthField: Int?

    /// A region; `lengthField` names the `u64` length that precedes it, if any.
    package init(range: Range<Int>, lengthField: Int? = nil) {
        self.range = range
        self.lengthField = lengthField
    }
}

/// One file of a seed input, with what the mutator knows of its structure.
package struct FuzzSeedFile: Sendable {
    /// The file name inside the input's folder.
    package var name: String
    /// A valid file.
    package var bytes: [UInt8]
    /// Integer fields worth setting to extreme values.
    package var fields: [FuzzField]
    /// Offsets where structural parts begin, each a truncation point.
    package var boundaries: [Int]
    /// JSON inside the file, mutated token by token.
    package var json: FuzzJSONRegion?
    /// Whether the file is text whose encoding matters (non-UTF-8 bytes are tried).
    package var isText: Bool

    /// A seed file.
    package init(
        name: String, bytes: [UInt8], fields: [FuzzField] = [], boundaries: [Int] = [],
        json: FuzzJSONRegion? = nil, isText: Bool = false
    ) {
        self.name = name
        self.bytes = bytes
        self.fields = fields
        self.boundaries = boundaries
        self.json = json
        self.isText = isText
    }

    /// A whole-file JSON seed.
    package static func json(name: String, text: String) -> FuzzSeedFile {
        let bytes = Array(text.utf8)
        return FuzzSeedFile(name: name, bytes: bytes, json: FuzzJSONRegion(range: 0..<bytes.count), isText: true)
    }
}

/// A valid input of one format: one file, or the files of a saved folder.
package struct FuzzSeed: Sendable {
    /// A name for reports.
    package var label: String
    /// The input's files; one of them is mutated per input.
    package var files: [FuzzSeedFile]

    /// A seed of `files`.
    package init(label: String, files: [FuzzSeedFile]) {
        self.label = label
        self.files = files
    }
}
