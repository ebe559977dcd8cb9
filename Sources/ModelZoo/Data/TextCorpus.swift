import Foundation

/// A text corpus read from a UTF-8 file with `\n` line endings.
public struct TextCorpus: Sendable, Equatable {
    /// The file's contents, unchanged.
    public let text: String
    /// The file's lines without their `\n` terminators (a final newline does not start an
    /// extra line; an empty text has no lines).
    public let lines: [String]

    /// A corpus holding `text`.
    public init(text: String) {
        self.text = text
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if text.isEmpty || text.utf8.last == UInt8(ascii: "\n") { lines.removeLast() }
        self.lines = lines
    }

    /// Reads the UTF-8 file at `url`.
    ///
    /// - Throws: ``DataSetError/fileNotFound(file:)``, ``DataSetError/notAFile(file:)``,
    ///   ``DataSetError/unreadable(file:reason:)``, or ``DataSetError/invalidUTF8(file:byteOffset:)``
    ///   with the offset of the first byte that is not part of a valid sequence.
    public init(contentsOf url: URL) throws(DataSetError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw .fileNotFound(file: url.path) }
        guard !isDirectory.boolValue else { throw .notAFile(file: url.path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        if let offset = Self.firstInvalidUTF8Offset(data) { throw .invalidUTF8(file: url.path, byteOffset: offset) }
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    /// The offset of the first byte of `bytes` that does not belong to a valid UTF-8 sequence,
    /// or nil when all of it is valid.
    public static func firstInvalidUTF8Offset(_ bytes: some Collection<UInt8>) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            // Each scalar's byte length is recovered from its value to track the offset.
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The rows of the Hugging Face `wikitext` data sets: every line with its `\n`, and `""`
    /// for lines holding only whitespace.
    public var rows: [String] {
        lines.map { line in
            line.allSatisfy(\.isWhitespace) ? "" : line + "\n"
        }
    }

    /// The rows joined by blank lines, `"\n\n".join(rows)`: the usual input of perplexity
    /// evaluations on WikiText-2 (as in the GPTQ and SparseGPT evaluation scripts).
    public var joinedRows: String { rows.joined(separator: "\n\n") }
}
