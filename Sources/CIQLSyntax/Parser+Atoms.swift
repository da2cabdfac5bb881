extension Parser {
    /// The token at `position`, or the end-of-input token.
    func tokenAt(_ position: Int) -> Token {
        tokens[min(max(position, 0), tokens.count - 1)]
    }

    /// Literals, parameters, lists, maps, parentheses, pattern predicates, CASE, function calls and the special
    /// forms (`count(*)`, quantifiers, `reduce`, `EXISTS { … }`), variables and map projections.
    mutating func parseAtom() throws(CIQLError) -> Expression {
        let token = current
        let location = token.location
        switch token.kind {
        case .integer:
            advance()
            guard let value = Parser.integerValue(of: token.text) else {
                throw integerTooLarge(token.text, at: location)
            }
            return Expression(.int(value), at: location)
        case .float:
            advance()
            return Expression(.float(Double(token.text) ?? 0), at: location)
        case .string:
            advance()
            return Expression(.string(token.text), at: location)
        case .parameter:
            advance()
            return Expression(.parameter(token.text), at: location)
        case .leftBracket:
            return try parseListLike()
        case .leftBrace:
            return try parseMapLiteral()
        case .leftParen:
            if let element = try attemptPatternPredicate() {
                guard allowsPatternPredicates else {
                    let written = sourceText(from: location.offset, to: previousEnd)
                    throw CIQLError(
                        .syntax,
                        .syntax(.unexpectedSyntax), "a pattern can only be a predicate in WHERE; here use EXISTS { \(written) } or a "
                            + "pattern comprehension [\(written) | …]", at: location)
                }
                return Expression(.patternPredicate(element), at: location)
            }
            advance()
            var inner = try parseExpression()
            try expect(.rightParen, "to close the parenthesis opened at \(location)")
            // The parenthesis is the first token of what encloses it: `(a + b) * c` starts at the '('.
            inner.location = location
            return inner
        case .identifier:
            return try parseNamedAtom()
        default:
            throw expected("an expression after \(previousQuoted)")
        }
    }

    /// An atom that starts with a name: a keyword literal or form, a function call, a variable, a map projection.
    mutating func parseNamedAtom() throws(CIQLError) -> Expression {
        let token = current
        let location = token.location
        switch token.keyword {
        case .null:
            advance()
            return Expression(.null, at: location)
        case .true, .false:
            advance()
            return Expression(.bool(token.keyword == .true), at: location)
        case .case:
            return try parseCase()
        case .exists where peek().kind == .leftBrace:
            return try parseExistsSubquery()
        case .count where peek().kind == .leftParen && peek(2).kind == .star && peek(3).kind == .rightParen:
            advance()
            advance()
            advance()
            advance()
            return Expression(.countStar, at: location)
        case .all, .any, Keyword.none?, .single:
            if peek().kind == .leftParen, peek(2).kind == .identifier, peek(3).keyword == .in {
                return try parseQuantifier()
            }
        case .reduce:
            if peek().kind == .leftParen, peek(2).kind == .identifier, peek(3).kind == .equal {
                return try parseReduce()
            }
        default:
            break
        }
        if token.keyword?.isReserved ?? false {
            throw expected("an expression after \(previousQuoted)")
        }
        var end = index
        while tokenAt(end + 1).kind == .dot, tokenAt(end + 2).kind == .identifier { end += 2 }
        if tokenAt(end + 1).kind == .leftParen { return try parseFunctionCall() }
        advance()
        let variable = Name(token.text, at: location)
        if isAt(.leftBrace) { return try parseMapProjection(of: variable) }
        return Expression(.variable(token.text), at: location)
    }

    /// `name.space.function([DISTINCT] args)`.
    mutating func parseFunctionCall() throws(CIQLError) -> Expression {
        let first = advance()
        var name = first.text
        while accept(.dot) { name += "." + advance().text }
        let open = advance()
        let distinct = accept(.distinct)
        var arguments: [Expression] = []
        if !isAt(.rightParen) { arguments = try parseExpressionList() }
        try expect(.rightParen, "to close the arguments of '\(name)' opened at \(open.location)")
        return Expression(
            .function(name: Name(name, at: first.location), distinct: distinct, arguments: arguments),
            at: first.location)
    }

    /// `CASE [subject] WHEN … THEN … [ELSE …] END`.
    mutating func parseCase() throws(CIQLError) -> Expression {
        let start = advance()
        let subject = isAt(.when) ? nil : try parseExpression()
        var branches: [(when: Expression, then: Expression)] = []
        while accept(.when) {
            let condition = try parseExpression()
            try expect(.then, "after the WHEN condition")
            branches.append((when: condition, then: try parseExpression()))
        }
        guard !branches.isEmpty else { throw expected("WHEN in the CASE opened at \(start.location)") }
        let otherwise = accept(.else) ? try parseExpression() : nil
        try expect(.end, "to close the CASE opened at \(start.location)")
        return Expression(.caseWhen(subject: subject, branches: branches, otherwise: otherwise), at: start.location)
    }

    /// `all|any|none|single(x IN list [WHERE pred])`.
    mutating func parseQuantifier() throws(CIQLError) -> Expression {
        let start = advance()
        let quantifier: Quantifier =
            switch start.keyword {
            case .all: .all
            case .any: .any
            case Keyword.none?: .none
            default: .single
            }
        let open = advance()
        let variable = try parseVariable("in the quantifier")
        try expect(.in, "after the variable")
        let list = try parseExpression()
        let condition = accept(.where) ? try parseWhereCondition() : nil
        try expect(.rightParen, "to close '\(start.text)(' opened at \(open.location)")
        return Expression(
            .quantifier(quantifier, variable: variable, list: list, where: condition), at: start.location)
    }

    /// `reduce(acc = init, x IN list | expr)`.
    mutating func parseReduce() throws(CIQLError) -> Expression {
        let start = advance()
        let open = advance()
        let accumulator = try parseVariable("for the accumulator of reduce")
        try expect(.equal, "after the accumulator of reduce")
        let initial = try parseExpression()
        try expect(.comma, "after the initial value of reduce")
        let variable = try parseVariable("for the element of reduce")
        try expect(.in, "after the element variable of reduce")
        let list = try parseExpression()
        try expect(.pipe, "before the expression of reduce")
        let map = try parseExpression()
        try expect(.rightParen, "to close 'reduce(' opened at \(open.location)")
        return Expression(
            .reduce(accumulator: accumulator, initial: initial, variable: variable, list: list, map: map),
            at: start.location)
    }

    /// `EXISTS { [MATCH] pattern [WHERE expr] }` or `EXISTS { query }`.
    mutating func parseExistsSubquery() throws(CIQLError) -> Expression {
        let start = advance()
        let open = advance()
        if let k = current.keyword, [Keyword.match, .optional, .with, .unwind].contains(k) {
            let query = try parseQuery()
            try expect(.rightBrace, "to close the EXISTS opened at \(open.location)")
            if query.parts.count == 1, let part = query.parts.first, part.clauses.count == 1,
                case .match(false, let pattern, let condition) = part.clauses[0].kind
            {
                return Expression(.exists(pattern: pattern, where: condition), at: start.location)
            }
            return Expression(.existsQuery(query), at: start.location)
        }
        let pattern = try parsePattern()
        let condition = accept(.where) ? try parseWhereCondition() : nil
        try expect(.rightBrace, "to close the EXISTS opened at \(open.location)")
        return Expression(.exists(pattern: pattern, where: condition), at: start.location)
    }

    // MARK: - Lists and maps

    /// A list literal, a list comprehension `[x IN l WHERE p | e]` or a pattern comprehension
    /// `[p = (a)-->(b) WHERE p | e]`.
    mutating func parseListLike() throws(CIQLError) -> Expression {
        let open = current
        if peek().kind == .identifier, !(peek().keyword?.isReserved ?? false), peek(2).keyword == .in {
            advance()
            let variable = try parseVariable("")
            advance()
            let list = try parseExpression()
            let condition = accept(.where) ? try parseWhereCondition() : nil
            let map = accept(.pipe) ? try parseExpression() : nil
            try expect(.rightBracket, "to close the list comprehension opened at \(open.location)")
            return Expression(
                .listComprehension(variable: variable, list: list, where: condition, map: map), at: open.location)
        }
        if let (pathVariable, element) = try attemptPatternComprehensionHead() {
            let condition = accept(.where) ? try parseWhereCondition() : nil
            try expect(.pipe, "before the expression of the pattern comprehension")
            let map = try parseExpression()
            try expect(.rightBracket, "to close the pattern comprehension opened at \(open.location)")
            return Expression(
                .patternComprehension(pathVariable: pathVariable, pattern: element, where: condition, map: map),
                at: open.location)
        }
        advance()
        var items: [Expression] = []
        if !isAt(.rightBracket) { items = try parseExpressionList() }
        try expect(.rightBracket, "to close the list opened at \(open.location)")
        return Expression(.list(items), at: open.location)
    }

    /// `{key: expr, …}`.
    mutating func parseMapLiteral() throws(CIQLError) -> Expression {
        try enter()
        defer { leave() }
        let open = advance()
        var entries: [(key: String, value: Expression)] = []
        if !isAt(.rightBrace) {
            repeat {
                let key = try parseSymbolicName("a property key in the map")
                try expect(.colon, "after the key '\(key.text)'")
                entries.append((key: key.text, value: try parseExpression()))
            } while accept(.comma)
        }
        try expect(.rightBrace, "to close the map opened at \(open.location)")
        return Expression(.map(entries), at: open.location)
    }

    /// `n {.key, alias: expr, variable, .*}`.
    mutating func parseMapProjection(of variable: Name) throws(CIQLError) -> Expression {
        let open = advance()
        var items: [MapProjectionItem] = []
        if !isAt(.rightBrace) {
            repeat {
                if accept(.dot) {
                    if accept(.star) {
                        items.append(.allProperties)
                    } else {
                        items.append(.property(try parseSymbolicName("a property key after '.'")))
                    }
                } else {
                    let name = try parseSymbolicName("'.key', 'key: expression' or a variable in the map projection")
                    if accept(.colon) {
                        items.append(.literal(key: name.text, value: try parseExpression()))
                    } else {
                        items.append(.variable(name))
                    }
                }
            } while accept(.comma)
        }
        try expect(.rightBrace, "to close the map projection opened at \(open.location)")
        return Expression(.mapProjection(variable: variable, items: items), at: variable.location)
    }
}
