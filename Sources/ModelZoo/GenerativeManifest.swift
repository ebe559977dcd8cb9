import Foundation
import PruningCore

/// Checksum manifests of the shipped generative models: a JSON list of `{file, sha256}` beside
/// the files (``ShippedTranslationModels/ManifestEntry``).
enum GenerativeManifest {
    /// The URL of `file` in `folder` after checking its SHA-256 against the `manifest` file there.
    ///
    /// - Throws: ``ShippedCheckpointError`` naming the file (and the manifest, when they disagree);
    ///   ``FormatError`` for a malformed manifest.
    static func verified(_ file: String, in folder: URL, manifest: String) throws -> URL {
        let manifestURL = folder.appendingPathComponent(manifest)
        let entries = try JSONFile.decode([ShippedTranslationModels.ManifestEntry].self, from: manifestURL)
        guard let entry = entries.first(where: { $0.file == file }) else {
            throw ShippedCheckpointError.missingFile("\(file) (not in \(manifestURL.path))")
        }
        let url = folder.appendingPathComponent(file)
        do {
            try ShippedCheckpoints.verify(url, sha256: entry.sha256)
        } catch ShippedCheckpointError.checksumMismatch(_, let expected, let actual) {
            // Either file may be the damaged one: name both.
            throw ShippedCheckpointError.checksumMismatch(file: "\(url.path) (checksum listed in \(manifestURL.path))", expected: expected, actual: actual)
        }
        return url
    }
}
