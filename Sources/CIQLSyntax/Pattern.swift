/// One comma-separated part of a pattern: `p = (a)-[:R]->(b)` or `shortestPath((a)-[*]-(b))`.
public struct PatternPart: Sendable {
    /// `p = …`: the variable the matched path is bound to.
    public var pathVariable: Name?
    /// `shortestPath(…)` or `allShortestPaths(…)` around the element.
    public var shortest: ShortestPathKind?
    public var element: PatternElement
    public var location: SourceLocation

    public init(
        pathVariable: Name? = nil, shortest: ShortestPathKind? = nil, element: PatternElement,
        location: SourceLocation
    ) {
        self.pathVariable = pathVariable
        self.shortest = shortest
        self.element = element
        self.location = location
    }
}

public enum ShortestPathKind: Sendable, Equatable {
    case single, all
}

/// A node followed by zero or more (relationship, node) steps.
public struct PatternElement: Sendable {
    public var start: NodePattern
    public var steps: [PatternStep]

    public init(start: NodePattern, steps: [PatternStep] = []) {
        self.start = start
        self.steps = steps
    }
}

public struct PatternStep: Sendable {
    public var relationship: RelationshipPattern
    public var node: NodePattern

    public init(relationship: RelationshipPattern, node: NodePattern) {
        self.relationship = relationship
        self.node = node
    }
}

/// `(variable:Class {key: value})`.
public struct NodePattern: Sendable {
    public var variable: Name?
    /// Classes written after the variable. A CI has one class; several are accepted by the parser
    /// (so Cypher text parses) and refused with a clear message by the planner.
    public var labels: [Name]
    /// A map literal or a parameter.
    public var properties: Expression?
    public var location: SourceLocation

    public init(variable: Name? = nil, labels: [Name] = [], properties: Expression? = nil, location: SourceLocation) {
        self.variable = variable
        self.labels = labels
        self.properties = properties
        self.location = location
    }
}

/// Which way a relationship pattern points, read left to right.
public enum PatternDirection: Sendable, Equatable {
    /// `-[]->`
    case right
    /// `<-[]-`
    case left
    /// `-[]-` (or `<-[]->`): either way.
    case both
}

/// `-[variable:TYPE|OTHER *1..5 {key: value}]->`.
public struct RelationshipPattern: Sendable {
    public var variable: Name?
    /// Type alternatives; empty means any type.
    public var types: [Name]
    public var direction: PatternDirection
    /// `*`, `*2`, `*1..5`, `*..3`, `*2..`: nil when the relationship is a single hop.
    public var length: VariableLength?
    /// A map literal or a parameter.
    public var properties: Expression?
    public var location: SourceLocation

    public init(
        variable: Name? = nil, types: [Name] = [], direction: PatternDirection, length: VariableLength? = nil,
        properties: Expression? = nil, location: SourceLocation
    ) {
        self.variable = variable
        self.types = types
        self.direction = direction
        self.length = length
        self.properties = properties
        self.location = location
    }
}

/// The bounds of a variable-length relationship; nil bounds are open (`*` = 1 to unbounded).
public struct VariableLength: Sendable, Equatable {
    public var minimum: Int?
    public var maximum: Int?

    public init(minimum: Int?, maximum: Int?) {
        self.minimum = minimum
        self.maximum = maximum
    }
}
