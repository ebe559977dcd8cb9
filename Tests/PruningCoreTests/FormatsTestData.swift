import Foundation
import PruningCore
import Testing

/// Locations of test fixtures and shared data sets, and scratch directories, for format tests.
enum FormatsTestData {
    /// The package root, derived from this source file's location (`Tests/PruningCoreTests/`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file in `Tests/PruningCoreTests/Fixtures`, from the test bundle's resources or, when
    /// the bundle lacks it, from the source tree.
    static func fixture(_ name: String) -> URL {
        if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") {
            return url
        }
        return packageRoot.appendingPathComponent("Tests/PruningCoreTests/Fixtures/\(name)")
    }

    /// The shared data folder: `$PRUNING_DATA_DIR` when set, else `<package root>/../shared/data`
    /// (or `shared/data` beside a further ancestor, for checkouts nested one or two levels deeper).
    static var dataDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["PRUNING_DATA_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        var ancestor = packageRoot.deletingLastPathComponent()
        let nearest = ancestor.appendingPathComponent("shared/data")
        for _ in 0..<3 {
            let candidate = ancestor.appendingPathComponent("shared/data")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            ancestor = ancestor.deletingLastPathComponent()
        }
        return nearest
    }

    /// A file in the shared data folder.
    static func dataFile(_ relativePath: String) -> URL {
        dataDirectory.appendingPathComponent(relativePath)
    }

    /// Whether a file exists in the shared data folder.
    static func hasDataFile(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: dataFile(relativePath).path)
    }

    /// Decodes a JSON fixture.
    static func decodeFixture<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: fixture(name)))
    }

    /// Runs `body` with a fresh empty directory that is removed afterwards.
    static func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("pruning-formats-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }
}

/// Expected values of a fixture array: its shape and the `Float` bit patterns of its elements.
struct FormatsExpectedArray: Decodable {
    let shape: [Int]
    let bits: [UInt32]
    var dtype: String?

    /// Checks that `tensor` has this shape and bit-identical elements (NaN matches any NaN).
    func check(_ tensor: Tensor, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(tensor.shape == shape, "\(name): shape", sourceLocation: sourceLocation)
        let actual = tensor.scalars
        guard actual.count == bits.count else {
            Issue.record("\(name): \(actual.count) elements, expected \(bits.count)", sourceLocation: sourceLocation)
            return
        }
        for (i, (value, expectedBits)) in zip(actual, bits).enumerated() {
            let expected = Float(bitPattern: expectedBits)
            let matches = expected.isNaN ? value.isNaN : value.bitPattern == expectedBits
            if !matches {
                Issue.record("\(name)[\(i)]: \(value) differs from expected \(expected)", sourceLocation: sourceLocation)
                return
            }
        }
    }
}
