import Foundation

/// Runs the PyTorch reference script for one workload in a child process and reads its JSON
/// answer (`{"best": seconds, "median": seconds, ...}`), or returns nil when no Python with
/// PyTorch was given.
struct TorchReference {
    let python: String?
    let script: URL

    init(python: String?) {
        self.python = python
        self.script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("torch_reference.py")
    }

    func measure(_ workload: String, threads: Int, extra: [String] = []) -> [String: Double]? {
        guard let python else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, workload, "--threads", "\(threads)"] + extra
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("torch reference: cannot start \(python): \(error)\n".utf8))
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            FileHandle.standardError.write(Data("torch reference: \(workload) failed\n".utf8))
            return nil
        }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
