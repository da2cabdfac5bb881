/// A parsed CIQL statement: what `grammar/ciql.ebnf` calls `statement`.
///
/// The parser produces these; the planner turns them into operator trees. Every node keeps the
/// location of its first token so later errors can point at it.
public struct Statement: Sendable {
    /// `EXPLAIN` or `PROFILE` in front, if any.
    public var mode: ExecutionMode
    /// `USING CHANGE 'REF'`: the change reference for the writes of this statement.
    public var changeReference: String?
    /// `AS OF …`: the point in history a read query sees.
    public var asOf: AsOf?
    public var body: StatementBody
    public var location: SourceLocation

    public init(
        mode: ExecutionMode = .run, changeReference: String? = nil, asOf: AsOf? = nil, body: StatementBody,
        location: SourceLocation
    ) {
        self.mode = mode
        self.changeReference = changeReference
        self.asOf = asOf
        self.body = body
        self.location = location
    }
}

/// Whether a statement runs, is only planned, or runs with per-operator counts.
public enum ExecutionMode: Sendable, Equatable {
    case run, explain, profile
}

/// The point in history a read sees.
public enum AsOf: Sendable {
    /// `AS OF '2026-11-01T00:00:00Z'` (any expression evaluating to a datetime or ISO string).
    case time(Expression)
    /// `AS OF TX 812`.
    case transaction(Expression)
    /// `AS OF BASELINE 'q3'`.
    case baseline(Expression)
}

/// The kinds of statement.
public enum StatementBody: Sendable {
    /// A Cypher query: reading and writing clauses, possibly joined by `UNION [ALL]`.
    case query(Query)
    /// `CREATE BASELINE 'name' [DESCRIPTION 'text']`.
    case createBaseline(name: Expression, description: Expression?)
    /// `SHOW BASELINES`.
    case showBaselines
    /// `DIFF BASELINE 'a' [AND 'b']`: a against b, or against now.
    case diffBaseline(Expression, Expression?)
    /// `SHOW CLASSES`.
    case showClasses
    /// `SHOW RELATION TYPES`.
    case showRelationTypes
    /// `DESCRIBE CLASS Server`.
    case describeClass(Name)
}

/// A query: single queries joined by `UNION` / `UNION ALL`.
public struct Query: Sendable {
    public var parts: [SingleQuery]
    /// `unionAll[i]` joins `parts[i]` and `parts[i + 1]`: true for `UNION ALL`, false for `UNION`.
    public var unionAll: [Bool]

    public init(parts: [SingleQuery], unionAll: [Bool] = []) {
        self.parts = parts
        self.unionAll = unionAll
    }
}

/// A sequence of clauses, ending in `RETURN` unless it only writes.
public struct SingleQuery: Sendable {
    public var clauses: [Clause]
    public var location: SourceLocation

    public init(clauses: [Clause], location: SourceLocation) {
        self.clauses = clauses
        self.location = location
    }
}

/// One clause and where it starts.
public struct Clause: Sendable {
    public var kind: ClauseKind
    public var location: SourceLocation

    public init(_ kind: ClauseKind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

public enum ClauseKind: Sendable {
    /// `[OPTIONAL] MATCH pattern [WHERE expr]`.
    case match(optional: Bool, pattern: [PatternPart], where: Expression?)
    /// `UNWIND expr AS variable`.
    case unwind(Expression, variable: Name)
    /// `WITH projection [WHERE expr]`.
    case with(Projection, where: Expression?)
    /// `RETURN projection`.
    case `return`(Projection)
    /// `CREATE pattern`.
    case create([PatternPart])
    /// `MERGE pattern-part [ON CREATE SET …] [ON MATCH SET …]`.
    case merge(PatternPart, onCreate: [SetItem], onMatch: [SetItem])
    /// `SET item, …`.
    case set([SetItem])
    /// `REMOVE item, …`.
    case remove([RemoveItem])
    /// `[DETACH] DELETE expr, …`.
    case delete([Expression], detach: Bool)
    /// `CALL name(args) [YIELD items [WHERE expr]]`.
    case call(ProcedureCall)
}

/// The items of `WITH` or `RETURN` with their modifiers.
public struct Projection: Sendable {
    public var distinct: Bool
    /// `*`: every variable in scope (before the listed items).
    public var includesAll: Bool
    public var items: [ProjectionItem]
    public var orderBy: [SortItem]
    public var skip: Expression?
    public var limit: Expression?

    public init(
        distinct: Bool = false, includesAll: Bool = false, items: [ProjectionItem], orderBy: [SortItem] = [],
        skip: Expression? = nil, limit: Expression? = nil
    ) {
        self.distinct = distinct
        self.includesAll = includesAll
        self.items = items
        self.orderBy = orderBy
        self.skip = skip
        self.limit = limit
    }
}

public struct ProjectionItem: Sendable {
    public var expression: Expression
    /// `AS alias`.
    public var alias: Name?
    /// The expression as written (whitespace kept as typed), the column name when there is no alias.
    public var text: String

    public init(expression: Expression, alias: Name?, text: String) {
        self.expression = expression
        self.alias = alias
        self.text = text
    }

    /// The column name: the alias, else the expression as written.
    public var columnName: String { alias?.text ?? text }
}

public struct SortItem: Sendable {
    public var expression: Expression
    public var descending: Bool

    public init(expression: Expression, descending: Bool) {
        self.expression = expression
        self.descending = descending
    }
}

/// One item of `SET`.
public enum SetItem: Sendable {
    /// `n.key = expr` (the target is a property expression).
    case property(target: Expression, value: Expression)
    /// `n = {map}`: replace all properties.
    case replaceProperties(variable: Name, value: Expression)
    /// `n += {map}`: merge properties.
    case mergeProperties(variable: Name, value: Expression)
    /// `n:Class`: set the class.
    case labels(variable: Name, labels: [Name])
}

/// One item of `REMOVE`.
public enum RemoveItem: Sendable {
    /// `n.key` (a property expression).
    case property(Expression)
    /// `n:Class`.
    case labels(variable: Name, labels: [Name])
}

/// `CALL impact(['hv-1'], {depth: 6}) YIELD ci, level WHERE …`.
public struct ProcedureCall: Sendable {
    /// The dotted name, e.g. `impact` or `db.labels`.
    public var name: Name
    /// nil when called without parentheses (`CALL db.labels`).
    public var arguments: [Expression]?
    /// nil without `YIELD`; `YIELD *` is an empty list with `yieldsAll`.
    public var yield: [YieldItem]?
    public var yieldsAll: Bool
    public var where_: Expression?

    public init(
        name: Name, arguments: [Expression]?, yield: [YieldItem]?, yieldsAll: Bool = false,
        where_: Expression? = nil
    ) {
        self.name = name
        self.arguments = arguments
        self.yield = yield
        self.yieldsAll = yieldsAll
        self.where_ = where_
    }
}

public struct YieldItem: Sendable {
    /// The procedure's output column.
    public var field: Name
    /// `AS variable`.
    public var alias: Name?

    public init(field: Name, alias: Name?) {
        self.field = field
        self.alias = alias
    }

    public var variable: Name { alias ?? field }
}
