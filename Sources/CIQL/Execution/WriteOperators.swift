import CIQLValues
import CIQLSyntax
import GraphStorage

/// A pattern to create, with slots resolved: nodes first, then relations between them.
struct CreationSpec {
    struct NodeSpec {
        var slot: Int
        /// Bound before the CREATE: reused, not created.
        var isBound: Bool
        var label: String?
        var properties: CompiledExpression?
        var location: SourceLocation
    }

    struct RelationSpec {
        var slot: Int
        var fromNode: Int
        var toNode: Int
        var type: String
        var properties: CompiledExpression?
        var location: SourceLocation
    }

    var nodes: [NodeSpec] = []
    var relations: [RelationSpec] = []
    /// Named paths: slot and pieces.
    var paths: [(Int, [PathPiece])] = []

    func create(_ row: inout Row, _ ctx: ExecutionContext) throws {
        for node in nodes where !node.isBound {
            let props = try map(node.properties, &row, ctx, node.location)
            row[node.slot] = .node(try ctx.createNode(label: node.label, properties: props, node.location))
        }
        for rel in relations {
            guard case .node(let from) = row[rel.fromNode], case .node(let to) = row[rel.toNode] else {
                throw CIQLError(.runtime, .type(.invalidArgumentValue), "cannot create a relation from or to null", at: rel.location)
            }
            let props = try map(rel.properties, &row, ctx, rel.location)
            row[rel.slot] = .relationship(try ctx.createRelation(from: from, type: rel.type, to: to, properties: props, rel.location))
        }
        for (slot, pieces) in paths { row[slot] = try ctx.evaluate(.buildPath(pieces), &row) }
    }

    /// MERGE cannot create what it could never match again: a property written as null is an error.
    func checkMergeable(_ row: inout Row, _ ctx: ExecutionContext) throws {
        let maps = nodes.filter { !$0.isBound }.map { ($0.properties, $0.location) } + relations.map { ($0.properties, $0.location) }
        for (e, at) in maps {
            for (key, value) in try map(e, &row, ctx, at).entries where value.isNull {
                throw CIQLError(.runtime, .semantic(.mergeReadOwnWrites), "MERGE cannot match a null property: '\(key)' is null", at: at)
            }
        }
    }

    private func map(_ e: CompiledExpression?, _ row: inout Row, _ ctx: ExecutionContext, _ at: SourceLocation) throws -> ValueMap {
        guard let e else { return ValueMap() }
        switch try ctx.evaluate(e, &row) {
        case .map(let m): return m
        case .null: return ValueMap()
        case let other: throw ctx.typeError("properties must be a map", other, at)
        }
    }
}

/// One compiled item of SET or REMOVE.
enum WriteAction {
    case setProperty(target: CompiledExpression, key: String, value: CompiledExpression, SourceLocation)
    case setProperties(slot: Int, value: CompiledExpression, replace: Bool, SourceLocation)
    case setLabel(slot: Int, label: String?, SourceLocation)
    /// `REMOVE n:Class`: takes the class away only from nodes that have it.
    case removeLabel(slot: Int, label: String, SourceLocation)

    func apply(_ row: inout Row, _ ctx: ExecutionContext) throws {
        switch self {
        case .setProperty(let target, let key, let value, let at):
            let t = try ctx.evaluate(target, &row)
            try ctx.setProperty(of: t, key, try ctx.evaluate(value, &row), at)
        case .setProperties(let slot, let value, let replace, let at):
            try ctx.setProperties(of: row[slot], try ctx.evaluate(value, &row), replace: replace, at)
        case .setLabel(let slot, let label, let at):
            try ctx.setLabel(of: row[slot], label, at)
        case .removeLabel(let slot, let label, let at):
            if case .node(let nid) = row[slot], try ctx.node(nid)?.label != label { return }
            try ctx.setLabel(of: row[slot], nil, at)
        }
    }
}

/// CREATE: makes the pattern once per input row.
final class CreateOperator: PlanOperator {
    let spec: CreationSpec

    init(_ input: PlanOperator, _ spec: CreationSpec, detail: String) {
        self.spec = spec
        super.init("Create", detail: detail, children: [input])
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        guard var row = try input.next(ctx) else { return nil }
        try spec.create(&row, ctx)
        return row
    }
}

/// SET and REMOVE.
final class UpdateOperator: PlanOperator {
    let actions: [WriteAction]

    init(_ input: PlanOperator, _ name: String, _ actions: [WriteAction], detail: String) {
        self.actions = actions
        super.init(name, detail: detail, children: [input])
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        guard var row = try input.next(ctx) else { return nil }
        for action in actions { try action.apply(&row, ctx) }
        return row
    }
}

/// DELETE and DETACH DELETE.
final class DeleteOperator: PlanOperator {
    let targets: [(CompiledExpression, SourceLocation)]
    let detach: Bool

    init(_ input: PlanOperator, _ targets: [(CompiledExpression, SourceLocation)], detach: Bool, detail: String) {
        self.targets = targets
        self.detach = detach
        super.init(detach ? "DetachDelete" : "Delete", detail: detail, children: [input])
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        guard var row = try input.next(ctx) else { return nil }
        let values = try targets.map { (try ctx.evaluate($0.0, &row), $0.1) }
        // Relations first (also those in paths and lists), so a node loses them before its own turn comes.
        for (value, at) in values { try ctx.deleteRelations(in: value, at) }
        for (value, at) in values { try ctx.delete(value, detach: detach, at) }
        return row
    }
}

/// MERGE: the matches of the pattern for each input row (then ON MATCH SET), or, when there are
/// none, the pattern created (then ON CREATE SET).
final class MergeOperator: PlanOperator {
    let match: PlanOperator
    let spec: CreationSpec
    let onCreate: [WriteAction]
    let onMatch: [WriteAction]
    private var pending: [Row] = []
    private var index = 0

    init(_ input: PlanOperator, match: PlanOperator, spec: CreationSpec, onCreate: [WriteAction], onMatch: [WriteAction], detail: String) {
        self.match = match
        self.spec = spec
        self.onCreate = onCreate
        self.onMatch = onMatch
        super.init("Merge", detail: detail, children: [input, match])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        pending = []
        index = 0
        try input.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while index >= pending.count {
            guard var row = try input.next(ctx) else { return nil }
            pending = []
            index = 0
            try match.open(row, ctx)
            while let found = try match.next(ctx) { pending.append(found) }
            if pending.isEmpty {
                try spec.checkMergeable(&row, ctx)
                try spec.create(&row, ctx)
                for action in onCreate { try action.apply(&row, ctx) }
                pending = [row]
            } else {
                for i in pending.indices {
                    for action in onMatch { try action.apply(&pending[i], ctx) }
                }
            }
        }
        defer { index += 1 }
        return pending[index]
    }
}
