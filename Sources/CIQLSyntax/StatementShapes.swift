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
        package var key: String?
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
            var key = ""
            var literals: [Literal] = []
            var hasKey = true
            while i < tokens.count, tokens[i].kind != .semicolon, tokens[i].kind != .endOfInput {
                let token = tokens[i]
                let spelling = String(decoding: bytes[token.location.offset..<token.end], as: UTF8.self)
                switch token.kind {
                case .integer:
                    if let value = Parser.integerValue(of: token.text) {
                        literals.append(Literal(offset: token.location.offset, spelling: spelling, value: .int(value)))
                    } else {
                        hasKey = false
                    }
                    key += "\u{1}i"
                case .float:
                    literals.append(Literal(offset: token.location.offset, spelling: spelling,
                        value: .float(Double(token.text) ?? 0)))
                    key += "\u{1}f"
                case .string:
                    literals.append(Literal(offset: token.location.offset, spelling: spelling, value: .string(token.text)))
                    key += "\u{1}s"
                case .identifier:
                    // A quoted name is never a keyword: keep the two apart.
                    key += token.keyword == nil ? "\u{2}" : "\u{3}"
                    key += token.text
                case .parameter:
                    key += "\u{4}"
                    key += token.text
                default:
                    key += "\u{5}"
                    key += token.kind.spelling
                }
                i += 1
            }
            shapes.append(Shape(key: hasKey ? key : nil, literals: literals, firstToken: first, endToken: i,
                location: tokens[first].location))
        }
        statements = shapes
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
