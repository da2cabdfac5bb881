/// The statements of one text, lexed once, each with a *shape*: a key that is equal for two statements exactly
/// when they are the same tokens apart from the values of their number and string literals. A plan cache looks
/// plans up by shape and supplies the literals' values, so a script of 10,000 lookups that differ only in the
/// id they name is parsed and planned once.
///
/// A statement is parsed only when asked (`parse(_:)`), and parses exactly as it does inside `CIQLParser.parse`:
/// same tree, same locations, same errors. The grammar does not depend on a literal's value (only an integer's
/// range does, and a statement with an out-of-range integer gets no shape), so statements of one shape either
/// all parse or all fail.
package struct StatementShapes {
    /// A literal token of a statement: where it starts, its source spelling and its value.
    package struct Literal: Sendable {
        package var offset: Int
        package var spelling: String
        package var value: Value

        package enum Value: Sendable, Equatable {
            case int(Int64)
            case float(Double)
            case string(String)
        }
    }

    /// One statement: its shape key (nil when it has none: it then always goes through the parser), its literals
    /// in source order, and where it starts.
    package struct Shape {
        package var key: [UInt8]?
        /// Numbers the distinct keys of the text from 0 (equal keys, equal numbers), so a caller can keep one value
        /// per shape instead of hashing the key of every statement; nil when `key` is.
        package var shapeNumber: Int?
        package var literals: [Literal]
        package var location: SourceLocation
        /// Its tokens in `tokens` (up to, not including, the `;` or end of input that ends it) when it was lexed
        /// token by token; nil when it matched the template of an earlier statement of its shape, and its tokens
        /// are lexed again only when asked for.
        fileprivate var tokenRange: Range<Int>?
        /// Where its first token starts, with the lexer's line state there.
        fileprivate var start: LexerPosition

        /// Whether it was matched against an earlier statement's template rather than lexed token by token.
        var matchedTemplate: Bool { tokenRange == nil }
    }

    private let bytes: [UInt8]
    /// The tokens of the statements lexed token by token (one per shape, mostly), each followed by its `;`, and
    /// the end of input last.
    private let tokens: [Token]
    package let statements: [Shape]

    /// Lexes `text` and splits it into statements at `;`.
    ///
    /// A statement that has the same bytes as a recent statement apart from its literals (a script of lookups
    /// written by a program) is matched against that statement's template rather than lexed token by token:
    /// the literals are lexed where the template has literals, and everything between must be byte for byte the
    /// same, so the statement has the same tokens and the same key. Memory stays proportional to the shapes.
    ///
    /// - Throws: the lexer's `CIQLError` (the same error `CIQLParser.parse` would throw).
    package init(_ text: String) throws(CIQLError) {
        bytes = Array(text.utf8)
        var scanner = Scanner(bytes: bytes)
        var shapes: [Shape] = []
        var numbers: [[UInt8]: Int] = [:]
        var templates: [ShapeTemplate] = []
        var key: [UInt8] = []
        while true {
            try scanner.skipTrivia()
            guard scanner.position < bytes.count else { break }
            if bytes[scanner.position] == UInt8(ascii: ";") {
                try scanner.scanToken()
                continue
            }
            let start = scanner.lexerPosition
            let location = scanner.location(at: scanner.position)
            if let (template, literals) = scanner.matchAny(templates) {
                shapes.append(Shape(
                    key: template.key, shapeNumber: template.shapeNumber, literals: literals, location: location,
                    tokenRange: nil, start: start))
                continue
            }
            let first = scanner.tokens.count
            key.removeAll(keepingCapacity: true)
            var literals: [Literal] = []
            var literalTokens: [Token] = []
            var hasKey = true
            var endsWithSemicolon = false
            while true {
                try scanner.skipTrivia()
                guard scanner.position < bytes.count else { break }
                try scanner.scanToken()
                let token = scanner.tokens[scanner.tokens.count - 1]
                if token.kind == .semicolon {
                    endsWithSemicolon = true
                    break
                }
                Self.appendKey(of: token, bytes: bytes, to: &key, literals: &literals, hasKey: &hasKey)
                if token.kind == .integer || token.kind == .float || token.kind == .string { literalTokens.append(token) }
            }
            let end = scanner.tokens.count - (endsWithSemicolon ? 1 : 0)
            var shapeNumber: Int?
            var storedKey: [UInt8]?
            if hasKey {
                if let n = numbers[key] {
                    shapeNumber = n
                } else {
                    shapeNumber = numbers.count
                    numbers[key] = numbers.count
                }
                storedKey = key
                if endsWithSemicolon, let n = shapeNumber {
                    let semicolon = scanner.tokens[scanner.tokens.count - 1]
                    let template = ShapeTemplate(
                        key: key, shapeNumber: n, start: start.offset, end: semicolon.end, literals: literalTokens,
                        bytes: bytes)
                    templates.insert(template, at: 0)
                    if templates.count > ShapeTemplate.kept { templates.removeLast() }
                }
            }
            shapes.append(Shape(
                key: storedKey, shapeNumber: shapeNumber, literals: literals, location: location,
                tokenRange: first..<end, start: start))
        }
        scanner.tokens.append(Token(
            kind: .endOfInput, text: "", keyword: nil, location: scanner.location(at: scanner.position),
            end: scanner.position))
        tokens = scanner.tokens
        statements = shapes
    }

    /// Adds `token` to a statement's key (and its value to `literals` when it is a literal).
    private static func appendKey(
        of token: Token, bytes: [UInt8], to key: inout [UInt8], literals: inout [Literal], hasKey: inout Bool
    ) {
        switch token.kind {
        case .integer, .float, .string:
            if let literal = Literal(token, bytes: bytes) {
                literals.append(literal)
            } else {
                hasKey = false
            }
            key.append(1)
            key.append(token.kind == .integer ? 0x69 : token.kind == .float ? 0x66 : 0x73)
        case .identifier:
            // A quoted name is never a keyword: keep the two apart. Names are length-prefixed, so no two
            // token sequences give one key (a quoted name may hold any byte).
            key.append(token.keyword == nil ? 2 : 3)
            appendName(token.text, to: &key)
        case .parameter:
            key.append(4)
            appendName(token.text, to: &key)
        default:
            key.append(5)
            key.append(contentsOf: token.kind.spelling.utf8)
        }
    }

    private static func appendName(_ name: String, to key: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: name.utf8.count)
        withUnsafeBytes(of: count.bigEndian) { key.append(contentsOf: $0) }
        key.append(contentsOf: name.utf8)
    }

    /// Parses statement `index`, exactly as `CIQLParser.parse` parses it inside the whole text.
    package func parse(_ index: Int) throws(CIQLError) -> Statement {
        let shape = statements[index]
        if let range = shape.tokenRange {
            var parser = Parser(tokens: tokens, source: bytes)
            parser.index = range.lowerBound
            return try parser.parseOneStatement()
        }
        var parser = Parser(tokens: try lexAgain(shape, keepingEnd: true), source: bytes)
        return try parser.parseOneStatement()
    }

    /// The tokens of a statement matched by template, lexed again from its start: up to its `;`, then (with
    /// `keepingEnd`) the `;` and the end of input, so that the parser stops where it stops in the whole text.
    private func lexAgain(_ shape: Shape, keepingEnd: Bool) throws(CIQLError) -> [Token] {
        var scanner = Scanner(bytes: bytes, at: shape.start)
        while true {
            try scanner.skipTrivia()
            guard scanner.position < bytes.count else { break }
            try scanner.scanToken()
            if scanner.tokens[scanner.tokens.count - 1].kind == .semicolon {
                if !keepingEnd { scanner.tokens.removeLast() }
                break
            }
        }
        if keepingEnd {
            scanner.tokens.append(Token(
                kind: .endOfInput, text: "", keyword: nil, location: scanner.location(at: scanner.position),
                end: scanner.position))
        }
        return scanner.tokens
    }

    /// The tokens of statement `index` (without the `;` that ends it).
    private func statementTokens(_ index: Int) -> ArraySlice<Token> {
        let shape = statements[index]
        if let range = shape.tokenRange { return tokens[range] }
        // It lexed once, so it lexes again; an error here would be a bug, and gives no tokens rather than a trap.
        return ((try? lexAgain(shape, keepingEnd: false)) ?? [])[...]
    }

    /// The offsets of statement `index`'s tokens, relative to its first token, in order.
    package func tokenOffsets(_ index: Int) -> [Int] {
        let base = statements[index].start.offset
        return statementTokens(index).map { $0.location.offset - base }
    }

    /// Where token `position` (counted from the first token of statement `index`) is, if the statement has it.
    package func location(ofToken position: Int, inStatement index: Int) -> SourceLocation? {
        let own = statementTokens(index)
        guard position >= 0, position < own.count else { return nil }
        return own[own.startIndex + position].location
    }
}

extension StatementShapes.Literal {
    /// The literal a literal token stands for; nil for an integer out of range (such a statement gets no key).
    fileprivate init?(_ token: Token, bytes: [UInt8]) {
        let value: Value
        switch token.kind {
        case .integer:
            guard let n = Parser.integerValue(of: token.text) else { return nil }
            value = .int(n)
        case .float: value = .float(Double(token.text) ?? 0)
        default: value = .string(token.text)
        }
        self.init(
            offset: token.location.offset, spelling: String(decoding: bytes[token.location.offset..<token.end], as: UTF8.self),
            value: value)
    }
}

/// A statement lexed token by token, as a template for later statements of the same text: the byte ranges
/// between its literals, and what each literal was.
private struct ShapeTemplate {
    /// How many recent templates a statement is tried against.
    static let kept = 4

    let key: [UInt8]
    let shapeNumber: Int
    /// The text before the first literal, between literals, and after the last one up to and including the `;`.
    let segments: [Range<Int>]
    /// Whether a segment is ASCII without a line end, LF or CR (the line bookkeeping can jump over it).
    let plain: [Bool]
    let literalKinds: [Token.Kind]
    /// The first byte of each literal: a quote, a digit or `.`. A literal in the same place must start with
    /// the same kind of byte, so the token before it lexes as it did (`a'x'` and `a1` lex differently).
    let literalStarts: [UInt8]

    init(key: [UInt8], shapeNumber: Int, start: Int, end: Int, literals: [Token], bytes: [UInt8]) {
        self.key = key
        self.shapeNumber = shapeNumber
        var segments: [Range<Int>] = []
        var from = start
        for literal in literals {
            segments.append(from..<literal.location.offset)
            from = literal.end
        }
        segments.append(from..<end)
        self.segments = segments
        plain = segments.map { range in !bytes[range].contains { $0 >= 0x80 || $0 == 0x0A || $0 == 0x0D } }
        literalKinds = literals.map(\.kind)
        literalStarts = literals.map { Self.startClass(bytes[$0.location.offset]) }
    }

    static func startClass(_ b: UInt8) -> UInt8 {
        switch b {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): UInt8(ascii: "'")
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(ascii: "0")
        default: b
        }
    }
}

extension Scanner {
    /// Matches the statement at `position` against `templates` (most recent first): its key's template and its
    /// literals, with the scanner past its `;`; nil, with the scanner where it was, when none matches.
    fileprivate mutating func matchAny(_ templates: [ShapeTemplate]) -> (ShapeTemplate, [StatementShapes.Literal])? {
        for template in templates {
            if let literals = match(template) { return (template, literals) }
        }
        return nil
    }

    private mutating func match(_ template: ShapeTemplate) -> [StatementShapes.Literal]? {
        let saved = lexerPosition
        let tokenCount = tokens.count
        var literals: [StatementShapes.Literal] = []
        literals.reserveCapacity(template.literalKinds.count)
        for (i, segment) in template.segments.enumerated() {
            guard skip(segment, plain: template.plain[i]) else {
                moveTo(saved)
                return nil
            }
            guard i < template.literalKinds.count else { break }
            guard let literal = scanLiteral(template.literalKinds[i], startingWith: template.literalStarts[i]) else {
                moveTo(saved)
                tokens.removeSubrange(tokenCount...)
                return nil
            }
            literals.append(literal)
        }
        return literals
    }

    /// Moves past `segment`'s bytes when the text at `position` repeats them.
    private mutating func skip(_ segment: Range<Int>, plain: Bool) -> Bool {
        let count = segment.count
        guard count <= bytes.count - position else { return false }
        var k = 0
        while k < count {
            if bytes[position + k] != bytes[segment.lowerBound + k] { return false }
            k += 1
        }
        if plain {
            position += count
        } else {
            for _ in 0..<count { advance() }
        }
        return true
    }

    /// The literal at `position` when it is of `kind` and starts like the template's.
    private mutating func scanLiteral(_ kind: Token.Kind, startingWith startClass: UInt8) -> StatementShapes.Literal? {
        guard position < bytes.count, ShapeTemplate.startClass(bytes[position]) == startClass else { return nil }
        let start = location(at: position)
        do {
            if kind == .string {
                try scanString(from: start, quote: bytes[position])
            } else {
                try scanNumber(from: start)
            }
        } catch {
            return nil
        }
        guard let token = tokens.popLast(), token.kind == kind else { return nil }
        return StatementShapes.Literal(token, bytes: bytes)
    }
}

extension Parser {
    /// One statement from the current token, which must end at `;` or the end of input (as in `parseStatements`).
    mutating func parseOneStatement() throws(CIQLError) -> Statement {
        do throws(CIQLError) {
            let statement = try parseStatement()
            guard isAt(.semicolon) || isAt(.endOfInput) else { throw clauseExpected(afterClauses: true) }
            return statement
        } catch {
            if !isAborted, let abandoned = furthestAbandonedError,
                (abandoned.location?.offset ?? 0) > (error.location?.offset ?? 0)
            {
                throw abandoned
            }
            throw error
        }
    }
}
