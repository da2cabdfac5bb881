/// An expression and where it starts in the statement.
public struct Expression: Sendable {
    public indirect enum Kind: Sendable {
        case null
        case bool(Bool)
        case int(Int64)
        case float(Double)
        case string(String)
        /// `$name` (or `$0`).
        case parameter(String)
        case variable(String)
        /// `expr.key`
        case property(Expression, key: String)
        /// `[a, b]`
        case list([Expression])
        /// `{key: expr, …}` in the order written.
        case map([(key: String, value: Expression)])
        /// `n {.key, alias: expr, .*}`
        case mapProjection(variable: Name, items: [MapProjectionItem])
        /// `expr[index]`
        case `subscript`(Expression, index: Expression)
        /// `expr[from..to]`, either bound optional.
        case slice(Expression, from: Expression?, to: Expression?)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        /// `expr IS NULL` / `expr IS NOT NULL`.
        case isNull(Expression, negated: Bool)
        /// `n:Class` as a predicate.
        case hasLabels(Expression, labels: [Name])
        /// `name(args)`, `count(DISTINCT x)`; the name keeps its namespace (`toLower`, `db.x`).
        case function(name: Name, distinct: Bool, arguments: [Expression])
        /// `count(*)`.
        case countStar
        /// `CASE [subject] WHEN … THEN … [ELSE …] END`.
        case caseWhen(subject: Expression?, branches: [(when: Expression, then: Expression)], otherwise: Expression?)
        /// `[x IN list WHERE pred | expr]`.
        case listComprehension(variable: Name, list: Expression, where: Expression?, map: Expression?)
        /// `[p = (a)-->(b) WHERE pred | expr]`.
        case patternComprehension(pathVariable: Name?, pattern: PatternElement, where: Expression?, map: Expression)
        /// `all|any|none|single(x IN list WHERE pred)`.
        case quantifier(Quantifier, variable: Name, list: Expression, where: Expression?)
        /// `reduce(acc = init, x IN list | expr)`.
        case reduce(accumulator: Name, initial: Expression, variable: Name, list: Expression, map: Expression)
        /// A pattern used as a predicate: `WHERE (a)-[:R]->()`.
        case patternPredicate(PatternElement)
        /// `EXISTS { MATCH … [WHERE …] }` or `EXISTS { (a)-->(b) [WHERE …] }`.
        case exists(pattern: [PatternPart], where: Expression?)
        /// `EXISTS { MATCH … WITH … RETURN … }`: true when the query, run with the outer variables, has a row.
        case existsQuery(Query)
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// One item of a map projection.
public enum MapProjectionItem: Sendable {
    /// `.key`
    case property(Name)
    /// `key: expr`
    case literal(key: String, value: Expression)
    /// `name` (a variable in scope, kept under its own name)
    case variable(Name)
    /// `.*`
    case allProperties
}

public enum UnaryOperator: String, Sendable {
    case not = "NOT"
    case minus = "-"
    case plus = "+"
}

public enum BinaryOperator: String, Sendable {
    case or = "OR"
    case xor = "XOR"
    case and = "AND"
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
    case power = "^"
    case `in` = "IN"
    case startsWith = "STARTS WITH"
    case endsWith = "ENDS WITH"
    case contains = "CONTAINS"
    case regexMatch = "=~"
}

public enum Quantifier: String, Sendable {
    case all, any, none, single
}
