import Foundation
import ReaderFuzzing
import Testing

/// The quick slice of the reader fuzzer: a few hundred mutated inputs per format, each of
/// which must load or be rejected with an error naming the input, within the time and memory
/// bounds (the long run is the `fuzz-readers` executable).
@Suite struct ReaderFuzzingTests {
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reader-fuzzing-\(UUID().uuidString)")

    @Test("mutated inputs load or are rejected naming the input, with no failure", arguments: FuzzTargets.names)
    func quickSlice(format: String) throws {
        let target = try #require(try FuzzTargets.target(named: format))
        // Generous time bound: the suite runs unoptimized, possibly beside other tests.
        let campaign = FuzzCampaign(inputsPerTarget: 250, seed: 7, timeLimit: 20)
        let report = try campaign.run(target, scratch: Self.scratch)
        #expect(report.tried == 250)
        #expect(report.failures.isEmpty, "\(report.failures.prefix(5).map(\.description).joined(separator: "\n"))")
        // The mutations reach both outcomes: the seeds are valid and the checks are exercised.
        #expect(report.accepted > 0, "no mutated \(format) input was accepted")
        #expect(report.rejected > 0, "no mutated \(format) input was rejected")
    }

    @Test("every seed is accepted unmutated")
    func seedsLoad() throws {
        for name in FuzzTargets.names {
            let target = try #require(try FuzzTargets.target(named: name))
            for seed in target.seeds {
                let folder = Self.scratch.appendingPathComponent("seed-\(name)-\(seed.label)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                for file in seed.files { try Data(file.bytes).write(to: folder.appendingPathComponent(file.name)) }
                #expect(throws: Never.self, "\(name) \(seed.label)") { try target.load(folder) }
            }
        }
    }

    @Test("the structural pass truncates at every boundary and sets every field to extreme values")
    func structuralPass() throws {
        let target = try #require(try FuzzTargets.target(named: "gguf"))
        let campaign = FuzzCampaign(inputsPerTarget: 100_000, seed: 1)
        let inputs = campaign.inputs(for: target)
        let file = target.seeds[0].files[0]
        let truncations = Set(inputs.filter { $0.seed == 0 }.compactMap { input -> Int? in
            if case .truncate(let count) = input.mutations.first, input.mutations.count == 1 { return count }
            return nil
        })
        #expect(Set(file.boundaries.filter { $0 < file.bytes.count }).isSubset(of: truncations))
        let fields = inputs.filter { $0.seed == 0 }.compactMap { input -> FuzzField? in
            if case .setField(let field, 1 << 63) = input.mutations.first { return field }
            return nil
        }
        #expect(Set(fields.map(\.offset)) == Set(file.fields.map(\.offset)))
        #expect(file.fields.count > 100, "the tokenizer's strings each have a length field")
    }

    @Test("JSON mutations keep the safetensors header length consistent")
    func jsonLengthFixUp() throws {
        let target = try #require(try FuzzTargets.target(named: "safetensors"))
        var file = target.seeds[0].files[0]
        let before = file.bytes.count
        FuzzMutation.jsonNumber(index: 0, text: "123456789").apply(to: &file)
        let length = (0..<8).reduce(0) { $0 | Int(file.bytes[$1]) << (8 * $1) }
        #expect(file.json.map { $0.range.count } == length)
        #expect(file.bytes.count > before)
    }
}
