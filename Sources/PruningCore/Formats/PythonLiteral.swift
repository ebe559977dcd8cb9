/// A Python literal of the small subset used by `.npy` headers: dictionaries with string keys,
/// strings, integers, `True`/`False`/`None`, tuples and lists.
enum PythonLiteral: Equatable, CustomStringConvertible {
    case none
    case bool(Bool)
    case integer(Int)
    case string(String)
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dictionary([String: PythonLiteral])

    /// A Python-like rendering, for error messages.
    var description: String {
        switch self {
        case .none: "None"
        case .bool(let value): value ? "True" : "False"
        case .integer(let value): "\(value)"
        case .string(let value): "'\(value)'"
        case .tuple(let items): "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .dictionary(let items):
            "{" + items.keys.sorted().map { "'\($0)': \(items[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// Parses `bytes` (ASCII or UTF-8) as one literal, allowing surrounding whitespace.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(PythonLiteralError) -> PythonLiteral {
        var parser = PythonLiteralParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected text after the literal") }
        return value
    }
}

/// A syntax error in a Python literal, at a byte offset.
struct PythonLiteralError: Error, CustomStringConvertible {
    let offset: Int
    let reason: String
    var description: String { "\(reason) at byte \(offset) of the header" }
}

private struct PythonLiteralParser {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    static let maximumDepth = 32

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ reason: String) -> PythonLiteralError { PythonLiteralError(offset: position, reason: reason) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    mutating func parseValue(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        guard depth < PythonLiteralParser.maximumDepth else { throw error("nesting too deep") }
        guard let byte = current else { throw error("unexpected end of header") }
        switch byte {
        case UInt8(ascii: "{"): return try parseDictionary(depth: depth)
        case UInt8(ascii: "("):
            let (items, trailingComma) = try parseSequence(closing: UInt8(ascii: ")"), depth: depth)
            // `(x)` is a parenthesized value, `(x,)` a one-element tuple.
            if items.count == 1 && !trailingComma { return items[0] }
            return .tuple(items)
        case UInt8(ascii: "["): return .list(try parseSequence(closing: UInt8(ascii: "]"), depth: depth).items)
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseInteger()
        default:
            let start = position
            while let next = current, Self.isIdentifierByte(next) { position += 1 }
            switch String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                position = start
                throw error("unexpected text")
            }
        }
    }

    mutating func parseDictionary(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        position += 1
        var result: [String: PythonLiteral] = [:]
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .dictionary(result) }
            guard current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if result.updateValue(value, forKey: key) != nil {
                throw PythonLiteralError(offset: keyOffset, reason: "duplicate key '\(key)'")
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .dictionary(result)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    /// Parses `(a, b, …)` or `[a, b, …]`; reports whether the last item was followed by a comma.
    mutating func parseSequence(
        closing: UInt8, depth: Int
    ) throws(PythonLiteralError) -> (items: [PythonLiteral], trailingComma: Bool) {
        position += 1
        var items: [PythonLiteral] = []
        var trailingComma = false
        while true {
            skipWhitespace()
            if current == closing { position += 1; return (items, trailingComma) }
            items.append(try parseValue(depth: depth + 1))
            trailingComma = false
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                trailingComma = true
            } else if current == closing {
                position += 1
                return (items, false)
            } else {
                throw error("expected ',' or a closing bracket")
            }
        }
    }

    mutating func parseString() throws(PythonLiteralError) -> String {
        let quote = bytes[position]
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string") }
            position += 1
            if byte == quote { break }
            if byte == UInt8(ascii: "\\") {
                guard let escaped = current else { throw error("unterminated string") }
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): utf8.append(escaped)
                default: throw error("unsupported escape in string")
                }
            } else if byte == 0x0A {
                throw error("newline in string")
            } else {
                utf8.append(byte)
            }
        }
        guard let string = String(validating: utf8, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return string
    }

    mutating func parseInteger() throws(PythonLiteralError) -> PythonLiteral {
        let start = position
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { position += 1 }
        let digitsStart = position
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        guard position > digitsStart else { throw error("invalid integer") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        // Python 2 wrote long integers with an `L` suffix.
        if current == UInt8(ascii: "L") { position += 1 }
        if let next = current, Self.isIdentifierByte(next) || next == UInt8(ascii: ".") {
            throw error("only integers are supported")
        }
        guard let value = Int(text) else { throw PythonLiteralError(offset: start, reason: "integer out of range") }
        return .integer(value)
    }
}
