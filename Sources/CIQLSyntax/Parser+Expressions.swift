/// Binding strength of expression operators, lowest first, as in openCypher.
enum Precedence: Int, Comparable {
    case or = 1, xor, and, not, comparison
    /// `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `IN`, `=~`, `IS [NOT] NULL`, `n:Label`.
    case predicate
    case additive, multiplicative, power, unary

    static func < (lhs: Precedence, rhs: Precedence) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Parser {
    /// An expression whose operators bind at least as tightly as `minimumPrecedence` (precedence climbing).
    mutating func parseExpression(minimumPrecedence: Precedence = .or) throws(CIQLError) -> Expression {
        try enter()
        defer { leave() }
        var left: Expression
        if isAt(.not), minimumPrecedence <= .not {
            let token = advance()
            let operand = try parseExpression(minimumPrecedence: .not)
            left = Expression(.unary(.not, operand), at: token.location)
        } else {
            left = try parseUnaryExpression()
        }
        // The right operand of the last comparison, so `a < b < c` becomes `a < b AND b < c`.
        var chainedOperand: Expression?
        var chainLength = 0
        defer { leave(count: chainLength) }
        while let precedence = infixPrecedence(), precedence >= minimumPrecedence {
            let location = left.location
            try extendChain()
            chainLength += 1
            switch precedence {
            case .or, .xor, .and:
                let op: BinaryOperator = precedence == .or ? .or : precedence == .xor ? .xor : .and
                advance()
                let right = try parseExpression(
                    minimumPrecedence: Precedence(rawValue: precedence.rawValue + 1) ?? .not)
                left = Expression(.binary(op, left, right), at: location)
                chainedOperand = nil
            case .comparison:
                let op = comparisonOperator(current.kind)
                advance()
                let right = try parseExpression(minimumPrecedence: .predicate)
                if let middle = chainedOperand {
                    let next = Expression(.binary(op, middle, right), at: middle.location)
                    left = Expression(.binary(.and, left, next), at: location)
                } else {
                    left = Expression(.binary(op, left, right), at: location)
                }
                chainedOperand = right
            case .predicate:
                left = try parsePredicate(after: left)
                chainedOperand = nil
            case .additive, .multiplicative, .power:
                let op = arithmeticOperator(current.kind)
                advance()
                let right = try parseExpression(
                    minimumPrecedence: Precedence(rawValue: precedence.rawValue + 1) ?? .unary)
                left = Expression(.binary(op, left, right), at: location)
                chainedOperand = nil
            case .not, .unary:
                return left
            }
        }
        return left
    }

    /// The condition after `WHERE`, where pattern predicates are allowed.
    mutating func parseWhereCondition() throws(CIQLError) -> Expression {
        let saved = allowsPatternPredicates
        allowsPatternPredicates = true
        defer { allowsPatternPredicates = saved }
        return try parseExpression()
    }

    /// The precedence of the infix or postfix operator at the current token, nil when there is none.
    func infixPrecedence() -> Precedence? {
        let token = current
        switch token.kind {
        case .equal, .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual: return .comparison
        case .regexMatch, .colon: return .predicate
        case .plus, .minus: return .additive
        case .star, .slash, .percent: return .multiplicative
        case .caret: return .power
        case .identifier:
            switch token.keyword {
            case .or: return .or
            case .xor: return .xor
            case .and: return .and
            case .in, .contains, .is: return .predicate
            case .starts, .ends: return peek().keyword == .with ? .predicate : nil
            default: return nil
            }
        default: return nil
        }
    }

    func comparisonOperator(_ kind: Token.Kind) -> BinaryOperator {
        switch kind {
        case .notEqual: .notEqual
        case .less: .less
        case .greater: .greater
        case .lessOrEqual: .lessOrEqual
        case .greaterOrEqual: .greaterOrEqual
        default: .equal
        }
    }

    func arithmeticOperator(_ kind: Token.Kind) -> BinaryOperator {
        switch kind {
        case .minus: .subtract
        case .star: .multiply
        case .slash: .divide
        case .percent: .modulo
        case .caret: .power
        default: .add
        }
    }

    /// `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `IN`, `=~` (right operand at additive level), `IS [NOT] NULL`, `:Label`.
    mutating func parsePredicate(after left: Expression) throws(CIQLError) -> Expression {
        let location = left.location
        let op: BinaryOperator
        switch current.kind {
        case .colon:
            return Expression(.hasLabels(left, labels: try parseLabels()), at: location)
        case .regexMatch:
            op = .regexMatch
        default:
            switch current.keyword {
            case .is:
                advance()
                let negated = accept(.not)
                try expect(.null, negated ? "after IS NOT" : "after IS")
                return Expression(.isNull(left, negated: negated), at: location)
            case .starts:
                advance()
                op = .startsWith
            case .ends:
                advance()
                op = .endsWith
            case .contains:
                op = .contains
            default:
                op = .in
            }
        }
        advance()
        let right = try parseExpression(minimumPrecedence: .additive)
        return Expression(.binary(op, left, right), at: location)
    }

    /// Unary `-` and `+`; a minus directly before a number literal is folded into it, so `-9223372036854775808` is
    /// in range.
    mutating func parseUnaryExpression() throws(CIQLError) -> Expression {
        guard isAt(.minus) || isAt(.plus) else { return try parsePostfixExpression() }
        try enter()
        defer { leave() }
        let token = advance()
        if token.kind == .minus, isAt(.integer) {
            let literal = advance()
            guard let magnitude = Parser.integerMagnitude(of: literal.text), magnitude <= UInt64(Int64.max) + 1 else {
                throw integerTooLarge("-" + literal.text, at: token.location)
            }
            let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            return try applyPostfix(to: Expression(.int(value), at: token.location))
        }
        if token.kind == .minus, isAt(.float) {
            let literal = advance()
            return try applyPostfix(to: Expression(.float(-(Double(literal.text) ?? 0)), at: token.location))
        }
        let operand = try parseUnaryExpression()
        return Expression(.unary(token.kind == .minus ? .minus : .plus, operand), at: token.location)
    }

    /// An atom followed by `.key`, `[index]` and `[from..to]`.
    mutating func parsePostfixExpression() throws(CIQLError) -> Expression {
        try applyPostfix(to: try parseAtom())
    }

    mutating func applyPostfix(to base: Expression) throws(CIQLError) -> Expression {
        var expression = base
        let location = base.location
        var chainLength = 0
        defer { leave(count: chainLength) }
        while true {
            if isAt(.dot) || isAt(.leftBracket) {
                try extendChain()
                chainLength += 1
            }
            if isAt(.dot) {
                advance()
                let key = try parseSymbolicName("a property key after '.'")
                expression = Expression(.property(expression, key: key.text), at: location)
            } else if isAt(.leftBracket) {
                let open = advance()
                if accept(.dotDot) {
                    let to = isAt(.rightBracket) ? nil : try parseExpression()
                    try expect(.rightBracket, "to close the slice opened at \(open.location)")
                    expression = Expression(.slice(expression, from: nil, to: to), at: location)
                    continue
                }
                let index = try parseExpression()
                if accept(.dotDot) {
                    let to = isAt(.rightBracket) ? nil : try parseExpression()
                    try expect(.rightBracket, "to close the slice opened at \(open.location)")
                    expression = Expression(.slice(expression, from: index, to: to), at: location)
                } else {
                    try expect(.rightBracket, "to close the subscript opened at \(open.location)")
                    expression = Expression(.subscript(expression, index: index), at: location)
                }
            } else {
                return expression
            }
        }
    }

    // MARK: - Number literals

    /// The value of an integer literal's spelling (`42`, `0x1F`, `0o17`) when it fits in 64 bits unsigned.
    static func integerMagnitude(of text: String) -> UInt64? {
        let utf8 = text.utf8
        if utf8.count > 2, utf8.first == UInt8(ascii: "0") {
            let marker = utf8.dropFirst().first
            if marker == UInt8(ascii: "x") { return UInt64(text.dropFirst(2), radix: 16) }
            if marker == UInt8(ascii: "o") { return UInt64(text.dropFirst(2), radix: 8) }
        }
        return UInt64(text, radix: 10)
    }

    static func integerValue(of text: String) -> Int64? {
        guard let magnitude = integerMagnitude(of: text), magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    func integerTooLarge(_ text: String, at location: SourceLocation) -> CIQLError {
        CIQLError(.syntax, .syntax(.integerOverflow), "integer literal '\(text)' is too large for a 64-bit integer", at: location)
    }
}
