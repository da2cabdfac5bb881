extension Parser {
    /// `part, part, …`.
    mutating func parsePattern() throws(CIQLError) -> [PatternPart] {
        var parts = [try parsePatternPart()]
        while accept(.comma) {
            try countPlanStep()  // each part is one more operator of the plan
            parts.append(try parsePatternPart())
        }
        return parts
    }

    /// `[p =] element`, `[p =] shortestPath(element)`, `[p =] allShortestPaths(element)`.
    mutating func parsePatternPart() throws(CIQLError) -> PatternPart {
        let start = current.location
        var pathVariable: Name?
        if isAtVariable, peek().kind == .equal {
            pathVariable = try parseVariable("")
            advance()
        }
        var shortest: ShortestPathKind?
        if isAt(.shortestPath) || isAt(.allShortestPaths), peek().kind == .leftParen {
            shortest = advance().keyword == .shortestPath ? .single : .all
            let open = advance()
            let element = try parsePatternElement()
            try expect(.rightParen, "to close the shortest path opened at \(open.location)")
            return PatternPart(pathVariable: pathVariable, shortest: shortest, element: element, location: start)
        }
        let element = try parsePatternElement()
        return PatternPart(pathVariable: pathVariable, element: element, location: start)
    }

    /// `(node) (-[rel]- (node))*`, or such a chain in parentheses.
    mutating func parsePatternElement() throws(CIQLError) -> PatternElement {
        try enter()
        defer { leave() }
        if isAt(.leftParen), peek().kind == .leftParen {
            let open = advance()
            let element = try parsePatternElement()
            try expect(.rightParen, "to close the parenthesised pattern opened at \(open.location)")
            return element
        }
        var element = PatternElement(start: try parseNodePattern())
        // Each step nests the plan one level deeper (an expansion on the one before), so a chain counts against
        // the nesting limit like nested parentheses do.
        var counted = 0
        defer { leave(count: counted) }
        while isAtRelationship {
            counted += 1
            try extendPattern()
            try countPlanStep()
            let relationship = try parseRelationshipPattern()
            let node = try parseNodePattern()
            element.steps.append(PatternStep(relationship: relationship, node: node))
        }
        return element
    }

    /// Whether a relationship pattern starts here: `-` or `<-`.
    var isAtRelationship: Bool {
        isAt(.minus) || (isAt(.less) && peek().kind == .minus)
    }

    /// `(variable:Class {key: value})`, every part optional.
    mutating func parseNodePattern() throws(CIQLError) -> NodePattern {
        guard isAt(.leftParen) else { throw expected("'(' to start a node pattern") }
        let open = advance()
        var node = NodePattern(location: open.location)
        if isAtVariable { node.variable = try parseVariable("") }
        if isAt(.colon) { node.labels = try parseLabels() }
        node.properties = try parsePatternProperties()
        guard isAt(.rightParen) else {
            throw expected("')' to close the node pattern opened at \(open.location)")
        }
        advance()
        return node
    }

    /// A map literal or a parameter after the names of a node or relationship pattern, if present.
    mutating func parsePatternProperties() throws(CIQLError) -> Expression? {
        if isAt(.leftBrace) { return try parseMapLiteral() }
        if isAt(.parameter) {
            let token = advance()
            return Expression(.parameter(token.text), at: token.location)
        }
        return nil
    }

    /// `-->`, `<--`, `--`, `<-->`, each with an optional `[variable:TYPE|OTHER *min..max {props}]` in the middle.
    mutating func parseRelationshipPattern() throws(CIQLError) -> RelationshipPattern {
        let start = current.location
        let pointsLeft = accept(.less)
        try expect(.minus, "in the relationship pattern")
        var relationship = RelationshipPattern(direction: .both, location: start)
        if isAt(.leftBracket) {
            let open = advance()
            if isAtVariable { relationship.variable = try parseVariable("") }
            if accept(.colon) {
                relationship.types.append(try parseSymbolicName("a relation type after ':'"))
                while accept(.pipe) {
                    _ = accept(.colon)
                    relationship.types.append(try parseSymbolicName("a relation type after '|'"))
                }
            }
            if isAt(.star) { relationship.length = try parseVariableLength() }
            relationship.properties = try parsePatternProperties()
            guard isAt(.rightBracket) else {
                var error = expected("']' to close the relationship pattern opened at \(open.location)")
                // A length without its '*' (`[:T..]`) or with a sign (`[:T*-2]`) is a malformed relationship pattern.
                if isAt(.dotDot) || isAt(.minus) || isAt(.integer) { error.code = .syntax(.invalidRelationshipPattern) }
                throw error
            }
            advance()
        }
        guard isAt(.minus) else { throw expected("'-' to continue the relationship pattern started at \(start)") }
        advance()
        let pointsRight = accept(.greater)
        switch (pointsLeft, pointsRight) {
        case (true, false): relationship.direction = .left
        case (false, true): relationship.direction = .right
        default: relationship.direction = .both
        }
        return relationship
    }

    /// `*`, `*2`, `*1..5`, `*..3`, `*2..`.
    mutating func parseVariableLength() throws(CIQLError) -> VariableLength {
        advance()
        var minimum: Int?
        var maximum: Int?
        if isAt(.integer) { minimum = try parseLengthBound() }
        if accept(.dotDot) {
            if isAt(.integer) { maximum = try parseLengthBound() }
        } else if minimum != nil {
            maximum = minimum
        }
        if isAt(.float) {
            throw CIQLError(
                .syntax, .syntax(.invalidRelationshipPattern), "expected whole numbers in the variable length, found '\(current.text)'",
                at: current.location)
        }
        // openCypher: a minimum above the maximum (`*2..1`) is no error; the pattern matches nothing.
        return VariableLength(minimum: minimum, maximum: maximum)
    }

    mutating func parseLengthBound() throws(CIQLError) -> Int {
        let token = advance()
        guard let value = Parser.integerValue(of: token.text), let bound = Int(exactly: value) else {
            throw CIQLError(
                .syntax, .syntax(.integerOverflow), "integer literal '\(token.text)' is too large for a 64-bit integer", at: token.location)
        }
        return bound
    }

    // MARK: - Patterns inside expressions

    /// Whether the `(` at the current token closes and is followed by `-` or `<-`, i.e. may start a pattern.
    mutating func parenthesisMayStartPattern() -> Bool {
        guard let close = closingParen(of: index), close + 1 < tokens.count else { return false }
        let after = tokens[close + 1].kind
        if after == .minus { return true }
        return after == .less && close + 2 < tokens.count && tokens[close + 2].kind == .minus
    }

    /// Tries `(a)-[…]-(b)…` at the current `(`; on failure restores the position and returns nil.
    mutating func attemptPatternPredicate() throws(CIQLError) -> PatternElement? {
        let start = index
        let key = start &* 2
        guard !failedAttempts.contains(key), parenthesisMayStartPattern() else { return nil }
        do {
            let element = try parsePatternElement()
            if !element.steps.isEmpty { return element }
        } catch {
            if isAborted { throw error }
            noteAbandoned(error)
        }
        failedAttempts.insert(key)
        index = start
        return nil
    }

    /// Keeps the error of an abandoned reading that got furthest into the text, reported if the statement then
    /// fails earlier: `(a)-[:R->(b)` is a broken pattern, not a broken subtraction.
    mutating func noteAbandoned(_ error: CIQLError) {
        if (error.location?.offset ?? 0) > (furthestAbandonedError?.location?.offset ?? -1) {
            furthestAbandonedError = error
        }
    }

    /// Tries `[ [p =] (a)-->(b) (WHERE …)? | …]`'s pattern at the current `[`; restores the position and returns nil
    /// unless a pattern with a relationship is followed by `WHERE` or `|`.
    mutating func attemptPatternComprehensionHead() throws(CIQLError) -> (Name?, PatternElement)? {
        let start = index
        let key = start &* 2 &+ 1
        guard !failedAttempts.contains(key) else { return nil }
        let startsPattern =
            peek().kind == .leftParen
            || (peek().kind == .identifier && peek(2).kind == .equal && peek(3).kind == .leftParen)
        guard startsPattern else { return nil }
        advance()
        do {
            var pathVariable: Name?
            if isAtVariable, peek().kind == .equal {
                pathVariable = try parseVariable("")
                advance()
            }
            let element = try parsePatternElement()
            if !element.steps.isEmpty, isAt(.where) || isAt(.pipe) { return (pathVariable, element) }
        } catch {
            if isAborted { throw error }
            noteAbandoned(error)
        }
        failedAttempts.insert(key)
        index = start
        return nil
    }
}
