import CIQLValues
import CIQLSyntax
import GraphStorage

/// Binds a node variable to every node, or every node of some classes, for each input row.
final class NodeScanOperator: PlanOperator {
    let slot: Int
    /// The concrete classes to scan (a class and its subclasses); nil scans every node.
    let labels: [String]?
    private var current: Row = []
    private var ids: [NodeID] = []
    private var index = 0

    init(_ input: PlanOperator, slot: Int, labels: [String]?, detail: String) {
        self.slot = slot
        self.labels = labels
        super.init(labels == nil ? "AllNodesScan" : "NodeByClassScan", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        ids = []
        index = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while index >= ids.count {
            guard let row = try input.next(ctx) else { return nil }
            current = row
            ids.removeAll(keepingCapacity: true)
            index = 0
            try ctx.source.forEachNodeID(labels: labels) { nid in
                ids.append(nid)
                return true
            }
        }
        try ctx.checkCancelled()
        var row = outputRow(from: &current, isLast: index + 1 == ids.count)
        row[slot] = .node(ids[index])
        index += 1
        return row
    }
}

/// Finds nodes by their id (`{id: …}` or `WHERE n.id = …`) through the id index, or by an indexed
/// attribute through its index.
final class NodeSeekOperator: PlanOperator {
    enum Key {
        case id
        case property(String)
    }

    let slot: Int
    let key: Key
    let value: CompiledExpression
    /// When set, the found node must be of one of these classes.
    let labels: Set<String>?
    private var current: Row = []
    private var found: [NodeID] = []
    private var index = 0

    init(_ input: PlanOperator, slot: Int, key: Key, value: CompiledExpression, labels: Set<String>?, detail: String) {
        self.slot = slot
        self.key = key
        self.value = value
        self.labels = labels
        if case .id = key {
            super.init("NodeByIdSeek", detail: detail, children: [input])
        } else {
            super.init("NodeIndexSeek", detail: detail, children: [input])
        }
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        found = []
        index = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while index >= found.count {
            guard var row = try input.next(ctx) else { return nil }
            current = row
            index = 0
            found.removeAll(keepingCapacity: true)
            let v = try ctx.evaluate(value, &row)
            let candidates: [Value]
            if case .list(let l) = v, case .id = key { candidates = l } else { candidates = [v] }
            for candidate in candidates {
                switch key {
                case .id:
                    guard case .string(let id) = candidate, let nid = try ctx.source.nodeID(externalID: id) else {
                        continue
                    }
                    found.append(nid)
                case .property(let name):
                    guard let p = candidate.propertyValue else { continue }
                    if let hits = try ctx.source.nodeIDs(property: name, equalTo: p) {
                        found.append(contentsOf: hits)
                    } else {
                        // A value the index does not file (a datetime finer than microseconds, a list, a local
                        // date-time): every node that has the property, for the predicate checked after the seek.
                        try ctx.source.forEachNodeID(labels: nil) { nid in
                            if try ctx.source.property(name, of: nid) != nil { found.append(nid) }
                            return true
                        }
                    }
                }
            }
            if let labels {
                found = try found.filter { nid in (try ctx.node(nid)?.label).map(labels.contains) ?? false }
            }
        }
        var row = outputRow(from: &current, isLast: index + 1 == found.count)
        row[slot] = .node(found[index])
        index += 1
        return row
    }
}

/// The relation types and directions one pattern relationship may follow.
struct ExpansionSpec {
    /// nil = any type.
    var types: Set<String>?
    /// Read left to right from the bound node: outgoing for `-->` when expanding from the left end.
    var directions: [Direction]

    /// The spec of a pattern relationship read from its left end, or from its right end when `reversed`.
    init(_ rel: RelationshipPattern, reversed: Bool = false) {
        types = rel.types.isEmpty ? nil : Set(rel.types.map(\.text))
        switch (rel.direction, reversed) {
        case (.right, false), (.left, true): directions = [.outgoing]
        case (.left, false), (.right, true): directions = [.incoming]
        case (.both, _): directions = [.outgoing, .incoming]
        }
    }

    init(types: Set<String>?, directions: [Direction]) {
        self.types = types
        self.directions = directions
    }

    func describe(from: String, rel: String, to: String) -> String {
        let t = types.map { ":" + $0.sorted().joined(separator: "|") } ?? ""
        if directions.count == 2 { return "(\(from))-[\(rel)\(t)]-(\(to))" }
        return directions[0] == .outgoing ? "(\(from))-[\(rel)\(t)]->(\(to))" : "(\(from))<-[\(rel)\(t)]-(\(to))"
    }
}

/// Follows one relationship from a bound node: binds the relation and the node at the other end, or
/// (into mode) checks that a relation leads to an already bound node.
///
/// In a read-only transaction the relation types are resolved to their stored ids once per `open`, and a
/// type's name is looked up only when the relation is bound (once per type id).
final class ExpandOperator: PlanOperator {
    let fromSlot: Int
    let relationSlot: Int?
    let toSlot: Int
    let spec: ExpansionSpec
    /// The other end is already bound: keep the rows where such a relation exists.
    let into: Bool
    private var current: Row = []
    private var pending: [(RelationshipRef, NodeID)] = []
    private var index = 0
    /// Read-only live graphs: the relations found for the current row as type id, direction and other end.
    private var pendingByID: [(typeID: UInt16, outgoing: Bool, other: NodeID)] = []
    private var live: LiveGraph?
    /// The stored ids of `spec.types` (nil = any type); resolved when `live` is set.
    private var typeIDs: [UInt16]?
    private var typeNames: [UInt16: String] = [:]

    init(
        _ input: PlanOperator, from: Int, relation: Int?, to: Int, spec: ExpansionSpec, into: Bool, detail: String
    ) {
        fromSlot = from
        relationSlot = relation
        toSlot = to
        self.spec = spec
        self.into = into
        super.init(into ? "ExpandInto" : "Expand", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        pending = []
        pendingByID = []
        index = 0
        live = nil
        typeNames = [:]
        if let graph = ctx.source as? LiveGraph, !graph.tx.isWritable {
            live = graph
            typeIDs = spec.types.map { graph.relationTypeIDs($0) }
        }
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        if let live { return try produceByID(live, ctx) }
        while index >= pending.count {
            guard let row = try input.next(ctx) else { return nil }
            try ctx.checkCancelled()
            pending.removeAll(keepingCapacity: true)
            index = 0
            current = row
            guard case .node(let nid) = row[fromSlot] else { continue }
            var target: NodeID?
            if into {
                guard case .node(let t) = row[toSlot] else { continue }
                target = t
            }
            for direction in spec.directions {
                try ctx.source.forEachRelation(of: nid, direction: direction, types: spec.types) { type, other in
                    if let target, other != target { return true }
                    // A self-loop read in both directions is one relation.
                    if direction == .incoming, spec.directions.count == 2, other == nid { return true }
                    let ref = RelationshipRef(at: nid, direction, type: type, other: other)
                    pending.append((ref, other))
                    return true
                }
            }
        }
        var row = outputRow(from: &current, isLast: index + 1 == pending.count)
        let (ref, other) = pending[index]
        index += 1
        if let relationSlot { row[relationSlot] = .relationship(ref) }
        if !into { row[toSlot] = .node(other) }
        return row
    }

    private func produceByID(_ live: LiveGraph, _ ctx: ExecutionContext) throws -> Row? {
        while index >= pendingByID.count {
            guard let row = try input.next(ctx) else { return nil }
            try ctx.checkCancelled()
            pendingByID.removeAll(keepingCapacity: true)
            index = 0
            current = row
            guard case .node(let nid) = row[fromSlot] else { continue }
            var target: NodeID?
            if into {
                guard case .node(let t) = row[toSlot] else { continue }
                target = t
            }
            if typeIDs?.isEmpty == true { continue }
            let typeIDs = self.typeIDs
            let both = spec.directions.count == 2
            for direction in spec.directions {
                let outgoing = direction == .outgoing
                try live.forEachNeighbour(of: nid, direction: direction) { typeID, other in
                    if let typeIDs, !typeIDs.contains(typeID) { return }
                    if let target, other != target { return }
                    // A self-loop read in both directions is one relation.
                    if !outgoing, both, other == nid { return }
                    pendingByID.append((typeID, outgoing, other))
                }
            }
        }
        var row = outputRow(from: &current, isLast: index + 1 == pendingByID.count)
        let (typeID, outgoing, other) = pendingByID[index]
        index += 1
        if let relationSlot, case .node(let nid) = row[fromSlot] {
            let type: String
            if let known = typeNames[typeID] {
                type = known
            } else {
                type = try live.tx.relationTypeName(typeID)
                typeNames[typeID] = type
            }
            row[relationSlot] = .relationship(RelationshipRef(at: nid, outgoing ? .outgoing : .incoming, type: type, other: other))
        }
        if !into { row[toSlot] = .node(other) }
        return row
    }
}
