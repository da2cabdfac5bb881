import CIQLSyntax
import CIQLValues
import GraphStorage

/// One step of a pattern expanded level by level: drains its input, takes the distinct nodes in `fromSlot`,
/// follows the relation from each (in node id order, so adjacency is read in key order and once per node),
/// and passes on one row per distinct node reached, in node id order.
///
/// The planner puts it where an `Expand` would be followed by a `Frontier` on the node reached: nothing after
/// it reads any other column of these rows (not the relation, not the node it came from), and what follows
/// gives the same answer for each distinct row as for every path to it. Under those conditions the set of
/// nodes one step away from the *set* of sources is exactly the set of far ends of the expanded rows, so no
/// row per path is ever made.
final class FrontierExpandOperator: PlanOperator {
    let fromSlot: Int
    let toSlot: Int
    let spec: ExpansionSpec
    /// The first row read: the other columns of every row passed on (nothing reads them).
    private var template: Row?
    private var nodes: [NodeID] = []
    private var index = 0
    private var drained = false
    private var memory = MemoryAccount()
    /// Bytes charged for the nodes found.
    private var charged = 0

    init(_ input: PlanOperator, from: Int, to: Int, spec: ExpansionSpec, detail: String) {
        fromSlot = from
        toSlot = to
        self.spec = spec
        super.init("FrontierExpand", detail: detail, children: [input])
    }

    override func open(_ argument: Row, _ ctx: ExecutionContext) throws {
        template = nil
        nodes = []
        index = 0
        drained = false
        memory.releaseAll(ctx)
        charged = 0
        try super.open(argument, ctx)
    }

    override func produce(_ ctx: ExecutionContext) throws -> Row? {
        if !drained {
            drained = true
            try expand(ctx)
        }
        // The kept row is changed in place: no copy per row unless a later operator still holds the last one.
        guard index < nodes.count, template != nil else { return nil }
        template?[toSlot] = .node(nodes[index])
        index += 1
        return template
    }

    private func expand(_ ctx: ExecutionContext) throws {
        var sources: [NodeID] = []
        while let row = try input.next(ctx) {
            guard case .node(let nid) = row[fromSlot] else { continue }
            if template == nil { template = row }
            sources.append(nid)
            if sources.count & 1023 == 0 { try memory.charge(8 * 1024, for: "a level of the pattern", ctx) }
        }
        Self.sortUnique(&sources)
        var found: [NodeID] = []
        // Repeats are dropped whenever the list doubles, so it holds at most about twice the distinct nodes.
        var compactAt = 1 << 20
        let compact = { (found: inout [NodeID]) in
            guard found.count > compactAt else { return }
            Self.sortUnique(&found)
            compactAt = max(1 << 20, 2 * found.count)
            let held = 8 * found.count
            if held > self.charged {
                try self.memory.charge(held - self.charged, for: "a level of the pattern", ctx)
                self.charged = held
            }
        }
        if let live = ctx.source as? LiveGraph, !live.tx.isWritable {
            let typeIDs = spec.types.map { live.relationTypeIDs($0) }
            if typeIDs?.isEmpty == true { return }
            for nid in sources {
                try ctx.checkCancelled()
                for direction in spec.directions {
                    try live.forEachNeighbour(of: nid, direction: direction) { typeID, other in
                        if let typeIDs, !typeIDs.contains(typeID) { return }
                        found.append(other)
                    }
                }
                try compact(&found)
            }
        } else {
            for nid in sources {
                try ctx.checkCancelled()
                for direction in spec.directions {
                    try ctx.source.forEachRelation(of: nid, direction: direction, types: spec.types) { _, other in
                        found.append(other)
                        return true
                    }
                }
                try compact(&found)
            }
        }
        Self.sortUnique(&found)
        if 8 * found.count > charged { try memory.charge(8 * found.count - charged, for: "a level of the pattern", ctx) }
        nodes = found
    }

    /// Sorts `ids` and drops repeats: through a bitmap over the ids' range when it is dense enough (node ids are
    /// handed out in sequence), else by sorting.
    static func sortUnique(_ ids: inout [NodeID]) {
        guard ids.count > 1, let low = ids.min(), let high = ids.max() else { return }
        let words = (high - low) / 64 + 1
        if words <= UInt64(ids.count) * 2 + 1024 {
            var bits = [UInt64](repeating: 0, count: Int(words))
            for id in ids {
                let offset = id - low
                bits[Int(offset >> 6)] |= 1 << (offset & 63)
            }
            ids.removeAll(keepingCapacity: true)
            for (w, word) in bits.enumerated() {
                var rest = word
                while rest != 0 {
                    ids.append(low + (UInt64(w) << 6) + UInt64(rest.trailingZeroBitCount))
                    rest &= rest - 1
                }
            }
            return
        }
        ids.sort()
        var kept = 1
        for i in 1..<ids.count where ids[i] != ids[kept - 1] {
            ids[kept] = ids[i]
            kept += 1
        }
        ids.removeLast(ids.count - kept)
    }
}
