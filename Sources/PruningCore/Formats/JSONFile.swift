import Foundation

/// Reading a JSON file into a `Decodable` type with errors that name the file and the field.
public enum JSONFile {
    /// Decodes the JSON file at `url` as `type`.
    ///
    /// - Throws: ``FormatError/fileNotFound(file:)`` or ``FormatError/unreadable(file:reason:)``
    ///   when the file cannot be read, and ``FormatError/invalidJSON(file:reason:)`` naming the
    ///   field ("field 'groupWidths.layer1': …") when it does not decode.
    public static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let file = try MappedFile(url: url)
        let data = Data(file.bytes)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw FormatError.invalidJSON(file: url.path, reason: describe(error))
        } catch {
            throw FormatError.invalidJSON(file: url.path, reason: String(describing: error))
        }
    }

    /// "field 'a.b[2]': problem" for a decoding error.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context, key))'"
        case .typeMismatch(_, let context): return "field '\(path(context))': \(context.debugDescription)"
        case .valueNotFound(_, let context): return "field '\(path(context))' is null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? context.debugDescription : "field '\(path(context))': \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
