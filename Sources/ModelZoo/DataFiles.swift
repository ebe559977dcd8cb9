import Foundation

/// Where the data sets live (Fashion-MNIST, WikiText-2 raw, tiny Shakespeare).
///
/// `$PRUNING_DATA_DIR` when set; otherwise the first `shared/data` folder found beside the
/// current directory or one of its parents (the repository's layout puts it at `../shared/data`).
public enum DataFiles {
    /// The environment variable naming the data folder.
    public static let environmentVariable = "PRUNING_DATA_DIR"

    /// The data folder, or nil when none is found.
    public static var directory: URL? {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            let candidate = folder.deletingLastPathComponent().appendingPathComponent("shared/data")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// The file at `relativePath` inside the data folder.
    ///
    /// - Throws: ``DataFilesError`` naming the file and the variable when it is missing.
    public static func file(_ relativePath: String) throws -> URL {
        guard let directory else { throw DataFilesError.noDataDirectory }
        let url = directory.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DataFilesError.missing(file: url.path)
        }
        return url
    }
}

/// A data file that cannot be found.
public enum DataFilesError: Error, CustomStringConvertible, Equatable {
    /// No data folder was found.
    case noDataDirectory
    /// The data folder lacks the file.
    case missing(file: String)

    /// Names the file or the variable to set.
    public var description: String {
        switch self {
        case .noDataDirectory:
            "no data folder found: set \(DataFiles.environmentVariable) to the folder holding fashion-mnist/, wikitext-2-raw/, tinyshakespeare/"
        case .missing(let file):
            "data file \(file) not found: set \(DataFiles.environmentVariable) to the folder that holds it"
        }
    }
}
