import Foundation
import ModelZoo
import Testing

@Suite struct WikiText2EvaluationTests {
    @Test("rows keep newlines, blank lines become empty, rows join with two newlines")
    func rows() {
        let raw = " \n = Title = \n \n Text here . \n"
        #expect(WikiText2Evaluation.rows(of: raw) == ["", " = Title = \n", "", " Text here . \n"])
        #expect(WikiText2Evaluation.joined(raw) == "\n\n = Title = \n\n\n\n\n Text here . \n")
    }

    @Test("the test split has the published line count", .enabled(if: DataFiles.directory != nil))
    func testSplit() throws {
        let raw = try String(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw"), encoding: .utf8)
        let rows = WikiText2Evaluation.rows(of: raw)
        #expect(rows.count == 4358)
        let text = try WikiText2Evaluation.text(split: .test)
        #expect(text.hasPrefix("\n\n = Robert Boulter = \n"))
    }
}
