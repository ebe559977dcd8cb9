import Foundation
@testable import PruningCore
import Testing

/// A failed save must leave the previous file exactly as it was, and no temporary file behind.
@Suite struct FormatsAtomicWriteTests {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func listing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func failing<T>(after bytes: Int, _ body: () throws -> T) rethrows -> T {
        try WriteFaultInjection.$plan.withValue(WriteFaultInjection.Plan(failingAfter: bytes), operation: body)
    }

    private let old = ["a": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), "b": Tensor(shape: [4], scalars: [7, 8, 9, 10])]
    private let new = ["a": Tensor(shape: [2, 3], scalars: [-1, -2, -3, -4, -5, -6]), "b": Tensor(shape: [4], scalars: [0, 0, 0, 1])]

    @Test("a safetensors save failing at any byte, including between tensors, keeps the old file")
    func safeTensorsFailure() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensors.write(old, metadata: ["v": "1"], to: url)
        let before = try Data(contentsOf: url)
        let headerEnd = 8 + Int(before.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        // Failure points: before the length, inside it, inside the header, at the data start,
        // between the two tensors ("a" is 24 bytes), and at the last byte.
        for limit in [0, 4, 8, headerEnd - 1, headerEnd, headerEnd + 24, before.count - 1] {
            #expect(throws: FormatError.self, "limit \(limit)") {
                try failing(after: limit) { try SafeTensors.write(new, metadata: ["v": "2"], to: url) }
            }
            #expect(try Data(contentsOf: url) == before, "limit \(limit)")
            #expect(try listing(directory) == ["model.safetensors"], "limit \(limit)")
        }
        // With enough allowance the write goes through.
        try failing(after: before.count) { try SafeTensors.write(new, metadata: ["v": "2"], to: url) }
        #expect(try SafeTensors.read(from: url)["a"]?.scalars == new["a"]?.scalars)
    }

    @Test("the injected failure names the destination file")
    func failureNamesFile() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("weights.npy")
        do {
            try failing(after: 10) { try NumPy.write(Tensor(shape: [3], scalars: [1, 2, 3]), to: url) }
            Issue.record("the write succeeded")
        } catch let error as FormatError {
            guard case .writeFailed(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == url.path)
            #expect(reason.contains("no space"))
        }
        #expect(try listing(directory).isEmpty)
    }

    @Test("an .npy save failing midway keeps the old file")
    func numPyFailure() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("x.npy")
        try NumPy.write(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), to: url)
        let before = try Data(contentsOf: url)
        for limit in [0, 64, before.count - 1] {
            #expect(throws: FormatError.self) {
                try failing(after: limit) { try NumPy.write(Tensor(shape: [2, 2], scalars: [5, 6, 7, 8]), to: url) }
            }
            #expect(try Data(contentsOf: url) == before)
            #expect(try listing(directory) == ["x.npy"])
        }
    }

    @Test("a destination that is a directory, or in a missing folder, gives a typed error and changes nothing")
    func unwritableDestinations() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let occupied = directory.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: false)
        try AtomicFile.write("inside", to: occupied.appendingPathComponent("keep.txt"))
        #expect(throws: FormatError.self) { try AtomicFile.write("text", to: occupied) }
        #expect(try listing(occupied) == ["keep.txt"])
        #expect(try listing(directory) == ["occupied"])
        let missing = directory.appendingPathComponent("absent/file.txt")
        #expect(throws: FormatError.writeFailed(
            file: missing.path, reason: "cannot create temporary file: No such file or directory")) {
            try AtomicFile.write("text", to: missing)
        }
    }

    @Test("a transaction changes no file unless every file is staged and it commits")
    func transaction() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("model.safetensors")
        let configuration = directory.appendingPathComponent("config.json")
        do {
            let first = FileTransaction()
            try first.writeSafeTensors(old, to: weights)
            try first.write(Data("{\"v\":1}".utf8), to: configuration)
            try first.commit()
        }
        let weightsBefore = try Data(contentsOf: weights)
        let configurationBefore = try Data(contentsOf: configuration)

        // The failure hits the second file after the first is fully staged.
        #expect(throws: FormatError.self) {
            try failing(after: weightsBefore.count + 3) {
                let transaction = FileTransaction()
                try transaction.writeSafeTensors(new, to: weights)
                try transaction.write(Data("{\"v\":2}".utf8), to: configuration)
                try transaction.commit()
            }
        }
        #expect(try Data(contentsOf: weights) == weightsBefore)
        #expect(try Data(contentsOf: configuration) == configurationBefore)
        #expect(try listing(directory) == ["config.json", "model.safetensors"])

        // Dropped without commit: nothing changes and the temporaries go.
        do {
            let abandoned = FileTransaction()
            try abandoned.writeSafeTensors(new, to: weights)
            #expect(try listing(directory).count == 3)
        }
        #expect(try Data(contentsOf: weights) == weightsBefore)
        #expect(try listing(directory) == ["config.json", "model.safetensors"])
    }
}
