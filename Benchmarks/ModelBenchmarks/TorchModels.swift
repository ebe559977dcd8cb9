import Foundation

/// Runs `torch_models.py` for one workload in a child process, with the inputs in a JSON file,
/// and reads its one-line JSON answer (`{"best": seconds, "median": seconds, ...}`); nil when
/// no Python was given or the script failed (its messages go to standard error).
struct TorchModels {
    let python: String?
    let script: URL
    /// `sdpa` (PyTorch's default fused attention) or `eager`.
    let attention: String

    /// A runner for `python` (nil: no reference) with PyTorch's `attention` implementation.
    init(python: String?, attention: String) {
        self.python = python
        self.attention = attention
        self.script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("torch_models.py")
    }

    /// Writes `input` to a temporary JSON file that lives as long as `body` runs.
    ///
    /// - Throws: the serialization or file error, or `body`'s.
    static func withInputFile<R>(_ input: [String: Any], named name: String, _ body: (URL) throws -> R) throws -> R {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("model-benchmarks-\(getpid())-\(name).json")
        try JSONSerialization.data(withJSONObject: input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    /// PyTorch's timings of `workload` at `threads` threads over `samples` runs, on the inputs
    /// in the JSON file `input`, or nil without a Python or when the script fails.
    func measure(_ workload: String, threads: Int, samples: Int, input: URL) -> [String: Double]? {
        guard let python else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            script.path, workload, "--input", input.path, "--threads", "\(threads)", "--samples", "\(samples)",
            "--attention", attention,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("torch_models.py: cannot start \(python): \(error)\n".utf8))
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            FileHandle.standardError.write(Data("torch_models.py: \(workload) failed\n".utf8))
            return nil
        }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
