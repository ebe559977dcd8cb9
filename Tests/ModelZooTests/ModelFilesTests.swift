import Foundation
import ModelZoo
import Testing

@Suite struct ModelFilesTests {
    @Test("a missing model file names itself and the fix")
    func missingMessage() {
        let error = ModelFilesError.missing(file: "/nowhere/model.gguf")
        #expect(error.description.contains("/nowhere/model.gguf"))
        #expect(error.description.contains("PRUNING_MODELS_DIR"))
    }

    @Test("the data folder holds the documented files", .enabled(if: DataFiles.directory != nil))
    func dataFolder() throws {
        let test = try DataFiles.file("wikitext-2-raw/wiki.test.raw")
        let size = try FileManager.default.attributesOfItem(atPath: test.path)[.size] as? Int
        #expect(size == 1_290_590)
        #expect(throws: DataFilesError.self) { try DataFiles.file("no-such-file.txt") }
    }
}
