import Foundation

/// Writes several files so that a failure leaves every previous file as it was.
///
/// Each file is written completely to a temporary file beside its destination and flushed to
/// disk; only when every file is staged does ``commit()`` rename them over their
/// destinations, one rename each. A failure while staging (a full disk, an unwritable
/// directory) removes the temporaries and changes nothing; a transaction dropped without
/// ``commit()`` changes nothing either.
///
/// ```swift
/// let transaction = FileTransaction()
/// try transaction.writeSafeTensors(weights, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
/// try transaction.write(configurationJSON, to: folder.appendingPathComponent("config.json"))
/// try transaction.commit()
/// ```
public final class FileTransaction {
    private var staged: [StagedFile] = []

    /// An empty transaction.
    public init() {}

    /// Stages `data` for `url`.
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public func write(_ data: Data, to url: URL) throws {
        var writer = try AtomicFileWriter(url: url)
        try data.withUnsafeBytes { try writer.write($0) }
        staged.append(try writer.stage())
    }

    /// Stages `tensors` as an `F32` safetensors file for `url` (the layout of
    /// ``SafeTensors/write(_:metadata:to:)``).
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public func writeSafeTensors(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        staged.append(try SafeTensors.stage(tensors, metadata: metadata, to: url))
    }

    /// Renames every staged file over its destination, in the order written.
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)`` when a rename fails; files renamed
    ///   before it keep their new contents.
    public func commit() throws {
        for file in staged { try file.publish() }
        staged.removeAll()
    }
}

/// Replacing one file atomically.
public enum AtomicFile {
    /// Writes `data` to `url` through a temporary file in the same directory renamed over
    /// `url`: readers see the old file or the new one, and a failure leaves the old one.
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public static func write(_ data: Data, to url: URL) throws {
        var writer = try AtomicFileWriter(url: url)
        try data.withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    /// Writes `text` as UTF-8 to `url`, atomically as ``write(_:to:)``.
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
