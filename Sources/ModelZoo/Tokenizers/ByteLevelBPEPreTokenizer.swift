/// Splitting text into pre-tokens before byte-level BPE, by hand-written matchers equivalent to
/// the GPT-2 regular expression
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// (alternatives tried in order at each position; `\s` is the Unicode `White_Space` property,
/// `\p{L}` and `\p{N}` the letter and number general categories). The `smollm` variant first
/// isolates every `\p{N}` scalar as its own pre-token and applies the expression to the runs
/// between them.
struct ByteLevelBPEPreTokenizer {
    /// The classes of scalars the expression distinguishes.
    enum Kind: UInt8 {
        case letter, number, space, otherWhitespace, apostrophe, other
    }

    let isolatesDigits: Bool

    /// Scratch buffers: the byte offset where each scalar starts (plus the end) and its kind.
    private var starts: [Int] = []
    private var kinds: [Kind] = []

    init(isolatesDigits: Bool) {
        self.isolatesDigits = isolatesDigits
    }

    /// Appends the byte ranges of the pre-tokens of `bytes[range]` to `pieces`.
    ///
    /// - Precondition: `bytes[range]` is valid UTF-8.
    mutating func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        classify(bytes, range)
        let count = kinds.count
        var runStart = 0
        if isolatesDigits {
            for index in 0..<count where kinds[index] == .number {
                splitRun(bytes, runStart..<index, into: &pieces)
                pieces.append(starts[index]..<starts[index + 1])
                runStart = index + 1
            }
        }
        splitRun(bytes, runStart..<count, into: &pieces)
    }

    /// Applies the GPT-2 expression to the scalars `run` (indices into `kinds`).
    private func splitRun(_ bytes: UnsafeBufferPointer<UInt8>, _ run: Range<Int>, into pieces: inout [Range<Int>]) {
        var i = run.lowerBound
        let end = run.upperBound
        while i < end {
            let next = matchEnd(bytes, at: i, end: end)
            pieces.append(starts[i]..<starts[next])
            i = next
        }
    }

    /// The end (exclusive scalar index) of the match of the expression at scalar `i`.
    private func matchEnd(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int {
        let kind = kinds[i]
        if kind == .apostrophe, i + 1 < end, let length = contractionLength(bytes, at: i, end: end) {
            return i + length
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
        let body = (kind == .space && i + 1 < end) ? i + 1 : i
        switch kinds[body] {
        case .letter: return runEnd(from: body + 1, end: end) { $0 == .letter }
        case .number: return runEnd(from: body + 1, end: end) { $0 == .number }
        case .apostrophe, .other: return runEnd(from: body + 1, end: end) { $0 == .other || $0 == .apostrophe }
        case .space, .otherWhitespace: break
        }
        // `\s+(?!\S)`: whitespace up to the end, or all but the last before a non-space; else `\s+`.
        let whitespaceEnd = runEnd(from: i + 1, end: end) { $0 == .space || $0 == .otherWhitespace }
        if whitespaceEnd == end || whitespaceEnd - i == 1 { return whitespaceEnd }
        return whitespaceEnd - 1
    }

    private func runEnd(from start: Int, end: Int, while belongs: (Kind) -> Bool) -> Int {
        var j = start
        while j < end && belongs(kinds[j]) { j += 1 }
        return j
    }

    /// The scalar length of `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll` or `'d` at scalar `i`, if any.
    private func contractionLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        // The apostrophe is one byte, and letters of a contraction are ASCII, one byte each.
        let first = bytes[starts[i + 1]]
        switch first {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"), UInt8(ascii: "l"):
            guard i + 2 < end else { return nil }
            let second = bytes[starts[i + 2]]
            let wanted = first == UInt8(ascii: "l") ? UInt8(ascii: "l") : UInt8(ascii: "e")
            return second == wanted ? 3 : nil
        default:
            return nil
        }
    }

    /// Decodes the scalars of `bytes[range]` into `starts` and `kinds`.
    private mutating func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        starts.removeAll(keepingCapacity: true)
        kinds.removeAll(keepingCapacity: true)
        var p = range.lowerBound
        let end = range.upperBound
        while p < end {
            let lead = bytes[p]
            starts.append(p)
            if lead < 0x80 {
                kinds.append(Self.asciiKinds[Int(lead)])
                p += 1
                continue
            }
            var value: UInt32
            var length: Int
            if lead < 0xE0 {
                value = UInt32(lead & 0x1F); length = 2
            } else if lead < 0xF0 {
                value = UInt32(lead & 0x0F); length = 3
            } else {
                value = UInt32(lead & 0x07); length = 4
            }
            precondition(p + length <= end, "pre-tokenizer: truncated UTF-8 sequence at byte \(p)")
            for k in 1..<length { value = value << 6 | UInt32(bytes[p + k] & 0x3F) }
            kinds.append(Self.kind(of: Unicode.Scalar(value) ?? "\u{FFFD}"))
            p += length
        }
        starts.append(end)
    }

    /// The kind of a non-ASCII scalar.
    private static func kind(of scalar: Unicode.Scalar) -> Kind {
        let properties = scalar.properties
        if properties.isWhitespace { return .otherWhitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// The kinds of the 128 ASCII scalars.
    private static let asciiKinds: [Kind] = (0..<128).map { code in
        if code == 0x20 { return .space }
        if code == 0x27 { return .apostrophe }
        if (0x09...0x0D).contains(code) { return .otherWhitespace }
        if (0x41...0x5A).contains(code) || (0x61...0x7A).contains(code) { return .letter }
        if (0x30...0x39).contains(code) { return .number }
        return .other
    }
}
