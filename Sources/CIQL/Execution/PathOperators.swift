import CIQLValues
import CIQLSyntax
import GraphStorage

/// `-[:T*min..max]->`: every path from the bound node whose relations are all different, depth first,
/// binding the list of relations and the node at the end.
final class VarLengthExpandOperator: PlanOperator {
    let fromSlot: Int
    let relationsSlot: Int
    let toSlot: Int
    let spec: ExpansionSpec
    let minimum: Int
    let maximum: Int
    let into: Bool
    /// A test every relation on the path must pass (the pattern's property map).
    let relationFilter: ((RelationshipRef, ExecutionContext) throws -> Bool)?

    private struct Frame {
        var node: NodeID
        var edges: [(RelationshipRef, NodeID)]
        var index = 0
    }

    private var current: Row = []
    private var stack: [Frame] = []
    private var path: [RelationshipRef] = []
    private var startPending = false
    /// The stack's edge lists, charged to the memory budget.
    private var memory = MemoryAccount()

    init(
        _ input: PlanOperator, from: Int, relations: Int, to: Int, spec: ExpansionSpec, minimum: Int, maximum: Int,
        into: Bool, relationFilter: ((RelationshipRef, ExecutionContext) throws -> Bool)?, detail: String
    ) {
        fromSlot = from
        relationsSlot = relations
        toSlot = to
        self.spec = spec
        self.minimum = minimum
        self.maximum = maximum
        self.into = into
        self.relationFilter = relationFilter
        super.init("VarLengthExpand", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        stack = []
        path = []
        memory.releaseAll(ctx)
        try super.open(argument, ctx)
    }

    private func push(_ node: NodeID, _ ctx: ExecutionContext) throws {
        let frame = Frame(node: node, edges: try edges(of: node, ctx))
        try memory.charge(Self.bytes(of: frame), for: "a variable-length path", ctx)
        stack.append(frame)
    }

    private static func bytes(of frame: Frame) -> Int { 64 + 32 * frame.edges.count }

    private func edges(of nid: NodeID, _ ctx: ExecutionContext) throws -> [(RelationshipRef, NodeID)] {
        var out: [(RelationshipRef, NodeID)] = []
        for direction in spec.directions {
            try ctx.source.forEachRelation(of: nid, direction: direction, types: spec.types) { type, other in
                if direction == .incoming, spec.directions.count == 2, other == nid { return true }
                let ref = RelationshipRef(at: nid, direction, type: type, other: other)
                if let relationFilter, try !relationFilter(ref, ctx) { return true }
                out.append((ref, other))
                return true
            }
        }
        return out
    }

    private func emit(_ end: NodeID) -> Row? {
        if into, case .node(let target) = current[toSlot], target != end { return nil }
        var row = current
        row[relationsSlot] = .list(path.map(Value.relationship))
        if !into { row[toSlot] = .node(end) }
        return row
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while true {
            if startPending {
                startPending = false
                if minimum == 0, case .node(let start) = current[fromSlot], let row = emit(start) { return row }
            }
            if stack.isEmpty {
                guard let row = try input.next(ctx) else { return nil }
                current = row
                path = []
                guard case .node(let start) = row[fromSlot] else { continue }
                if into, !(current[toSlot].isNode) { continue }
                startPending = true
                if maximum > 0 { try push(start, ctx) }
                continue
            }
            try ctx.checkCancelled()
            let top = stack.count - 1
            guard stack[top].index < stack[top].edges.count else {
                memory.release(Self.bytes(of: stack.removeLast()), ctx)
                if !path.isEmpty { path.removeLast() }
                continue
            }
            let (ref, other) = stack[top].edges[stack[top].index]
            stack[top].index += 1
            if path.contains(ref) { continue }
            path.append(ref)
            let depth = path.count
            if depth < maximum {
                try push(other, ctx)
            }
            let row = depth >= minimum ? emit(other) : nil
            if depth >= maximum { path.removeLast() }
            if let row { return row }
        }
    }
}

extension Value {
    var isNode: Bool {
        if case .node = self { return true }
        return false
    }
}

/// `shortestPath((a)-[:T*]->(b))` / `allShortestPaths(…)` between two bound nodes: breadth first from
/// `a`, keeping every parent on a shortest route so all shortest paths can be listed.
final class ShortestPathOperator: PlanOperator {
    let fromSlot: Int
    let toSlot: Int
    let relationsSlot: Int
    let pathSlot: Int?
    let spec: ExpansionSpec
    let minimum: Int
    let maximum: Int
    let all: Bool
    private var results: [Row] = []
    private var index = 0
    private var memory = MemoryAccount()

    init(
        _ input: PlanOperator, from: Int, to: Int, relations: Int, path: Int?, spec: ExpansionSpec, minimum: Int,
        maximum: Int, all: Bool, detail: String
    ) {
        fromSlot = from
        toSlot = to
        relationsSlot = relations
        pathSlot = path
        self.spec = spec
        self.minimum = minimum
        self.maximum = maximum
        self.all = all
        super.init(all ? "AllShortestPaths" : "ShortestPath", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        results = []
        index = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while index >= results.count {
            guard let row = try input.next(ctx) else { return nil }
            results = []
            index = 0
            memory.releaseAll(ctx)
            guard case .node(let a) = row[fromSlot], case .node(let b) = row[toSlot] else { continue }
            for rels in try shortestPaths(from: a, to: b, ctx) {
                var out = row
                out[relationsSlot] = .list(rels.map(Value.relationship))
                if let pathSlot {
                    var nodes = [a]
                    for r in rels { nodes.append(r.otherEnd(from: nodes[nodes.count - 1])) }
                    out[pathSlot] = .path(PathValue(nodes: nodes, relationships: rels))
                }
                results.append(out)
                if !all { break }
            }
        }
        defer { index += 1 }
        return results[index]
    }

    private func shortestPaths(from a: NodeID, to b: NodeID, _ ctx: ExecutionContext) throws -> [[RelationshipRef]] {
        if a == b, minimum == 0 { return [[]] }
        var parents: [NodeID: [(NodeID, RelationshipRef)]] = [a: []]
        var depth: [NodeID: Int] = [a: 0]
        var frontier = [a]
        var level = 0
        var reached = false
        while !frontier.isEmpty, level < maximum, !reached {
            level += 1
            var next: [NodeID] = []
            for nid in frontier {
                try ctx.checkCancelled()
                for direction in spec.directions {
                    try ctx.source.forEachRelation(of: nid, direction: direction, types: spec.types) { type, other in
                        let ref = RelationshipRef(at: nid, direction, type: type, other: other)
                        if let d = depth[other] {
                            if d == level { parents[other, default: []].append((nid, ref)) }
                            return true
                        }
                        depth[other] = level
                        parents[other] = [(nid, ref)]
                        try memory.charge(96, for: "a shortest-path search", ctx)
                        next.append(other)
                        if other == b { reached = true }
                        return true
                    }
                }
            }
            frontier = next
        }
        guard reached, let d = depth[b], d >= minimum else { return [] }
        var paths: [[RelationshipRef]] = []
        func unwind(_ node: NodeID, _ suffix: [RelationshipRef]) throws {
            if node == a {
                try ctx.checkCancelled()
                try memory.charge(32 + 24 * suffix.count, for: "all shortest paths", ctx)
                paths.append(suffix)
                return
            }
            for (parent, ref) in parents[node] ?? [] {
                try unwind(parent, [ref] + suffix)
                if !all, !paths.isEmpty { return }
            }
        }
        try unwind(b, [])
        return paths
    }
}
