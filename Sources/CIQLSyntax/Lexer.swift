/// Turns CIQL text into tokens, following the lexical part of `grammar/ciql.ebnf`.
///
/// Works on the UTF-8 bytes; columns are counted in characters (what `CIQLError.rendered(source:)` draws under).
public enum CIQLLexer {
    /// Every keyword, upper case and sorted, for completion in the REPL.
    public static let keywords: [String] = Keyword.allCases.map(\.rawValue).sorted()

    /// The tokens of the UTF-8 `bytes` of a text, ending with `.endOfInput`.
    ///
    /// - Throws: `CIQLError` of kind `.syntax` for an unterminated string, comment or quoted name, an invalid escape,
    ///   a malformed number or a character that cannot start a token.
    static func tokenize(_ bytes: [UInt8]) throws(CIQLError) -> [Token] {
        var scanner = Scanner(bytes: bytes)
        return try scanner.scanAll()
    }
}

/// A place in a text together with the lexer's line bookkeeping there, so lexing can start again from it.
struct LexerPosition {
    var offset = 0
    var line = 1
    var lineStart = 0
    var lineHasNonASCII = false
}

/// The state of one run of the lexer.
struct Scanner {
    let bytes: [UInt8]
    var position = 0
    var line = 1
    var lineStart = 0
    /// Whether the current line holds a non-ASCII byte before `position`, so columns need counting in characters.
    var lineHasNonASCII = false
    var tokens: [Token] = []
    /// The tokens of the current statement so far (since the last `;`).
    var statementTokens = 0

    /// The most tokens one statement may have (each statement of a script alone): parsing and planning take time
    /// and memory in proportion to them, before the statement's time limit and memory budget are checked, so a
    /// machine-made statement of millions of literals is refused here, at its first token past the limit.
    static let maximumStatementTokens = 250_000

    static func tooManyTokens(at location: SourceLocation) -> CIQLError {
        CIQLError(
            .syntax, .limit(.tooLarge),
            "the statement is too large: it has more than \(maximumStatementTokens) tokens; pass big lists as a "
                + "parameter (--param, UNWIND $list) or split the statement", at: location)
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A scanner that starts at `start`, a place an earlier run of the lexer reached between tokens.
    init(bytes: [UInt8], at start: LexerPosition) {
        self.bytes = bytes
        moveTo(start)
    }

    var lexerPosition: LexerPosition {
        LexerPosition(offset: position, line: line, lineStart: lineStart, lineHasNonASCII: lineHasNonASCII)
    }

    mutating func moveTo(_ place: LexerPosition) {
        position = place.offset
        line = place.line
        lineStart = place.lineStart
        lineHasNonASCII = place.lineHasNonASCII
    }

    func byte(at offset: Int) -> UInt8 {
        offset < bytes.count ? bytes[offset] : 0
    }

    func location(at offset: Int) -> SourceLocation {
        if !lineHasNonASCII { return SourceLocation(line: line, column: offset - lineStart + 1, offset: offset) }
        let prefix = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
        return SourceLocation(line: line, column: prefix.count + 1, offset: offset)
    }

    /// Moves past one byte, keeping line bookkeeping: LF, CRLF and a lone CR end a line (`SourceLocation`).
    mutating func advance() {
        let b = bytes[position]
        position += 1
        if b == 0x0A || b == 0x0D && byte(at: position) != 0x0A {
            line += 1
            lineStart = position
            lineHasNonASCII = false
        } else if b >= 0x80 {
            lineHasNonASCII = true
        }
    }

    mutating func add(_ kind: Token.Kind, _ text: String = "", keyword: Keyword? = nil, from start: SourceLocation) {
        tokens.append(Token(kind: kind, text: text, keyword: keyword, location: start, end: position))
    }

    mutating func scanAll() throws(CIQLError) -> [Token] {
        tokens.reserveCapacity(bytes.count / 3 + 1)
        while true {
            try skipTrivia()
            guard position < bytes.count else { break }
            try scanToken()
        }
        tokens.append(Token(kind: .endOfInput, text: "", keyword: nil, location: location(at: position), end: position))
        return tokens
    }

    // MARK: - Trivia

    mutating func skipTrivia() throws(CIQLError) {
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C {
                advance()
            } else if b == UInt8(ascii: "/"), byte(at: position + 1) == UInt8(ascii: "/") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { advance() }
            } else if b == UInt8(ascii: "/"), byte(at: position + 1) == UInt8(ascii: "*") {
                let start = location(at: position)
                advance()
                advance()
                while true {
                    guard position < bytes.count else {
                        throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "unterminated comment: '/*' has no closing '*/'", at: start)
                    }
                    if bytes[position] == UInt8(ascii: "*"), byte(at: position + 1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else if b >= 0x80, let (scalar, _) = decodeScalar(at: position), scalar.properties.isWhitespace {
                skipScalar()
            } else {
                return
            }
        }
    }

    /// The Unicode scalar starting at `offset` and its length in bytes (the input is valid UTF-8).
    func decodeScalar(at offset: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[offset]
        let length: Int
        var value: UInt32
        switch lead {
        case 0..<0x80: return Unicode.Scalar(UInt32(lead)).map { ($0, 1) }
        case 0xC0..<0xE0: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0..<0xF0: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0..<0xF8: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard offset + length <= bytes.count else { return nil }
        for i in 1..<length { value = value << 6 | UInt32(bytes[offset + i] & 0x3F) }
        return Unicode.Scalar(value).map { ($0, length) }
    }

    mutating func skipScalar() {
        advance()
        while position < bytes.count, bytes[position] & 0xC0 == 0x80 { advance() }
    }

    // MARK: - Tokens

    mutating func scanToken() throws(CIQLError) {
        let start = location(at: position)
        let b = bytes[position]
        if b == UInt8(ascii: ";") {
            statementTokens = 0
        } else {
            statementTokens += 1
            if statementTokens > Self.maximumStatementTokens { throw Self.tooManyTokens(at: start) }
        }
        let next = byte(at: position + 1)
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            scanIdentifier(from: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber(from: start)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            try scanString(from: start, quote: b)
        case UInt8(ascii: "`"):
            let name = try scanQuotedName(from: start)
            add(.identifier, name, from: start)
        case UInt8(ascii: "$"):
            try scanParameter(from: start)
        case UInt8(ascii: "."):
            if next == UInt8(ascii: ".") {
                position += 2
                add(.dotDot, from: start)
            } else if isDigit(next), !previousEndsOperand {
                try scanNumber(from: start)
            } else {
                position += 1
                add(.dot, from: start)
            }
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") {
                position += 2; add(.lessOrEqual, from: start)
            } else if next == UInt8(ascii: ">") {
                position += 2; add(.notEqual, from: start)
            } else {
                position += 1; add(.less, from: start)
            }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") {
                position += 2; add(.greaterOrEqual, from: start)
            } else {
                position += 1; add(.greater, from: start)
            }
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "~") {
                position += 2; add(.regexMatch, from: start)
            } else {
                position += 1; add(.equal, from: start)
            }
        case UInt8(ascii: "+"):
            if next == UInt8(ascii: "=") {
                position += 2; add(.plusEqual, from: start)
            } else {
                position += 1; add(.plus, from: start)
            }
        case UInt8(ascii: "!"):
            guard next == UInt8(ascii: "=") else { throw unexpectedCharacter(at: start) }
            position += 2
            add(.notEqual, from: start)
        default:
            guard let kind = Scanner.singleByteTokens[Int(b)] else {
                if b >= 0x80, let (scalar, _) = decodeScalar(at: position),
                    scalar.properties.isAlphabetic || scalar.properties.isIDStart
                {
                    scanIdentifier(from: start)
                    return
                }
                throw unexpectedCharacter(at: start)
            }
            position += 1
            add(kind, from: start)
        }
    }

    static let singleByteTokens: [Token.Kind?] = {
        var table = [Token.Kind?](repeating: nil, count: 256)
        let pairs: [(Character, Token.Kind)] = [
            ("(", .leftParen), (")", .rightParen), ("[", .leftBracket), ("]", .rightBracket), ("{", .leftBrace),
            ("}", .rightBrace), (",", .comma), (":", .colon), (";", .semicolon), ("|", .pipe), ("-", .minus),
            ("*", .star), ("/", .slash), ("%", .percent), ("^", .caret),
        ]
        for (character, kind) in pairs {
            if let ascii = character.asciiValue { table[Int(ascii)] = kind }
        }
        return table
    }()

    func unexpectedCharacter(at start: SourceLocation) -> CIQLError {
        let character =
            String(decoding: bytes[start.offset..<min(bytes.count, start.offset + 4)], as: UTF8.self)
            .first.map(String.init) ?? "?"
        // openCypher: a stray ASCII symbol (`#`) is unexpected syntax; a character outside ASCII where no string or
        // quoted name allows it (an em dash for a minus) is an invalid Unicode character.
        let code: CIQLError.Code =
            start.offset < bytes.count && bytes[start.offset] < 0x80 ? .syntax(.unexpectedSyntax) : .syntax(.invalidUnicodeCharacter)
        return CIQLError(.syntax, code, "unexpected character '\(character)'", at: start)
    }

    /// Whether the previous token ends an operand, so a following `.5` is a property access, not a float.
    var previousEndsOperand: Bool {
        guard let last = tokens.last else { return false }
        switch last.kind {
        case .identifier: return !(last.keyword?.isReserved ?? false)
        case .rightParen, .rightBracket, .rightBrace, .parameter, .string: return true
        default: return false
        }
    }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    func isIdentifierByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// Whether an identifier continues at `position` (ASCII word bytes or a non-ASCII letter or digit).
    func identifierContinues() -> Bool {
        guard position < bytes.count else { return false }
        let b = bytes[position]
        if b < 0x80 { return isIdentifierByte(b) }
        guard let (scalar, _) = decodeScalar(at: position) else { return false }
        return scalar.properties.isIDContinue || scalar.properties.isAlphabetic
    }

    mutating func scanIdentifier(from start: SourceLocation) {
        while identifierContinues() {
            if bytes[position] < 0x80 { position += 1 } else { skipScalar() }
        }
        let keyword = Keyword.lookUp(bytes[start.offset..<position])
        let text = String(decoding: bytes[start.offset..<position], as: UTF8.self)
        add(.identifier, text, keyword: keyword, from: start)
    }

    /// `` `name` `` with ``` `` ``` standing for one backtick.
    mutating func scanQuotedName(from start: SourceLocation) throws(CIQLError) -> String {
        advance()
        var value: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "unterminated quoted name: '`' has no closing '`'", at: start)
            }
            let b = bytes[position]
            advance()
            if b == UInt8(ascii: "`") {
                guard byte(at: position) == UInt8(ascii: "`") else { break }
                advance()
            }
            value.append(b)
        }
        return String(decoding: value, as: UTF8.self)
    }

    mutating func scanParameter(from start: SourceLocation) throws(CIQLError) {
        position += 1
        if byte(at: position) == UInt8(ascii: "`") {
            let nameStart = location(at: position)
            let name = try scanQuotedName(from: nameStart)
            add(.parameter, name, from: start)
            return
        }
        let nameStart = position
        while identifierContinues() {
            if bytes[position] < 0x80 { position += 1 } else { skipScalar() }
        }
        guard position > nameStart else {
            throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "expected a parameter name after '$'", at: start)
        }
        add(.parameter, String(decoding: bytes[nameStart..<position], as: UTF8.self), from: start)
    }

    // MARK: - Numbers

    mutating func scanNumber(from start: SourceLocation) throws(CIQLError) {
        var isFloat = false
        if bytes[position] == UInt8(ascii: "0"),
            byte(at: position + 1) == UInt8(ascii: "x") || byte(at: position + 1) == UInt8(ascii: "o")
        {
            let hex = byte(at: position + 1) == UInt8(ascii: "x")
            position += 2
            let digitsStart = position
            while position < bytes.count, isRadixDigit(bytes[position], hex: hex) { position += 1 }
            if position == digitsStart || identifierContinues() { throw invalidNumber(from: start) }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            if byte(at: position) == UInt8(ascii: "."), isDigit(byte(at: position + 1)) {
                isFloat = true
                position += 1
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if byte(at: position) == UInt8(ascii: "e") || byte(at: position) == UInt8(ascii: "E") {
                isFloat = true
                position += 1
                if byte(at: position) == UInt8(ascii: "-") || byte(at: position) == UInt8(ascii: "+") {
                    position += 1
                }
                guard isDigit(byte(at: position)) else { throw invalidNumber(from: start) }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if identifierContinues() { throw invalidNumber(from: start) }
        }
        let text = String(decoding: bytes[start.offset..<position], as: UTF8.self)
        if isFloat {
            guard let value = Double(text), value.isFinite else {
                throw CIQLError(.syntax, .syntax(.floatingPointOverflow), "float literal '\(text)' is too large", at: start)
            }
            _ = value
        }
        add(isFloat ? .float : .integer, text, from: start)
    }

    func isRadixDigit(_ b: UInt8, hex: Bool) -> Bool {
        if !hex { return b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") }
        return isDigit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
            || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "F"))
    }

    mutating func invalidNumber(from start: SourceLocation) -> CIQLError {
        while identifierContinues() || byte(at: position) == UInt8(ascii: ".") && isDigit(byte(at: position + 1)) {
            position += 1
        }
        let text = String(decoding: bytes[start.offset..<min(position, bytes.count)], as: UTF8.self)
        return CIQLError(.syntax, .syntax(.invalidNumberLiteral), "invalid number literal '\(text)'", at: start)
    }

    // MARK: - Strings

    mutating func scanString(from start: SourceLocation, quote: UInt8) throws(CIQLError) {
        advance()
        let contentStart = position
        var value: [UInt8]? = nil
        while true {
            guard position < bytes.count else {
                throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "unterminated string literal", at: start)
            }
            let b = bytes[position]
            if b == quote {
                let text =
                    value.map { String(decoding: $0, as: UTF8.self) }
                    ?? String(decoding: bytes[contentStart..<position], as: UTF8.self)
                advance()
                add(.string, text, from: start)
                return
            }
            if b == UInt8(ascii: "\\") {
                if value == nil { value = Array(bytes[contentStart..<position]) }
                let escapeStart = location(at: position)
                advance()
                try appendEscape(to: &value, escapeStart: escapeStart, stringStart: start)
                continue
            }
            value?.append(b)
            advance()
        }
    }

    mutating func appendEscape(
        to value: inout [UInt8]?, escapeStart: SourceLocation, stringStart: SourceLocation
    ) throws(CIQLError) {
        guard position < bytes.count else {
            throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "unterminated string literal", at: stringStart)
        }
        let e = bytes[position]
        let simple: UInt8?
        switch e {
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): simple = e
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = e == UInt8(ascii: "u") ? 4 : 8
            advance()
            var code: UInt32 = 0
            for _ in 0..<digits {
                let d = byte(at: position)
                guard let v = hexValue(d) else {
                    throw CIQLError(
                        .syntax,
                        .syntax(.invalidUnicodeLiteral), "invalid unicode escape: '\\\(e == UInt8(ascii: "u") ? "u" : "U")' needs \(digits) "
                            + "hexadecimal digits", at: escapeStart)
                }
                code = code << 4 | v
                advance()
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw CIQLError(
                    .syntax, .syntax(.invalidUnicodeLiteral), "invalid unicode escape: U+\(String(code, radix: 16, uppercase: true)) is not a character",
                    at: escapeStart)
            }
            value?.append(contentsOf: Array(String(Character(scalar)).utf8))
            return
        default:
            let shown = String(decoding: bytes[position..<min(bytes.count, position + 1)], as: UTF8.self)
            throw CIQLError(
                .syntax,
                .syntax(.unexpectedSyntax), "invalid escape '\\\(shown)' in string; use \\\\ \\' \\\" \\n \\t \\r \\b \\f or \\uXXXX",
                at: escapeStart)
        }
        if let simple { value?.append(simple) }
        advance()
    }

    func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
