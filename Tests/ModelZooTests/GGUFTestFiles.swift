import Foundation

/// Temporary files for GGUF tests.
enum GGUFTestFiles {
    /// Writes `bytes` to a fresh temporary file, runs `body` with its URL, then removes it.
    @discardableResult
    static func withFile<R>(_ bytes: [UInt8], name: String = "test.gguf", _ body: (URL) throws -> R) throws -> R {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("modelzoo-gguf-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return try body(url)
    }

    /// The package root, from this file's location (`Tests/ModelZooTests/`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file in `Tests/ModelZooTests/Fixtures`.
    static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Tests/ModelZooTests/Fixtures/\(name)")
    }
}
