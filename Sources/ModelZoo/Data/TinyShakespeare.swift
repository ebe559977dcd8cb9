import Foundation

/// Tiny Shakespeare (Karpathy's `char-rnn` corpus): 40,000 lines of Shakespeare's plays,
/// 1,115,394 ASCII characters.
public enum TinyShakespeare {
    /// The text of `tinyshakespeare/input.txt` in the data folder (see ``DataFiles``).
    ///
    /// - Throws: ``DataFilesError`` naming `PRUNING_DATA_DIR` when the file is missing.
    public static func load() throws -> String {
        try TextCorpus(contentsOf: DataFiles.file("tinyshakespeare/input.txt")).text
    }
}
