extension Parser {
    /// The clause at the current token, or nil when the current token does not start one.
    mutating func parseClause() throws(CIQLError) -> Clause? {
        let start = current.location
        let kind: ClauseKind
        switch current.keyword {
        case .match:
            advance()
            kind = try parseMatch(optional: false)
        case .optional:
            advance()
            try expect(.match, "after OPTIONAL")
            kind = try parseMatch(optional: true)
        case .unwind:
            advance()
            let list = try parseExpression()
            try expect(.as, "after the list of UNWIND")
            kind = .unwind(list, variable: try parseVariable("after UNWIND … AS"))
        case .with:
            advance()
            let projection = try parseProjection(clause: "WITH")
            var condition: Expression?
            if accept(.where) { condition = try parseWhereCondition() }
            kind = .with(projection, where: condition)
        case .return:
            advance()
            kind = .return(try parseProjection(clause: "RETURN"))
        case .create:
            advance()
            kind = .create(try parsePattern())
        case .merge:
            advance()
            kind = try parseMerge()
        case .set:
            advance()
            kind = .set(try parseSetItems())
        case .remove:
            advance()
            kind = .remove(try parseRemoveItems())
        case .delete:
            advance()
            kind = .delete(try parseExpressionList(), detach: false)
        case .detach:
            advance()
            try expect(.delete, "after DETACH")
            kind = .delete(try parseExpressionList(), detach: true)
        case .call:
            advance()
            kind = .call(try parseProcedureCall())
        default:
            return nil
        }
        return Clause(kind, at: start)
    }

    mutating func parseMatch(optional: Bool) throws(CIQLError) -> ClauseKind {
        let pattern = try parsePattern()
        var condition: Expression?
        if accept(.where) { condition = try parseWhereCondition() }
        return .match(optional: optional, pattern: pattern, where: condition)
    }

    /// `expr, expr, …` (at least one).
    mutating func parseExpressionList() throws(CIQLError) -> [Expression] {
        var list = [try parseExpression()]
        while accept(.comma) { list.append(try parseExpression()) }
        return list
    }

    // MARK: - WITH and RETURN

    mutating func parseProjection(clause: String) throws(CIQLError) -> Projection {
        var projection = Projection(items: [])
        projection.distinct = accept(.distinct)
        if accept(.star) {
            projection.includesAll = true
            if accept(.comma) { projection.items = try parseProjectionItems() }
        } else {
            projection.items = try parseProjectionItems()
        }
        if isAt(.order) {
            advance()
            try expect(.by, "after ORDER")
            repeat {
                let expression = try parseExpression()
                var descending = false
                if accept(.desc) || accept(.descending) {
                    descending = true
                } else if !accept(.asc) {
                    _ = accept(.ascending)
                }
                projection.orderBy.append(SortItem(expression: expression, descending: descending))
            } while accept(.comma)
        }
        if accept(.skip) { projection.skip = try parseExpression() }
        if accept(.limit) { projection.limit = try parseExpression() }
        return projection
    }

    mutating func parseProjectionItems() throws(CIQLError) -> [ProjectionItem] {
        var items: [ProjectionItem] = []
        repeat {
            let startOffset = current.location.offset
            let expression = try parseExpression()
            let text = sourceText(from: startOffset, to: previousEnd)
            var alias: Name?
            // `AS OF …` after the last item is the statement's time-travel suffix, not an alias named OF.
            if isAt(.as), !(peek().keyword == .of && startsAsOfOperand(peek(2))) {
                advance()
                alias = try parseVariable("after AS")
            }
            items.append(ProjectionItem(expression: expression, alias: alias, text: text))
        } while accept(.comma)
        return items
    }

    /// Whether `token`, following `AS OF`, begins a point in time rather than following an alias named `OF`.
    func startsAsOfOperand(_ token: Token) -> Bool {
        switch token.kind {
        case .comma, .semicolon, .endOfInput: return false
        case .identifier:
            switch token.keyword {
            case .order, .skip, .limit, .union, .where, .match, .optional, .with, .return, .create, .merge, .set,
                .remove, .delete, .detach, .call, .unwind:
                return false
            default:
                return true
            }
        default:
            return true
        }
    }

    // MARK: - Writing clauses

    mutating func parseMerge() throws(CIQLError) -> ClauseKind {
        let part = try parsePatternPart()
        var onCreate: [SetItem] = []
        var onMatch: [SetItem] = []
        while isAt(.on) {
            advance()
            if accept(.create) {
                try expect(.set, "after ON CREATE")
                onCreate += try parseSetItems()
            } else if accept(.match) {
                try expect(.set, "after ON MATCH")
                onMatch += try parseSetItems()
            } else {
                throw expected("CREATE or MATCH after ON")
            }
        }
        return .merge(part, onCreate: onCreate, onMatch: onMatch)
    }

    mutating func parseSetItems() throws(CIQLError) -> [SetItem] {
        var items: [SetItem] = []
        repeat {
            if isAtVariable {
                switch peek().kind {
                case .equal:
                    let variable = try parseVariable("")
                    advance()
                    items.append(.replaceProperties(variable: variable, value: try parseExpression()))
                    continue
                case .plusEqual:
                    let variable = try parseVariable("")
                    advance()
                    items.append(.mergeProperties(variable: variable, value: try parseExpression()))
                    continue
                case .colon:
                    let variable = try parseVariable("")
                    items.append(.labels(variable: variable, labels: try parseLabels()))
                    continue
                default:
                    break
                }
            }
            let target = try parsePropertyTarget(clause: "SET")
            try expect(.equal, "after the property to set")
            items.append(.property(target: target, value: try parseExpression()))
        } while accept(.comma)
        return items
    }

    mutating func parseRemoveItems() throws(CIQLError) -> [RemoveItem] {
        var items: [RemoveItem] = []
        repeat {
            if isAtVariable, peek().kind == .colon {
                let variable = try parseVariable("")
                items.append(.labels(variable: variable, labels: try parseLabels()))
            } else {
                items.append(.property(try parsePropertyTarget(clause: "REMOVE")))
            }
        } while accept(.comma)
        return items
    }

    /// `n.key` (or any expression ending in a property lookup) as the target of SET or REMOVE.
    mutating func parsePropertyTarget(clause: String) throws(CIQLError) -> Expression {
        let start = current
        let target = try parsePostfixExpression()
        guard case .property = target.kind else {
            throw CIQLError(
                .syntax,
                .syntax(.unexpectedSyntax), "expected a property such as 'n.key' or a label such as 'n:Class' in \(clause), found "
                    + "\(start.quoted)", at: start.location)
        }
        return target
    }

    /// `:A:B` (at least one label).
    mutating func parseLabels() throws(CIQLError) -> [Name] {
        var labels: [Name] = []
        while accept(.colon) { labels.append(try parseSymbolicName("a class name after ':'")) }
        return labels
    }

    // MARK: - CALL

    mutating func parseProcedureCall() throws(CIQLError) -> ProcedureCall {
        let first = try parseSymbolicName("a procedure name after CALL")
        var name = first.text
        while isAt(.dot) {
            advance()
            name += "." + (try parseSymbolicName("a name after '.' in the procedure name")).text
        }
        var arguments: [Expression]?
        if isAt(.leftParen) {
            let open = advance()
            var list: [Expression] = []
            if !isAt(.rightParen) { list = try parseExpressionList() }
            try expect(.rightParen, "to close the arguments opened at \(open.location)")
            arguments = list
        }
        var call = ProcedureCall(name: Name(name, at: first.location), arguments: arguments, yield: nil)
        if accept(.yield) {
            if accept(.star) {
                call.yieldsAll = true
                call.yield = []
            } else {
                var items: [YieldItem] = []
                repeat {
                    let field = try parseSymbolicName("a result column after YIELD")
                    var alias: Name?
                    if accept(.as) { alias = try parseVariable("after AS") }
                    items.append(YieldItem(field: field, alias: alias))
                } while accept(.comma)
                call.yield = items
            }
            if accept(.where) { call.where_ = try parseWhereCondition() }
        }
        return call
    }
}
