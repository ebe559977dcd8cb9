import Foundation
import ModelZoo
import PruningCore

extension FuzzTargets {
    /// `vocab.txt` of a WordPiece tokenizer.
    static func wordPieceVocabulary() -> FuzzTarget {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "cat", "sat", "on", "mat", "##s", "##ed", ".", ",", "ü"]
        let text = tokens.joined(separator: "\n") + "\n"
        let boundaries = text.utf8.indices.filter { text.utf8[$0] == 0x0A }.map { text.utf8.distance(from: text.utf8.startIndex, to: $0) }
        let seed = FuzzSeed(label: "vocab", files: [FuzzSeedFile(name: "vocab.txt", bytes: Array(text.utf8), boundaries: boundaries, isText: true)])
        return FuzzTarget(name: "vocab.txt", seeds: [seed]) { folder in
            let tokenizer = try WordPieceTokenizer(vocabulary: folder.appendingPathComponent("vocab.txt"))
            _ = tokenizer.encode("The cats sat on the mat.")
        }
    }

    /// A BERT `config.json` (Hugging Face keys).
    static func bertConfiguration() throws -> FuzzTarget {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = String(decoding: try encoder.encode(BERTConfiguration.miniLML6), as: UTF8.self)
        return FuzzTarget(name: "bert-config", seeds: [FuzzSeed(label: "minilm", files: [.json(name: "config.json", text: json)])]) { folder in
            _ = try BERTConfiguration.load(from: folder.appendingPathComponent("config.json"))
        }
    }

    /// A text file read as a corpus (the perplexity and calibration input).
    static func text() -> FuzzTarget {
        let text = """
         = Valkyria Chronicles III =

         Senjō no Valkyria 3 : Unrecorded Chronicles ( Japanese : 戦場のヴァルキュリア3 ) is a tactical role @-@ playing video game .
         The game began development in 2010 , carrying over a large portion of the work done on Valkyria Chronicles II .

        """
        let bytes = Array(text.utf8)
        let boundaries = bytes.indices.filter { bytes[$0] == 0x0A || bytes[$0] >= 0xC0 }
        let seed = FuzzSeed(label: "wikitext", files: [FuzzSeedFile(name: "text.txt", bytes: bytes, boundaries: boundaries, isText: true)])
        return FuzzTarget(name: "text", seeds: [seed]) { folder in
            _ = try TextCorpus(contentsOf: folder.appendingPathComponent("text.txt"))
        }
    }
}
