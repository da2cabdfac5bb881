import Spelling

/// A recursive-descent parser over the tokens of one CIQL text, written from `grammar/ciql.ebnf`.
///
/// Expressions use precedence climbing (`Parser+Expressions.swift`). After a syntax error the parser skips to the next
/// clause and goes on, and throws the first error with the others (`Parser+Recovery.swift`); every loop consumes a
/// token or exits, and nesting deeper than `maximumDepth` is an error, so no input makes
/// it loop or overflow the stack.
struct Parser {
    /// How deep the syntax tree may be: nesting of expressions, patterns and lists, plus the length of operator
    /// chains (`a OR b OR …` and `a.b.c…` nest to the left). Deep enough for any query a person writes; it bounds
    /// the parser's recursion and that of every later walk over the tree (including its deallocation), which would
    /// otherwise overflow the stack on machine-made input.
    static let maximumDepth = 500
    /// How many clauses, pattern parts and relationships and UNION parts a statement may have in all. Each is (at
    /// most) an operator of the plan, run by the one before it, so they bound the executor's recursion as
    /// `maximumDepth` bounds the parser's. Three thousand is past what a person writes (the TCK's longest statement,
    /// a script of 785 CREATE clauses, counts about 1,500) and runs on any thread's stack, even in a debug build.
    static let maximumPlanSteps = 3000

    let tokens: [Token]
    let source: [UInt8]
    var index = 0
    var depth = 0
    /// Clauses, pattern parts and relationships and UNION parts of the statement parsed so far (see
    /// `maximumPlanSteps`).
    var planSteps = 0
    /// Set when the nesting limit is hit, so backtracking does not swallow that error and retry.
    var isAborted = false
    /// Token indexes (times 2, plus the attempt kind) where trying a pattern failed, so nested attempts that fail
    /// are not retried (keeps backtracking linear instead of exponential).
    var failedAttempts: Set<Int> = []
    /// Whether the expression being parsed is (inside) a WHERE condition, the only place a bare pattern may stand
    /// as a predicate (openCypher: elsewhere it is a syntax error; use `EXISTS { … }` or a pattern comprehension).
    var allowsPatternPredicates = false
    /// The error of the abandoned attempt (a pattern read where an expression could also be) that got furthest.
    var furthestAbandonedError: CIQLError?
    /// For each `(` token, the index of its matching `)` (or -1), computed on first use.
    var closingParens: [Int] = []

    /// The address of a local in the frame that created the parser; the stack grows down from about here.
    let stackStart: Int
    /// The most stack the parser's recursion may use. The depth limit alone would do in release builds, whose
    /// frames are small; debug frames are far larger (measured: about 17 KiB per nested '[' on Swift 6.3), so
    /// this cuts nesting at about 240 levels there. Linux gives the main thread and Swift's cooperative threads
    /// 8 MiB stacks.
    static let stackBudget = 4 * 1024 * 1024

    init(tokens: [Token], source: [UInt8]) {
        self.tokens = tokens
        self.source = source
        self.stackStart = Parser.stackAddress()
    }

    /// An address near the top of the current stack frame.
    @inline(never)
    static func stackAddress() -> Int {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { Int(bitPattern: $0) }
    }

    // MARK: - Tokens

    var current: Token { tokens[index] }

    /// The token `offset` places ahead (the end-of-input token past the end).
    func peek(_ offset: Int = 1) -> Token {
        tokens[min(index + offset, tokens.count - 1)]
    }

    /// Moves past the current token (never past the end of the input) and returns it.
    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func isAt(_ kind: Token.Kind) -> Bool { tokens[index].kind == kind }

    func isAt(_ keyword: Keyword) -> Bool { tokens[index].keyword == keyword }

    /// Consumes the current token when it is `kind`.
    mutating func accept(_ kind: Token.Kind) -> Bool {
        guard isAt(kind) else { return false }
        advance()
        return true
    }

    mutating func accept(_ keyword: Keyword) -> Bool {
        guard isAt(keyword) else { return false }
        advance()
        return true
    }

    /// Consumes `kind` or throws "expected '<kind>' <context>, found …".
    @discardableResult
    mutating func expect(_ kind: Token.Kind, _ context: String) throws(CIQLError) -> Token {
        guard isAt(kind) else { throw expected("'\(kind.spelling)' \(context)") }
        return advance()
    }

    mutating func expect(_ keyword: Keyword, _ context: String) throws(CIQLError) {
        guard isAt(keyword) else { throw expected("\(keyword.rawValue) \(context)") }
        advance()
    }

    /// "expected <what>, found <current token>" at the current token.
    func expected(_ what: String) -> CIQLError {
        CIQLError(.syntax, .syntax(.unexpectedSyntax), "expected \(what), found \(current.quoted)", at: current.location)
    }

    /// The source text of the previous token, quoted, for messages such as "after 'WHERE'".
    var previousQuoted: String {
        guard index > 0 else { return "the start" }
        let token = tokens[index - 1]
        return "'" + sourceText(from: token.location.offset, to: token.end) + "'"
    }

    func sourceText(from start: Int, to end: Int) -> String {
        guard start <= end, end <= source.count else { return "" }
        return String(decoding: source[start..<end], as: UTF8.self)
    }

    /// UTF-8 offset just past the previous token.
    var previousEnd: Int { index > 0 ? tokens[index - 1].end : 0 }

    // MARK: - Nesting

    /// Counts one level of nesting; pair with `leave()`.
    mutating func enter() throws(CIQLError) {
        depth += 1
        if depth > Parser.maximumDepth {
            isAborted = true
            throw CIQLError(
                .syntax, .limit(.nestingDepth), "the statement nests too deeply (more than \(Parser.maximumDepth) levels)",
                at: current.location)
        }
        if stackStart &- Parser.stackAddress() > Parser.stackBudget {
            isAborted = true
            throw CIQLError(
                .syntax, .limit(.nestingDepth), "the statement nests too deeply (\(depth) levels use up the parser's stack)",
                at: current.location)
        }
    }

    mutating func leave() { depth -= 1 }

    /// Counts one more operator in a left-nested chain; the caller undoes its count with `leave(count:)`.
    mutating func extendChain() throws(CIQLError) {
        depth += 1
        if depth >= Parser.maximumDepth {
            isAborted = true
            throw CIQLError(
                .syntax,
                .limit(.nestingDepth), "the expression is too long: more than \(Parser.maximumDepth) operators or lookups in a row; "
                    + "for many alternatives use IN with a list", at: current.location)
        }
    }

    mutating func leave(count: Int) { depth -= count }

    /// Counts one more clause, pattern relationship or UNION part of the statement.
    mutating func countPlanStep() throws(CIQLError) {
        planSteps += 1
        if planSteps > Parser.maximumPlanSteps {
            isAborted = true
            throw CIQLError(
                .syntax, .limit(.tooLarge),
                "the statement is too long: more than \(Parser.maximumPlanSteps) clauses, patterns, pattern relationships "
                    + "and UNION parts in all; split it into several statements, or UNWIND a list parameter", at: current.location)
        }
    }

    /// Counts one more relationship in a pattern chain; undone with `leave(count:)` once the chain is parsed.
    mutating func extendPattern() throws(CIQLError) {
        depth += 1
        if depth >= Parser.maximumDepth {
            isAborted = true
            throw CIQLError(
                .syntax, .limit(.nestingDepth),
                "the pattern is too long: more than \(Parser.maximumDepth) relationships in a row, or nested that deep",
                at: current.location)
        }
    }

    /// The index of the `)` matching the `(` at `open`, or nil.
    mutating func closingParen(of open: Int) -> Int? {
        if closingParens.isEmpty {
            closingParens = [Int](repeating: -1, count: tokens.count)
            var stack: [Int] = []
            for (i, token) in tokens.enumerated() {
                if token.kind == .leftParen {
                    stack.append(i)
                } else if token.kind == .rightParen, let opened = stack.popLast() {
                    closingParens[opened] = i
                }
            }
        }
        let close = closingParens[open]
        return close >= 0 ? close : nil
    }

    // MARK: - Names

    /// A name in a position where any word is fine: labels, relation types, property keys, procedure names.
    mutating func parseSymbolicName(_ what: String) throws(CIQLError) -> Name {
        guard isAt(.identifier) else { throw expected(what) }
        let token = advance()
        return Name(token.text, at: token.location)
    }

    /// Whether the current token can be a variable: a name that is not a reserved keyword.
    var isAtVariable: Bool {
        let token = current
        return token.kind == .identifier && !(token.keyword?.isReserved ?? false)
    }

    mutating func parseVariable(_ context: String) throws(CIQLError) -> Name {
        guard isAtVariable else { throw expected("a variable name \(context)") }
        let token = advance()
        return Name(token.text, at: token.location)
    }

    // MARK: - Statements

    mutating func parseStatement() throws(CIQLError) -> Statement {
        planSteps = 0  // the limit is per statement, not per script
        let start = current.location
        var mode = ExecutionMode.run
        if accept(.explain) {
            mode = .explain
        } else if accept(.profile) {
            mode = .profile
        }
        var changeReference: String?
        var asOf: AsOf?
        while true {
            if isAt(.using) {
                let usingToken = advance()
                try expect(.change, "after USING")
                guard isAt(.string) else { throw expected("the change reference as a string after USING CHANGE") }
                guard changeReference == nil else {
                    throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "USING CHANGE is given twice", at: usingToken.location)
                }
                changeReference = advance().text
            } else if isAt(.as), peek().keyword == .of {
                let asToken = current
                let parsed = try parseAsOf()
                guard asOf == nil else { throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "AS OF is given twice", at: asToken.location) }
                asOf = parsed
            } else {
                break
            }
        }
        let body = try parseStatementBody()
        if isAt(.as), peek().keyword == .of {
            let asToken = current
            let parsed = try parseAsOf()
            guard asOf == nil else { throw CIQLError(.syntax, .syntax(.unexpectedSyntax), "AS OF is given twice", at: asToken.location) }
            asOf = parsed
        }
        return Statement(mode: mode, changeReference: changeReference, asOf: asOf, body: body, location: start)
    }

    /// `AS OF expr`, `AS OF TX expr`, `AS OF BASELINE expr`.
    mutating func parseAsOf() throws(CIQLError) -> AsOf {
        advance()
        advance()
        if isAt(.tx), peekStartsExpression() {
            advance()
            return .transaction(try parseExpression())
        }
        if isAt(.baseline), peekStartsExpression() {
            advance()
            return .baseline(try parseExpression())
        }
        return .time(try parseExpression())
    }

    /// Whether the token after the current one can begin an expression (so `TX` is the keyword, not a variable).
    func peekStartsExpression() -> Bool {
        switch peek().kind {
        case .integer, .float, .string, .parameter, .leftParen, .leftBracket, .leftBrace, .minus, .plus: return true
        case .identifier: return !(peek().keyword?.isReserved ?? false) || peek().keyword == .null
        default: return false
        }
    }

    mutating func parseStatementBody() throws(CIQLError) -> StatementBody {
        switch current.keyword {
        case .create where peek().keyword == .baseline && peek(2).kind != .equal:
            advance()
            advance()
            let name = try parseExpression()
            var description: Expression?
            if accept(.description) { description = try parseExpression() }
            return .createBaseline(name: name, description: description)
        case .show:
            advance()
            if accept(.baselines) { return .showBaselines }
            if accept(.classes) { return .showClasses }
            if accept(.relation) {
                try expect(.types, "after SHOW RELATION")
                return .showRelationTypes
            }
            throw expected("BASELINES, CLASSES or RELATION TYPES after SHOW")
        case .diff:
            advance()
            try expect(.baseline, "after DIFF")
            // Above AND, so `DIFF BASELINE 'a' AND 'b'` is two operands, not a conjunction.
            let first = try parseExpression(minimumPrecedence: .not)
            var second: Expression?
            if accept(.and) { second = try parseExpression(minimumPrecedence: .not) }
            return .diffBaseline(first, second)
        case .describe:
            advance()
            try expect(.class, "after DESCRIBE")
            return .describeClass(try parseSymbolicName("a class name after DESCRIBE CLASS"))
        default:
            return .query(try parseQuery())
        }
    }

    /// Single queries joined by `UNION [ALL]`.
    mutating func parseQuery() throws(CIQLError) -> Query {
        var parts = [try parseSingleQuery()]
        var unionAll: [Bool] = []
        while isAt(.union) {
            let union = advance()
            let all = accept(.all)
            if let first = unionAll.first, first != all {
                throw CIQLError(.syntax, .syntax(.invalidClauseComposition), "UNION and UNION ALL cannot be mixed in one query", at: union.location)
            }
            unionAll.append(all)
            try countPlanStep()
            parts.append(try parseSingleQuery())
        }
        return Query(parts: parts, unionAll: unionAll)
    }

    mutating func parseSingleQuery() throws(CIQLError) -> SingleQuery {
        let start = current.location
        var clauses: [Clause] = []
        while let clause = try parseClause() {
            try countPlanStep()
            clauses.append(clause)
        }
        guard !clauses.isEmpty else { throw clauseExpected(afterClauses: false) }
        if clauses.count > 1 {
            for clause in clauses {
                if case .call(let call) = clause.kind, call.yieldsAll {
                    throw CIQLError(
                        .syntax, .syntax(.unexpectedSyntax), "YIELD * is only allowed when CALL is the whole query; name the columns to use",
                        at: clause.location)
                }
            }
        }
        return SingleQuery(clauses: clauses, location: start)
    }

    // MARK: - Errors at clause position

    /// The error for a token that stands where a clause (or, after clauses, the end of the statement) should.
    func clauseExpected(afterClauses: Bool) -> CIQLError {
        let token = current
        if token.kind == .identifier, token.keyword == nil || !afterClauses,
            let suggestion = Parser.closestKeyword(to: token.text)
        {
            return CIQLError(
                .syntax, .syntax(.unexpectedSyntax), "unknown keyword '\(token.text)'; did you mean \(suggestion.rawValue)?", at: token.location)
        }
        if afterClauses {
            return expected("a clause, ';' or the end of the input after \(previousQuoted)")
        }
        return expected("a clause such as MATCH, CREATE or RETURN")
    }

    /// The clause keyword spelled most like `word` (at most one edit for short words, two for longer), if any.
    static func closestKeyword(to word: String) -> Keyword? {
        let upper = Array(word.uppercased().utf8)
        guard upper.count >= 2, upper.count <= 20 else { return nil }
        let limit = upper.count <= 4 ? 1 : 2
        var best: (Keyword, Int)?
        for keyword in Keyword.clauseStarters where abs(keyword.rawValue.utf8.count - upper.count) <= limit {
            let distance = editDistance(upper, Array(keyword.rawValue.utf8))
            if distance > 0, distance <= limit, distance < (best?.1 ?? Int.max) { best = (keyword, distance) }
        }
        return best?.0
    }
}
