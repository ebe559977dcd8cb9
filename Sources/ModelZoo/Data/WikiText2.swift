import Foundation

/// WikiText-2, raw version (Merity et al., 2016, "Pointer Sentinel Mixture Models",
/// arXiv:1609.07843): Wikipedia articles, `wiki.{train,valid,test}.raw`.
public enum WikiText2 {
    /// The splits.
    public enum Split: String, Sendable, CaseIterable {
        /// `wiki.train.raw` (not shipped in the data folder; loads when present).
        case train
        /// `wiki.valid.raw`: 3,760 lines.
        case validation
        /// `wiki.test.raw`: 4,358 lines.
        case test

        /// The validation split (the file's own abbreviation).
        public static var valid: Split { .validation }

        /// The file name.
        public var fileName: String {
            switch self {
            case .train: "wiki.train.raw"
            case .validation: "wiki.valid.raw"
            case .test: "wiki.test.raw"
            }
        }
    }

    /// The split from `wikitext-2-raw/` in the data folder (see ``DataFiles``).
    ///
    /// - Throws: ``DataFilesError`` naming `PRUNING_DATA_DIR` when the file is missing;
    ///   ``DataSetError/invalidUTF8(file:byteOffset:)``.
    public static func load(split: Split) throws -> TextCorpus {
        try TextCorpus(contentsOf: DataFiles.file("wikitext-2-raw/\(split.fileName)"))
    }

    /// The split from `folder` (holding the `wiki.*.raw` files).
    public static func load(split: Split, from folder: URL) throws -> TextCorpus {
        try TextCorpus(contentsOf: folder.appendingPathComponent(split.fileName))
    }
}
