import Foundation
@testable import memorization
import Memorization
import Testing

@Suite("memorization command")
struct MemorizationCommandTests {
    @Test("Out-of-range numbers and unknown names are refused with the flag named", arguments: [
        (["--methods", "none,magic"], "--methods"), (["--prompt-length", "30"], "--prompt-length"),
        (["--validation", "100", "--test", "300"], "--validation"), (["--repetitions", "1,x"], "--repetitions"),
        (["--modegpt-ratios", "1.5"], "--modegpt-ratios"), (["--displlm-ratios", "0"], "--displlm-ratios"),
        (["--learning-rate", "nan"], "--learning-rate"), (["--sweep-lengths", "40"], "--prefix-length"),
        (["--threads", "0"], "--threads"),
    ])
    func badFlags(arguments: [String], flag: String) {
        do {
            _ = try MemorizationCommand.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            let message = MemorizationCommand.message(for: error)
            #expect(message.contains(flag), "\(arguments): \(message)")
        }
    }

    @Test("A tiny from-scratch run writes the table and figures, and a second run reuses the trained prompts")
    func tinyRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("memorization-command-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = [
            "--tiny", "--canaries", "24", "--validation", "4", "--test", "8", "--prefix-length", "6", "--suffix-length", "6",
            "--context-length", "4", "--prompt-length", "4", "--steps", "2", "--batch-size", "4", "--evaluation-interval", "1",
            "--sweep-lengths", "2", "--soft-sweep-lengths", "", "--modegpt-ratios", "", "--displlm-ratios", "", "--threads", "1",
            "--output", folder.appendingPathComponent("out").path, "--work", folder.appendingPathComponent("work").path,
        ]
        var command = try MemorizationCommand.parse(arguments)
        try command.run()
        let out = folder.appendingPathComponent("out")
        for name in ["summary.md", "results.csv", "results.json", "training.svg", "prompt-length.svg", "training-tiny-dynamic-soft.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 5)
        #expect(!csv.contains("nan") && !csv.contains("inf"))
        let saved = folder.appendingPathComponent("work/tiny/prompts/tiny-dynamic-soft-4.safetensors")
        let date = try FileManager.default.attributesOfItem(atPath: saved.path)[.modificationDate] as! Date
        var again = try MemorizationCommand.parse(arguments)
        try again.run()
        #expect(try FileManager.default.attributesOfItem(atPath: saved.path)[.modificationDate] as! Date == date)
        #expect(try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8) == csv, "a reloaded run measures the same")
    }
}
