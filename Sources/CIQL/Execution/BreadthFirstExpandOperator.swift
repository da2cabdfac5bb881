import CIQLValues
import GraphStorage

/// `-[*min..max]->` when only the distinct nodes at the far end matter (the relations are bound to nothing
/// anyone reads and the rows are de-duplicated later): breadth first with a visited set, a level at a time,
/// each level sorted by node id before it is expanded (GraphStorage's `LevelExpansion`), so every reachable
/// node is found once instead of once per path. The planner uses it only for `min` 0 or 1.
///
/// It gives exactly the end nodes the path-enumerating `VarLengthExpandOperator` gives, each once: a node other
/// than the start is the end of a path of distinct relations of length 1…max exactly when its distance is at
/// most max (a shortest walk repeats no relation). The start itself is such an end (for `min` 1) only when a
/// cycle of distinct relations of length at most max runs through it: directed, a relation back into it from a
/// node reached; undirected, a self-loop, a second relation to a neighbour, or a relation between two nodes
/// reached through different neighbours of the start (d(x) + d(y) + 1 long).
final class BreadthFirstExpandOperator: PlanOperator {
    let fromSlot: Int
    let toSlot: Int
    let spec: ExpansionSpec
    let minimum: Int
    let maximum: Int
    let into: Bool
    let relationFilter: ((RelationshipRef, ExecutionContext) throws -> Bool)?

    private var current: Row = []
    /// The row handed out last, changed in place for the next end (no copy when the consumer let it go).
    private var output: Row = []
    private var active = false
    private var expansion = LevelExpansion(starts: [], recordsParents: false)
    /// Stands in for `expansion` while `advance` works on it as a local (so nothing is allocated for that).
    private let idle = LevelExpansion(starts: [], recordsParents: false)
    private var start: NodeID = 0
    private var target: NodeID?
    private var next = 0
    private var startFound = false
    private var startEmitted = false
    /// Undirected: for every reached node, the neighbour of the start it was reached through and its distance.
    private var branches: [NodeID: (branch: NodeID, depth: Int)] = [:]
    /// Undirected: the relation through which each neighbour of the start was first reached.
    private var treeEdges: [NodeID: Edge] = [:]
    /// Relation type ids resolved once per run (live graphs); nil = any type.
    private var typeIDs: [UInt16]?
    private var typeKeys: [String: UInt32] = [:]

    private struct Edge: Equatable {
        var from: NodeID
        var type: UInt32
        var to: NodeID
    }

    init(
        _ input: PlanOperator, from: Int, to: Int, spec: ExpansionSpec, minimum: Int, maximum: Int, into: Bool,
        relationFilter: ((RelationshipRef, ExecutionContext) throws -> Bool)?, detail: String
    ) {
        fromSlot = from
        toSlot = to
        self.spec = spec
        self.minimum = minimum
        self.maximum = maximum
        self.into = into
        self.relationFilter = relationFilter
        super.init("BreadthFirstExpand", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        active = false
        typeIDs = nil
        if let live = ctx.source as? LiveGraph, let types = spec.types { typeIDs = live.relationTypeIDs(types) }
        try super.open(argument, ctx)
    }

    private var undirected: Bool { spec.directions.count == 2 }

    /// Whether the start still needs a cycle through it to be an end.
    private var lookingForStart: Bool { minimum >= 1 && !startFound && (target == nil || target == start) }

    private func emit(_ end: NodeID) -> Row? {
        if let target {
            guard target == end else { return nil }
            active = false
            return current
        }
        output[toSlot] = .node(end)
        return output
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        while true {
            if !active {
                guard let row = try input.next(ctx) else { return nil }
                guard case .node(let nid) = row[fromSlot] else { continue }
                target = nil
                if into {
                    guard case .node(let t) = row[toSlot] else { continue }
                    target = t
                }
                current = row
                output = row
                start = nid
                expansion.restart(from: CollectionOfOne(nid))
                next = expansion.level.upperBound
                startFound = minimum == 0
                startEmitted = false
                branches = [:]
                treeEdges = [:]
                if undirected { branches[nid] = (nid, 0) }
                active = true
                continue
            }
            if startFound, !startEmitted {
                startEmitted = true
                if let row = emit(start) { return row }
                if !active { continue }
            }
            if next < expansion.level.upperBound {
                let nid = expansion.nodes[next]
                next += 1
                if let row = emit(nid) { return row }
                continue
            }
            guard expansion.depth < maximum, !expansion.level.isEmpty else {
                active = false
                continue
            }
            try advance(ctx)
            next = expansion.level.lowerBound
        }
    }

    /// One more level: every relation of every node of the current level, in node id order.
    private func advance(_ ctx: ExecutionContext) throws {
        // Expanded as a local, so the loop below reaches it without the exclusivity checks of a class property.
        var level = expansion
        expansion = idle
        defer { expansion = level }
        let depth = level.depth
        let start = self.start
        if !undirected, relationFilter == nil, let live = ctx.source as? LiveGraph {
            // Directed on the live graph: the only bookkeeping is whether a relation leads back into the start.
            let typeIDs = self.typeIDs
            let direction = spec.directions[0]
            var backToStart = false
            _ = try level.advance { (node, _, reach) in
                try ctx.checkCancelled()
                try live.forEachNeighbour(of: node, direction: direction) { (typeID, other) in
                    if let typeIDs, !typeIDs.contains(typeID) { return }
                    if other == start { backToStart = true }
                    try reach(other)
                }
            }
            if backToStart, lookingForStart { startFound = true }
            return
        }
        _ = try level.advance { (node, _, reach) in
            try ctx.checkCancelled()
            try forEachNeighbour(of: node, ctx) { (edge, other) in
                if self.lookingForStart {
                    if self.undirected {
                        self.noteUndirected(node, depth: depth, edge: edge, other: other)
                    } else if other == start {
                        self.startFound = true
                    }
                }
                try reach(other)
            }
        }
    }

    /// Undirected bookkeeping: branches of the reached nodes and cycles through the start (see the type's comment).
    private func noteUndirected(_ node: NodeID, depth: Int, edge: Edge, other: NodeID) {
        let branch = branches[node]?.branch ?? node
        if other == start {
            // A self-loop of the start, or a second relation between the start and a neighbour.
            if node == start || treeEdges[node] != edge { startFound = true }
            return
        }
        if let known = branches[other] {
            if known.branch != branch || node == start, depth + known.depth + 1 <= maximum { startFound = true }
            return
        }
        if node == start {
            branches[other] = (other, 1)
            treeEdges[other] = edge
        } else {
            branches[other] = (branch, depth + 1)
        }
    }

    /// The relations of `nid` along the pattern's directions and types; a self-loop read in both directions once.
    private func forEachNeighbour(
        of nid: NodeID, _ ctx: ExecutionContext, _ body: (Edge, NodeID) throws -> Void
    ) throws {
        let both = undirected
        if relationFilter == nil, let live = ctx.source as? LiveGraph {
            let typeIDs = self.typeIDs
            if typeIDs?.isEmpty == true { return }
            for direction in spec.directions {
                try live.forEachNeighbour(of: nid, direction: direction) { (typeID, other) in
                    if let typeIDs, !typeIDs.contains(typeID) { return }
                    if direction == .incoming, both, other == nid { return }
                    let edge = direction == .outgoing
                        ? Edge(from: nid, type: UInt32(typeID), to: other) : Edge(from: other, type: UInt32(typeID), to: nid)
                    try body(edge, other)
                }
            }
            return
        }
        for direction in spec.directions {
            try ctx.source.forEachRelation(of: nid, direction: direction, types: spec.types) { type, other in
                if direction == .incoming, both, other == nid { return true }
                if let relationFilter {
                    let ref = RelationshipRef(at: nid, direction, type: type, other: other)
                    if try !relationFilter(ref, ctx) { return true }
                }
                let key: UInt32
                if let k = typeKeys[type] {
                    key = k
                } else {
                    key = UInt32(typeKeys.count)
                    typeKeys[type] = key
                }
                try body(direction == .outgoing ? Edge(from: nid, type: key, to: other) : Edge(from: other, type: key, to: nid), other)
                return true
            }
        }
    }
}
