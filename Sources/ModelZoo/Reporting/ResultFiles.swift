import Foundation
import PruningCore

/// Writing an example's result files: text files into one folder, and JSON in one format.
public enum ResultFiles {
    /// Writes each `(name, text)` of `files` into `folder` (created if needed), each file
    /// replaced atomically; returns their URLs in order.
    @discardableResult
    public static func write(_ files: [(name: String, text: String)], to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try files.map { name, text in
            let url = folder.appendingPathComponent(name)
            try AtomicFile.write(text, to: url)
            return url
        }
    }

    /// `value` as pretty-printed JSON with sorted keys and a final newline.
    public static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
