public import ConfigurationSchema
public import GraphStorage

/// Impact analysis and dependency closures over one transaction's snapshot of the CMDB.
///
/// Every method takes the caller's `GraphTransaction`, so a query engine can call it inside the snapshot it
/// already reads (`CALL impact(…)`); results hold node ids, valid in that snapshot. Scratch memory is
/// proportional to the CIs an analysis touches, not to the database; an analyzer is not thread-safe.
///
/// The rules (see PRODUCT.md, "Impact analysis") are applied to a fixpoint:
/// - impact crosses a relation type as the schema declares: `forward` (the `from` CI depends on the `to` CI),
///   `reverse` (the `to` CI depends on the `from` CI, as a cluster on its members) or `none`;
/// - across a type without redundancy a dependency that is down makes the dependent down, a degraded one
///   makes it degraded; across a `group` type the dependent is down only when every dependency of that type
///   is down, else degraded; across a `quorum` type (a cluster) it is down when fewer than its `quorum`
///   attribute (default: the schema's default, else 1) of its members are left up, else degraded;
/// - a CI's level is the worst over its relation types;
/// - withdrawn and disposed CIs neither receive nor pass on impact, and do not count as members or
///   dependencies of a group or cluster;
/// - the targets are down by definition and are not reported as impacted.
///
/// Each impacted CI comes with its distance and one shortest path from a target that explains its level:
/// every CI on the path impacts the next one, and for a CI that is down every CI on its path is down.
public final class ImpactAnalyzer {
    public let schema: Schema

    /// Statuses whose CIs neither receive nor pass on impact.
    public static let inactiveStatuses: Set<String> = ["withdrawn", "disposed"]

    public init(schema: Schema) {
        self.schema = schema
    }

    /// The CIs impacted when `targets` go down.
    ///
    /// - Parameters:
    ///   - targets: the CIs going down; unknown or deleted node ids are ignored.
    ///   - depth: report only CIs at most this many steps from a target (nil: all). The levels are those of
    ///     the whole analysis: a CI near the targets whose redundancy is lost further away is still down.
    ///   - tx: the snapshot to read.
    ///   - interrupt: called every few hundred CIs; what it throws (a time limit, a cancellation) ends the
    ///     analysis with that error.
    /// - Returns: the targets and the impacted CIs, nearest first.
    /// - Throws: `StorageError` when the store cannot be read, or what `interrupt` throws.
    /// - Complexity: O(impacted CIs × their degree), plus the members of each group or cluster they touch.
    public func analyze(
        targets: [NodeID], depth: Int? = nil, in tx: GraphTransaction, interrupt: (() throws -> Void)? = nil
    ) throws -> ImpactResult {
        var marks = NodeMarks(upperBound: try tx.nodeIDUpperBound)
        var run = ImpactFixpoint(
            rules: ImpactRules(schema: schema, transaction: tx), schema: schema, tx: tx,
            statusKey: tx.propertyKey("status"), quorumKey: tx.propertyKey("quorum"), interrupt: interrupt)
        var starts: [NodeID] = []
        var inactiveTargets = Set<NodeID>()
        for nid in targets where marks.slot(nid) == NodeMarks.noSlot {
            guard try tx.label(of: nid) != nil else { continue }
            starts.append(nid)
            let slot = run.addSlot(nid, level: ImpactFixpoint.targetLevel, marks: &marks)
            if try run.isInactive(nid, marks: &marks) {
                inactiveTargets.insert(nid)
            } else {
                run.enqueue(slot)
            }
        }
        try tx.withAdjacencyCursor { (scan) in
            try tx.withAdjacencyCursor { (lookup) in
                try tx.withPropertyReader(run.statusKey) { (status) in
                    try run.propagate(scan: scan, lookup: lookup, status: status, marks: &marks)
                }
            }
        }
        let items = run.explainingPaths(startSlots: starts.indices.filter { !inactiveTargets.contains(starts[$0]) })
        let limited = depth.map { d in items.filter { $0.distance <= d } } ?? items
        return ImpactResult(targets: starts, inactiveTargets: inactiveTargets, items: limited)
    }
}

/// The state of one impact analysis: slots for the CIs it touched, the worklist, and the edges impact
/// travelled along (kept to find the explaining paths afterwards without reading the store again).
struct ImpactFixpoint {
    static let degradedLevel: UInt8 = 1
    static let downLevel: UInt8 = 2
    static let targetLevel: UInt8 = 3

    let rules: ImpactRules
    let schema: Schema
    let tx: GraphTransaction
    let statusKey: ResolvedPropertyKey
    let quorumKey: ResolvedPropertyKey
    let interrupt: (() throws -> Void)?
    private var spreads = 0

    var nodes: [NodeID] = []
    var levels: [UInt8] = []
    /// Per slot, the bits of the group/quorum types whose dependencies took it down.
    var groupDown: [UInt64] = []
    /// (slot << 16 | type id) for group/quorum types without a bit.
    var groupDownOverflow = Set<UInt64>()
    var queued: [Bool] = []
    var pending: [UInt32] = []
    var edgeFrom: [UInt32] = []
    var edgeTo: [UInt32] = []
    var edgeType: [UInt16] = []
    private var dependents: [(typeID: UInt16, nid: NodeID)] = []

    init(rules: ImpactRules, schema: Schema, tx: GraphTransaction, statusKey: ResolvedPropertyKey,
         quorumKey: ResolvedPropertyKey, interrupt: (() throws -> Void)?) {
        self.rules = rules
        self.schema = schema
        self.tx = tx
        self.statusKey = statusKey
        self.quorumKey = quorumKey
        self.interrupt = interrupt
    }

    mutating func addSlot(_ nid: NodeID, level: UInt8, marks: inout NodeMarks) -> UInt32 {
        let slot = UInt32(nodes.count)
        nodes.append(nid)
        levels.append(level)
        groupDown.append(0)
        queued.append(false)
        marks.setSlot(nid, slot)
        return slot
    }

    mutating func enqueue(_ slot: UInt32) {
        if !queued[Int(slot)] {
            queued[Int(slot)] = true
            pending.append(slot)
        }
    }

    /// Whether `nid` is withdrawn or disposed; read once per analysis and remembered in `marks`.
    mutating func isInactive(_ nid: NodeID, marks: inout NodeMarks) throws -> Bool {
        let flags = marks.flags(nid)
        if flags & NodeMarks.statusKnown != 0 { return flags & NodeMarks.inactive != 0 }
        var inactive = false
        if case .string(let status)? = try tx.property(statusKey, of: nid) {
            inactive = ImpactAnalyzer.inactiveStatuses.contains(status)
        }
        marks.addFlags(nid, NodeMarks.statusKnown | (inactive ? NodeMarks.inactive : 0))
        return inactive
    }

    /// Runs the worklist to the fixpoint, a round at a time; each round is sorted by node id so successive
    /// adjacency seeks mostly stay on the cursor's page. A round first reads the dependents of all its CIs, then
    /// the status of those not known yet in node id order (one kept cursor), then spreads CI by CI in the
    /// round's order: the reads are ordered for the store, the propagation is the same as one CI at a time.
    mutating func propagate(
        scan: AdjacencyCursor, lookup: AdjacencyCursor, status: PropertyReader, marks: inout NodeMarks
    ) throws {
        guard rules.hasPropagatingTypes else { return }
        var ends: [Int] = []
        var unknown: [NodeID] = []
        while !pending.isEmpty {
            var round = pending
            pending.removeAll(keepingCapacity: true)
            if round.count > 1 {
                let nodes = self.nodes
                round.sort { nodes[Int($0)] < nodes[Int($1)] }
            }
            dependents.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            for slot in round {
                try checkInterrupt()
                try readDependents(of: nodes[Int(slot)], scan: scan)
                ends.append(dependents.count)
            }
            unknown.removeAll(keepingCapacity: true)
            for (_, nid) in dependents where marks.flags(nid) & NodeMarks.statusKnown == 0 { unknown.append(nid) }
            unknown.sort()
            var last: NodeID?
            for nid in unknown where nid != last {
                last = nid
                try checkInterrupt()
                var inactive = false
                if case .string(let s)? = try status.value(of: nid) { inactive = ImpactAnalyzer.inactiveStatuses.contains(s) }
                marks.addFlags(nid, NodeMarks.statusKnown | (inactive ? NodeMarks.inactive : 0))
            }
            var from = 0
            for (i, slot) in round.enumerated() {
                try checkInterrupt()
                queued[Int(slot)] = false
                try spread(from: slot, dependents: from..<ends[i], lookup: lookup, marks: &marks)
                from = ends[i]
            }
        }
    }

    private mutating func checkInterrupt() throws {
        spreads &+= 1
        if spreads & 255 == 0, let interrupt { try interrupt() }
    }

    /// Appends to `dependents` the CIs that depend on `nid` across a type that carries impact.
    private mutating func readDependents(of nid: NodeID, scan: AdjacencyCursor) throws {
        let rules = self.rules
        try scan.forEach(of: nid, direction: .incoming) { (typeID, other) in
            if rules.rule(typeID).direction == .forward { dependents.append((typeID, other)) }
        }
        if rules.hasReverseTypes {
            try scan.forEach(of: nid, direction: .outgoing) { (typeID, other) in
                if rules.rule(typeID).direction == .reverse { dependents.append((typeID, other)) }
            }
        }
    }

    /// Passes the current level of `slot` on to every CI that depends on it (`dependents[range]`).
    private mutating func spread(
        from slot: UInt32, dependents range: Range<Int>, lookup: AdjacencyCursor, marks: inout NodeMarks
    ) throws {
        let level = min(levels[Int(slot)], Self.downLevel)
        for index in range {
            let (typeID, dependent) = dependents[index]
            var target = marks.slot(dependent)
            if target != NodeMarks.noSlot && levels[Int(target)] == Self.targetLevel { continue }
            if try isInactive(dependent, marks: &marks) { continue }
            if target == NodeMarks.noSlot { target = addSlot(dependent, level: 0, marks: &marks) }
            edgeFrom.append(slot)
            edgeTo.append(target)
            edgeType.append(typeID)
            let rule = rules.rule(typeID)
            var contribution = level
            if rule.redundancy != .none {
                if levels[Int(target)] == Self.downLevel && level < Self.downLevel { continue }
                contribution = try groupContribution(of: target, typeID: typeID, rule: rule, lookup: lookup,
                    marks: &marks)
                if contribution == Self.downLevel { markGroupDown(target, typeID: typeID, rule: rule) }
            }
            if contribution > levels[Int(target)] {
                levels[Int(target)] = contribution
                enqueue(target)
            }
        }
    }

    /// The level a group or cluster's dependencies of one type give it, from their current levels.
    private mutating func groupContribution(
        of slot: UInt32, typeID: UInt16, rule: ImpactRule, lookup: AdjacencyCursor, marks: inout NodeMarks
    ) throws -> UInt8 {
        let nid = nodes[Int(slot)]
        var members: [NodeID] = []
        try lookup.forEach(of: nid, direction: ImpactRules.dependenciesDirection(rule.direction)) { (t, other) in
            if t == typeID { members.append(other) }
        }
        var total = 0, down = 0, impacted = 0
        for member in members {
            if try isInactive(member, marks: &marks) { continue }
            total += 1
            let memberSlot = marks.slot(member)
            guard memberSlot != NodeMarks.noSlot else { continue }
            let level = levels[Int(memberSlot)]
            if level >= Self.downLevel { down += 1 }
            if level >= Self.degradedLevel { impacted += 1 }
        }
        if impacted == 0 { return 0 }
        switch rule.redundancy {
        case .quorum:
            return total - down < (try quorum(of: nid)) ? Self.downLevel : Self.degradedLevel
        default:
            return down == total ? Self.downLevel : Self.degradedLevel
        }
    }

    /// A cluster's `quorum` attribute, else the default the schema declares for its class, else 1.
    private func quorum(of nid: NodeID) throws -> Int {
        if case .int(let q)? = try tx.property(quorumKey, of: nid) { return Int(clamping: q) }
        if let label = try tx.label(of: nid) ?? nil, case .int(let q)? = schema.attribute("quorum", of: label)?
            .defaultValue
        {
            return Int(clamping: q)
        }
        return 1
    }

    private mutating func markGroupDown(_ slot: UInt32, typeID: UInt16, rule: ImpactRule) {
        if rule.groupBit != 0 {
            groupDown[Int(slot)] |= rule.groupBit
        } else {
            groupDownOverflow.insert(UInt64(slot) << 16 | UInt64(typeID))
        }
    }

    /// Whether the edge explains the level of the CI it leads to: anything impacted explains a degraded CI;
    /// a down CI is explained by a down dependency across a type without redundancy, or across a group or
    /// quorum type that its dependencies of that type took down.
    private func explains(edge e: Int) -> Bool {
        let to = Int(edgeTo[e])
        if levels[to] != Self.downLevel { return true }
        guard levels[Int(edgeFrom[e])] >= Self.downLevel else { return false }
        let rule = rules.rule(edgeType[e])
        if rule.redundancy == .none { return true }
        if rule.groupBit != 0 { return groupDown[to] & rule.groupBit != 0 }
        return groupDownOverflow.contains(UInt64(to) << 16 | UInt64(edgeType[e]))
    }

    /// Breadth-first search from the targets over the edges that explain levels: distances and paths.
    func explainingPaths(startSlots: [Int]) -> [ImpactedItem] {
        let slotCount = nodes.count
        // Edges grouped by the slot they leave (counting sort), keeping the order the walk recorded them.
        var firstEdge = [Int](repeating: 0, count: slotCount + 1)
        for from in edgeFrom { firstEdge[Int(from) + 1] += 1 }
        for i in 0..<slotCount { firstEdge[i + 1] += firstEdge[i] }
        var fill = firstEdge
        var ordered = [Int](repeating: 0, count: edgeFrom.count)
        for e in edgeFrom.indices {
            ordered[fill[Int(edgeFrom[e])]] = e
            fill[Int(edgeFrom[e])] += 1
        }
        var distance = [Int32](repeating: -1, count: slotCount)
        var itemIndex = [Int32](repeating: -1, count: slotCount)
        var queue: [Int] = []
        queue.reserveCapacity(slotCount)
        for s in startSlots {
            distance[s] = 0
            queue.append(s)
        }
        var items: [ImpactedItem] = []
        items.reserveCapacity(slotCount - startSlots.count)
        var head = 0
        while head < queue.count {
            let from = queue[head]
            head += 1
            for k in firstEdge[from]..<firstEdge[from + 1] {
                let e = ordered[k]
                let to = Int(edgeTo[e])
                guard distance[to] < 0, explains(edge: e) else { continue }
                distance[to] = distance[from] + 1
                itemIndex[to] = Int32(items.count)
                let predecessorIndex = itemIndex[from] >= 0 ? Int(itemIndex[from]) : nil
                items.append(ImpactedItem(
                    nid: nodes[to], level: levels[to] == Self.downLevel ? .down : .degraded,
                    distance: Int(distance[to]), predecessor: nodes[from], predecessorIndex: predecessorIndex))
                queue.append(to)
            }
        }
        assert(items.count + startSlots.count == slotCount - inactiveTargetCount(startSlots), "an impacted CI has no explaining path")
        return items
    }

    private func inactiveTargetCount(_ startSlots: [Int]) -> Int {
        levels.reduce(0) { $0 + ($1 == Self.targetLevel ? 1 : 0) } - startSlots.count
    }
}
