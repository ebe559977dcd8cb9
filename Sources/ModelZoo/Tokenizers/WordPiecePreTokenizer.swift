import Foundation

/// BERT's basic tokenization, which splits text into the words that WordPiece then cuts into
/// pieces (Devlin et al., 2019, "BERT", https://arxiv.org/abs/1810.04805), as the `BertNormalizer`
/// and `BertPreTokenizer` of Hugging Face's `tokenizers` (the tokenizer sentence-transformers
/// and `transformers` use by default).
///
/// In order:
/// 1. cleaning: NUL, U+FFFD and control or format characters (Unicode categories `C*`, except
///    tab, newline and carriage return) are removed;
/// 2. CJK ideographs (the CJK Unified Ideographs blocks and extensions A–E, and the compatibility
///    ideographs) become words of their own;
/// 3. the text is split on white space (tab, newline, carriage return, `Zs` and the other
///    Unicode `White_Space` characters);
/// 4. accents are stripped (canonical decomposition, NFD, then removal of non-spacing marks,
///    category `Mn`) and the text is lower-cased character by character;
/// 5. every punctuation character — ASCII `!`…`/`, `:`…`@`, `[`…backtick, `{`…`~`, and every
///    character of a Unicode `P*` category — becomes a word of its own.
///
/// ```swift
/// WordPiecePreTokenizer.uncased.words(in: "Héllo, World!")   // ["hello", ",", "world", "!"]
/// ```
public struct WordPiecePreTokenizer: Sendable, Equatable {
    /// Whether words are lower-cased (uncased models).
    public var lowercases: Bool
    /// Whether accents are stripped (NFD, then non-spacing marks removed).
    public var stripsAccents: Bool
    /// Whether each CJK ideograph becomes a word of its own.
    public var splitsCJKCharacters: Bool

    /// A pre-tokenizer with the given options.
    ///
    /// - Parameters:
    ///   - lowercases: whether to lower-case words.
    ///   - stripsAccents: whether to strip accents; by default, exactly when lower-casing (as
    ///     Hugging Face's `strip_accents=None`).
    ///   - splitsCJKCharacters: whether to isolate CJK ideographs.
    public init(lowercases: Bool = true, stripsAccents: Bool? = nil, splitsCJKCharacters: Bool = true) {
        self.lowercases = lowercases
        self.stripsAccents = stripsAccents ?? lowercases
        self.splitsCJKCharacters = splitsCJKCharacters
    }

    /// The pre-tokenizer of uncased BERT models (lower-casing, accent stripping, CJK splitting).
    public static let uncased = WordPiecePreTokenizer()

    /// The pre-tokenizer of cased BERT models (case and accents kept, CJK splitting).
    public static let cased = WordPiecePreTokenizer(lowercases: false)

    /// The words of `text`, in order, none empty.
    public func words(in text: String) -> [String] {
        var words: [String] = []
        var pending: [Unicode.Scalar] = []
        pending.reserveCapacity(32)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                appendWords(of: pending, to: &words)
                pending.removeAll(keepingCapacity: true)
            } else if splitsCJKCharacters && Self.isCJKIdeograph(scalar) {
                appendWords(of: pending, to: &words)
                pending.removeAll(keepingCapacity: true)
                appendWords(of: [scalar], to: &words)
            } else {
                pending.append(scalar)
            }
        }
        appendWords(of: pending, to: &words)
        return words
    }

    /// Normalizes one white-space-delimited token and appends its pieces split at punctuation.
    private func appendWords(of token: [Unicode.Scalar], to words: inout [String]) {
        guard !token.isEmpty else { return }
        var scalars = token
        if token.allSatisfy(\.isASCII) {
            if lowercases { scalars = scalars.map(Self.asciiLowercased) }
        } else {
            if stripsAccents { scalars = Self.strippingAccents(scalars) }
            if lowercases { scalars = Self.lowercased(scalars) }
        }
        var piece = String.UnicodeScalarView()
        for scalar in scalars {
            if Self.isPunctuation(scalar) {
                if !piece.isEmpty {
                    words.append(String(piece))
                    piece = String.UnicodeScalarView()
                }
                words.append(String(scalar))
            } else {
                piece.append(scalar)
            }
        }
        if !piece.isEmpty { words.append(String(piece)) }
    }

    // MARK: Case and accents

    private static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar
    }

    /// Full Unicode lower-casing, character by character (`İ` becomes `i̇`; capital sigma always
    /// becomes `σ`, without the final-sigma rule), as the Rust `tokenizers` library does.
    static func lowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                result.append(asciiLowercased(scalar))
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// The canonical decomposition (NFD) of `scalars` without its non-spacing marks.
    static func strippingAccents(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let decomposed = String(String.UnicodeScalarView(scalars)).decomposedStringWithCanonicalMapping
        return decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }

    // MARK: Character classes

    /// Tab, newline, carriage return, space separators (`Zs`) and the other `White_Space`
    /// characters.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return false
        default:
            return scalar.properties.generalCategory == .spaceSeparator || scalar.properties.isWhitespace
        }
    }

    /// Characters of the Unicode "other" categories (`Cc`, `Cf`, `Cs`, `Co`, `Cn`), except tab,
    /// newline and carriage return, which count as white space.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20..<0x7F: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    /// BERT's punctuation: the ASCII symbols that are not letters, digits or space (including
    /// `$`, `+`, `<`, `^` and `` ` ``, which Unicode does not class as punctuation), and every
    /// character of a Unicode punctuation category (`Pc`, `Pd`, `Ps`, `Pe`, `Pi`, `Pf`, `Po`).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
        {
            return true
        }
        if value < 0x80 { return false }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ideographs that BERT isolates: the CJK Unified Ideographs block, extensions A–E,
    /// and the CJK Compatibility Ideographs (and their supplement). Hangul, hiragana and katakana
    /// are not included.
    static func isCJKIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
