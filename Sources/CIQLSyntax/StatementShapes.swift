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
    /// in source order, and where its tokens start.
    package struct Shape {
        package var key: [UInt8]?
        package var literals: [Literal]
        /// Index of the statement's first token.
        package var firstToken: Int
        /// Index just past its last token (the `;` or end of input that ends it).
        package var endToken: Int
        package var location: SourceLocation
    }

    private let bytes: [UInt8]
    private let tokens: [Token]
    package let statements: [Shape]

    /// Lexes `text` and splits it into statements at `;`.
    ///
    /// - Throws: the lexer's `CIQLError` (the same error `CIQLParser.parse` would throw).
    package init(_ text: String) throws(CIQLError) {
        bytes = Array(text.utf8)
        tokens = try CIQLLexer.tokenize(bytes)
        var shapes: [Shape] = []
        var i = 0
        while i < tokens.count, tokens[i].kind != .endOfInput {
            if tokens[i].kind == .semicolon {
                i += 1
                continue
            }
            let first = i
            var key: [UInt8] = []
            var literals: [Literal] = []
            var hasKey = true
            while i < tokens.count, tokens[i].kind != .semicolon, tokens[i].kind != .endOfInput {
                let token = tokens[i]
                switch token.kind {
                case .integer, .float, .string:
                    let spelling = String(decoding: bytes[token.location.offset..<token.end], as: UTF8.self)
                    let value: Literal.Value?
                    switch token.kind {
                    case .integer: value = Parser.integerValue(of: token.text).map(Literal.Value.int)
                    case .float: value = .float(Double(token.text) ?? 0)
                    default: value = .string(token.text)
                    }
                    if let value {
                        literals.append(Literal(offset: token.location.offset, spelling: spelling, value: value))
                    } else {
                        hasKey = false
                    }
                    key.append(1)
                    key.append(token.kind == .integer ? 0x69 : token.kind == .float ? 0x66 : 0x73)
                case .identifier:
                    // A quoted name is never a keyword: keep the two apart. Names are length-prefixed, so no two
                    // token sequences give one key (a quoted name may hold any byte).
                    key.append(token.keyword == nil ? 2 : 3)
                    Self.appendName(token.text, to: &key)
                case .parameter:
                    key.append(4)
                    Self.appendName(token.text, to: &key)
                default:
                    key.append(5)
                    key.append(contentsOf: token.kind.spelling.utf8)
                }
                i += 1
            }
            shapes.append(Shape(
                key: hasKey ? key : nil, literals: literals, firstToken: first,
                endToken: i, location: tokens[first].location))
        }
        statements = shapes
    }

    private static func appendName(_ name: String, to key: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: name.utf8.count)
        withUnsafeBytes(of: count.bigEndian) { key.append(contentsOf: $0) }
        key.append(contentsOf: name.utf8)
    }

    /// Parses statement `index`, exactly as `CIQLParser.parse` parses it inside the whole text.
    package func parse(_ index: Int) throws(CIQLError) -> Statement {
        var parser = Parser(tokens: tokens, source: bytes)
        parser.index = statements[index].firstToken
        return try parser.parseOneStatement()
    }

    /// The offsets of statement `index`'s tokens, relative to its first token, in order.
    package func tokenOffsets(_ index: Int) -> [Int] {
        let shape = statements[index]
        let base = tokens[shape.firstToken].location.offset
        return tokens[shape.firstToken..<shape.endToken].map { $0.location.offset - base }
    }

    /// Where token `position` (counted from the first token of statement `index`) is, if the statement has it.
    package func location(ofToken position: Int, inStatement index: Int) -> SourceLocation? {
        let shape = statements[index]
        guard position >= 0, shape.firstToken + position < shape.endToken else { return nil }
        return tokens[shape.firstToken + position].location
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
