import Foundation
import ModelZoo
import Testing

@Suite struct TextCorpusFileTests {
    private func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("text-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        return url
    }

    @Test("Valid UTF-8 with multi-byte scalars reads whole; the first invalid byte's offset is reported")
    func utf8Offsets() throws {
        #expect(TextCorpus.firstInvalidUTF8Offset(Array("héllo €𝄞".utf8)) == nil)
        #expect(TextCorpus.firstInvalidUTF8Offset([0x61, 0x62, 0xFF]) == 2)
        // "é" is two bytes, "€" three: the lone continuation byte starts at 1 + 2 + 3 = 6.
        #expect(TextCorpus.firstInvalidUTF8Offset(Array("aé€".utf8) + [0x80, 0x61]) == 6)
        // A truncated three-byte sequence at the end.
        #expect(TextCorpus.firstInvalidUTF8Offset([0x61, 0xE2, 0x82]) == 1)
        let good = try temporaryFile(Array("line one\nzwei €\n".utf8))
        defer { try? FileManager.default.removeItem(at: good) }
        #expect(try TextCorpus(contentsOf: good).lines == ["line one", "zwei €"])
    }

    @Test("Missing, directory and non-UTF-8 inputs throw errors naming the file and the problem")
    func badInputs() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).txt")
        #expect(throws: DataSetError.fileNotFound(file: missing.path)) { try TextCorpus(contentsOf: missing) }
        let directory = FileManager.default.temporaryDirectory
        #expect(throws: DataSetError.notAFile(file: directory.path)) { try TextCorpus(contentsOf: directory) }
        let latin1 = try temporaryFile([0x63, 0x61, 0x66, 0xE9, 0x0A])   // "café\n" in Latin-1
        defer { try? FileManager.default.removeItem(at: latin1) }
        #expect(throws: DataSetError.invalidUTF8(file: latin1.path, byteOffset: 3)) { try TextCorpus(contentsOf: latin1) }
        let description = DataSetError.invalidUTF8(file: latin1.path, byteOffset: 3).description
        #expect(description.contains(latin1.lastPathComponent) && description.contains("offset 3"))
        let empty = try temporaryFile([])
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(try TextCorpus(contentsOf: empty).lines.isEmpty)
    }
}
