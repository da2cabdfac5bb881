/// Recovery after a syntax error, so one pass reports several: the parser records the error, skips to the next
/// clause keyword or `;` outside the brackets it is in, and parses on from there (as swift-syntax does, the
/// rest of the statement is read for errors, not for meaning). Lexical errors (an unterminated string) still
/// stop at the first, since the tokens after one are not trustworthy.
extension Parser {
    /// At most this many errors are reported for one text; past it the rest is not read.
    static let maximumErrors = 10

    /// The keywords that start a clause; recovery resumes at one of them.
    static let resumingKeywords: Set<Keyword> = [
        .match, .optional, .unwind, .with, .return, .create, .merge, .set, .remove, .delete, .detach, .call, .union,
    ]

    /// Parses the statements, recovering after each syntax error; throws the first error with the others in
    /// `further`.
    mutating func parseStatements() throws(CIQLError) -> [Statement] {
        var statements: [Statement] = []
        var errors: [CIQLError] = []
        while true {
            while accept(.semicolon) {}
            if isAt(.endOfInput) { break }
            let start = index
            furthestAbandonedError = nil
            do throws(CIQLError) {
                statements.append(try parseStatement())
                guard isAt(.semicolon) || isAt(.endOfInput) else { throw clauseExpected(afterClauses: true) }
            } catch {
                var reported = error
                if !isAborted, let abandoned = furthestAbandonedError,
                    (abandoned.location?.offset ?? 0) > (error.location?.offset ?? 0)
                {
                    reported = abandoned
                }
                // Two errors at one place are one mistake seen twice.
                if errors.last?.location != reported.location { errors.append(reported) }
                if isAborted || errors.count >= Self.maximumErrors { break }
                resynchronize(after: reported, statementStart: start)
            }
        }
        guard var first = errors.first else { return statements }
        first.further = Array(errors.dropFirst())
        throw first
    }

    /// Moves to where parsing can go on after `error`: the next `;`, or the next clause keyword that is not
    /// inside brackets opened after the error, past the statement's first token. At the end of the input
    /// when there is neither.
    mutating func resynchronize(after error: CIQLError, statementStart: Int) {
        let errorOffset = error.location?.offset ?? current.location.offset
        var i = max(index, tokens.firstIndex { $0.location.offset >= errorOffset } ?? index)
        // The statement's own first keyword is where this attempt began; going back there would loop.
        if i <= statementStart { i = statementStart + 1 }
        var depth = 0
        while i < tokens.count - 1 {
            let token = tokens[i]
            switch token.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            case .semicolon:
                index = i
                return
            case .identifier where depth <= 0 && isClauseStart(at: i):
                index = i
                if token.keyword == .union {
                    advance()
                    _ = accept(.all)
                }
                return
            default: break
            }
            i += 1
        }
        index = tokens.count - 1
    }

    /// Whether the keyword at `i` begins a clause rather than being part of one (`ON CREATE`, `STARTS WITH`,
    /// `DETACH DELETE`, `OPTIONAL MATCH`) or a name (`n.set`, `AS match`, `{create: 1}`).
    func isClauseStart(at i: Int) -> Bool {
        guard let keyword = tokens[i].keyword, Self.resumingKeywords.contains(keyword) else { return false }
        if i + 1 < tokens.count, tokens[i + 1].kind == .colon { return false }
        guard i > 0 else { return true }
        let previous = tokens[i - 1]
        if previous.kind == .dot || previous.kind == .colon { return false }
        switch (previous.keyword, keyword) {
        case (.on, _), (.as, _): return false
        case (.starts, .with), (.ends, .with), (.detach, .delete), (.optional, .match): return false
        default: return true
        }
    }
}
