import Foundation
import PruningCore

/// One stage's saved result: `<directory>/<name>.safetensors` with the stage's settings in its
/// metadata. A stage loads it only when the settings match, and otherwise trains again and
/// replaces it.
struct StageCheckpoint {
    let directory: URL?
    let name: String
    let settings: [String: String]

    var url: URL? { directory?.appendingPathComponent("\(name).safetensors") }

    /// Loads the saved values into `module`; false when there is no directory, no file or the
    /// settings differ.
    ///
    /// - Throws: the reader's error for a file that is not a valid checkpoint of this module.
    func load(into module: some Module) throws -> Bool {
        guard let url, FileManager.default.fileExists(atPath: url.path) else { return false }
        let file = try SafeTensorsFile(contentsOf: url)
        guard file.metadata == settings else { return false }
        try module.load(try file.tensors())
        return true
    }

    /// Saves `module` (atomically); does nothing without a directory.
    func save(_ module: some Module) throws {
        guard let directory, let url else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensors.write(module.stateDictionary(), metadata: settings, to: url)
    }
}
