import ConfigurationSchema
import GraphStorage

/// The state of one impact analysis: slots for the CIs it touched, the worklist, the redundancy state of the
/// groups and clusters it reached, and the edges impact travelled along (kept to find the explaining paths
/// afterwards without reading the store again).
///
/// The levels are the least fixpoint of the rules, which are monotone (a CI's level only grows with its
/// dependencies' levels), so the order in which CIs pass impact on does not change them: the store is read in
/// whatever order is cheapest. Each CI passes its level on once per level it reaches (degraded, then down), to
/// every active dependent; the edges of its first pass, in adjacency order, are the ones the paths are found on.
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
    /// Per slot, the level it last passed on to its dependents (0: none yet).
    private var passed: [UInt8] = []
    private var queued: [Bool] = []
    private var pending: [UInt32] = []
    /// Per slot, its edges `edgeStart..<edgeEnd` in `edgeTo`/`edgeType` (recorded on its first pass; -1 before).
    private var edgeStart: [Int32] = []
    private var edgeEnd: [Int32] = []
    private var edgeTo: [UInt32] = []
    private var edgeType: [UInt16] = []
    private var groups = GroupStates()
    private var dependents: [(typeID: UInt16, nid: NodeID)] = []
    private var reverseDependents: [(typeID: UInt16, nid: NodeID)] = []
    /// The round's members of pending group states, and those states with their CIs; the CIs whose first
    /// state was created in this round.
    private var members: [(state: Int32, nid: NodeID)] = []
    private var resolving: [(slot: UInt32, state: Int32, isQuorum: Bool)] = []
    private var created: [UInt32] = []
    private var roundScratch: [RoundEntry] = []
    private var idScratch: [NodeID] = []

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
        passed.append(0)
        queued.append(false)
        edgeStart.append(-1)
        edgeEnd.append(-1)
        marks.setSlot(nid, slot)
        return slot
    }

    mutating func enqueue(_ slot: UInt32) {
        if !queued[Int(slot)] {
            queued[Int(slot)] = true
            pending.append(slot)
        }
    }

    /// `ImpactAnalyzer.inactiveStatuses` as UTF-8, to compare with stored records in place.
    static let inactiveStatusBytes = ImpactAnalyzer.inactiveStatuses.sorted().map { Array($0.utf8) }


    /// Whether `nid` is withdrawn or disposed (a target's status: read from its record, once per analysis, and
    /// remembered in `marks`).
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

    /// Runs the worklist to the fixpoint, a round at a time, each round in node id order so successive seeks
    /// mostly stay on the cursor's page: first the relations of all the round's CIs (their dependents, and the
    /// members of their pending groups and clusters, with one seek per CI), then the statuses not known yet, then
    /// the pending groups are counted, then each CI passes its level on.
    mutating func propagate(scan: AdjacencyCursor, status: inout StatusCheck, marks: inout NodeMarks) throws {
        guard rules.hasPropagatingTypes else { return }
        var ends: [Int] = []
        var unknown: [NodeID] = []
        var round: [RoundEntry] = []
        while !pending.isEmpty {
            round.removeAll(keepingCapacity: true)
            // Per-slot state is read here, in slot order (mostly ascending), not after the sort by node id.
            let redundancy = rules.hasRedundancy
            for slot in pending {
                round.append(RoundEntry(nid: nodes[Int(slot)], slot: slot, resolves: redundancy && groups.hasPending(slot)))
            }
            pending.removeAll(keepingCapacity: true)
            RadixSort.sort(&round, scratch: &roundScratch) { $0.nid }
            dependents.removeAll(keepingCapacity: true)
            members.removeAll(keepingCapacity: true)
            resolving.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            for entry in round {
                try checkInterrupt()
                try readRelations(of: entry.nid, slot: entry.slot, resolves: entry.resolves, scan: scan)
                ends.append(dependents.count)
            }
            unknown.removeAll(keepingCapacity: true)
            for (_, nid) in dependents where marks.flags(nid) & NodeMarks.statusKnown == 0 { unknown.append(nid) }
            for (_, nid) in members where marks.flags(nid) & NodeMarks.statusKnown == 0 { unknown.append(nid) }
            try readStatuses(&unknown, status: &status, marks: &marks)
            try resolveGroups(marks: marks)
            created.removeAll(keepingCapacity: true)
            var from = 0
            for (i, entry) in round.enumerated() {
                try checkInterrupt()
                queued[Int(entry.slot)] = false
                spread(from: entry.slot, dependents: from..<ends[i], marks: &marks)
                from = ends[i]
            }
            // A CI whose group or cluster state was created in this round has it counted in a round of its own.
            for slot in created { enqueue(slot) }
        }
    }

    /// A CI of a round: its node id (the round is sorted by it), its slot, and whether it has a pending group or
    /// cluster state to resolve.
    struct RoundEntry {
        var nid: NodeID
        var slot: UInt32
        var resolves: Bool
    }

    private mutating func checkInterrupt() throws {
        spreads &+= 1
        if spreads & 255 == 0, let interrupt { try interrupt() }
    }

    /// Reads the statuses of `nids` (sorted here, duplicates allowed) through the kept cursor into `marks`.
    private mutating func readStatuses(_ nids: inout [NodeID], status: inout StatusCheck, marks: inout NodeMarks) throws {
        try status.prepare(for: nids.count)
        RadixSort.sort(&nids, scratch: &idScratch) { $0 }
        var last: NodeID?
        for nid in nids where nid != last {
            last = nid
            try checkInterrupt()
            let inactive = try status.isInactive(nid)
            marks.addFlags(nid, NodeMarks.statusKnown | (inactive ? NodeMarks.inactive : 0))
        }
    }

    /// Appends to `dependents` the CIs that depend on `nid` across a type that carries impact, in adjacency
    /// order: incoming relations of forward types, then outgoing ones of reverse types (read first, with the same
    /// seek, and kept aside meanwhile); and to `members` the members of its pending groups and clusters.
    /// `resolves`: whether the CI has a pending group or cluster state.
    private mutating func readRelations(of nid: NodeID, slot: UInt32, resolves: Bool, scan: AdjacencyCursor) throws {
        let rules = self.rules
        guard rules.hasReverseTypes || resolves else {
            try scan.forEach(of: nid, direction: .incoming) { (typeID, other) in
                if rules.rule(typeID).direction == .forward { dependents.append((typeID, other)) }
            }
            return
        }
        if resolves {
            groups.forEachPending(slot) { (state, _, isQuorum) in resolving.append((slot, state, isQuorum)) }
        }
        reverseDependents.removeAll(keepingCapacity: true)
        try scan.forEachInBothDirections(of: nid) { (direction, typeID, other) in
            let rule = rules.rule(typeID)
            if direction == .incoming {
                if rule.direction == .forward { dependents.append((typeID, other)) }
            } else if rule.direction == .reverse {
                reverseDependents.append((typeID, other))
            }
            if resolves, rule.redundancy != .none, rule.direction != .none,
                ImpactRules.dependenciesDirection(rule.direction) == direction
            {
                let state = groups.state(slot, type: typeID)
                if state != GroupStates.none && groups.isPending(state) { members.append((state, other)) }
            }
        }
        dependents.append(contentsOf: reverseDependents)
    }

    /// Whether impact reaches a node with these marks at all: it is not a target (they are down by definition)
    /// and is active (its status is known).
    private func receives(_ mark: (slot: UInt32, flags: UInt8)) -> Bool {
        if mark.slot != NodeMarks.noSlot && levels[Int(mark.slot)] == Self.targetLevel { return false }
        return mark.flags & NodeMarks.inactive == 0
    }

    /// Counts the active members of the round's pending groups and clusters (their statuses are known by now),
    /// and raises each such CI to the level its members give it before it passes its level on.
    private mutating func resolveGroups(marks: NodeMarks) throws {
        guard !resolving.isEmpty else { return }
        for (slot, state, isQuorum) in resolving {
            groups.resolve(state, quorum: isQuorum ? try quorum(of: nodes[Int(slot)]) : 0)
        }
        for (state, nid) in members where marks.flags(nid) & NodeMarks.inactive == 0 { groups.addActiveMember(state) }
        for (slot, state, _) in resolving {
            let level = groups.level(state)
            if level > levels[Int(slot)] { levels[Int(slot)] = level }
        }
    }

    /// Passes the current level of `slot` on to every CI that depends on it (`dependents[range]`).
    private mutating func spread(from slot: UInt32, dependents range: Range<Int>, marks: inout NodeMarks) {
        let level = min(levels[Int(slot)], Self.downLevel)
        let previous = passed[Int(slot)]
        passed[Int(slot)] = level
        let recording = edgeStart[Int(slot)] < 0
        if recording { edgeStart[Int(slot)] = Int32(edgeTo.count) }
        defer { if recording { edgeEnd[Int(slot)] = Int32(edgeTo.count) } }
        for index in range {
            let (typeID, dependent) = dependents[index]
            let mark = marks.lookup(dependent)
            var target = mark.slot
            // Every dependent's status was read with the round's.
            guard receives(mark) else { continue }
            if target == NodeMarks.noSlot { target = addSlot(dependent, level: 0, marks: &marks) }
            if recording {
                edgeTo.append(target)
                edgeType.append(typeID)
            }
            var contribution = level
            let rule = rules.rule(typeID)
            if rule.redundancy != .none {
                var state = groups.state(target, type: typeID)
                if state == GroupStates.none {
                    state = groups.add(target, type: typeID, isQuorum: rule.redundancy == .quorum)
                    created.append(target)
                }
                contribution = groups.pass(state, level: level, previous: previous)
            }
            if contribution > levels[Int(target)] {
                levels[Int(target)] = contribution
                enqueue(target)
            }
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

    /// Whether the edge `from → edgeTo[e]` explains the level of the CI it leads to: anything impacted explains
    /// a degraded CI; a down CI is explained by a down dependency across a type without redundancy, or across a
    /// group or quorum type whose dependencies took it down — by any impacted one of them when none is down (a
    /// cluster with fewer active members than its quorum, which a degraded member takes down).
    private func explains(from: Int, edge e: Int) -> Bool {
        let to = Int(edgeTo[e])
        if levels[to] != Self.downLevel { return true }
        if rules.rule(edgeType[e]).redundancy == .none { return levels[from] >= Self.downLevel }
        let state = groups.state(UInt32(to), type: edgeType[e])
        guard state != GroupStates.none, groups.level(state) == Self.downLevel else { return false }
        return levels[from] >= Self.downLevel || !groups.hasDownMember(state)
    }

    /// Every CI the analysis reached (targets excluded) with its level, in the order it first reached them. These
    /// are exactly the items of `explainingPaths`: a CI gets a slot only when impact reaches it, which gives it a
    /// level, and the relaxed search there finds a path to every slot.
    func impactedLevels() -> [(nid: NodeID, level: ImpactLevel)] {
        var out: [(nid: NodeID, level: ImpactLevel)] = []
        out.reserveCapacity(nodes.count)
        for slot in nodes.indices {
            switch levels[slot] {
            case Self.degradedLevel: out.append((nodes[slot], .degraded))
            case Self.downLevel: out.append((nodes[slot], .down))
            default: continue
            }
        }
        return out
    }

    /// Breadth-first search from the targets over the edges that explain levels: distances and paths.
    func explainingPaths(startSlots: [Int]) -> [ImpactedItem] {
        let slotCount = nodes.count
        var distance = [Int32](repeating: -1, count: slotCount)
        var itemIndex = [Int32](repeating: -1, count: slotCount)
        var queue: [Int] = []
        queue.reserveCapacity(slotCount)
        for s in startSlots {
            distance[s] = 0
            queue.append(s)
        }
        var items: [ImpactedItem] = []
        items.reserveCapacity(max(0, slotCount - startSlots.count))
        var head = 0
        var relaxed = false
        while true {
            while head < queue.count {
                let from = queue[head]
                head += 1
                guard edgeStart[from] >= 0 else { continue }
                for e in Int(edgeStart[from])..<Int(edgeEnd[from]) {
                    let to = Int(edgeTo[e])
                    guard distance[to] < 0, relaxed || explains(from: from, edge: e) else { continue }
                    distance[to] = distance[from] + 1
                    itemIndex[to] = Int32(items.count)
                    let predecessorIndex = itemIndex[from] >= 0 ? Int(itemIndex[from]) : nil
                    items.append(ImpactedItem(
                        nid: nodes[to], level: levels[to] == Self.downLevel ? .down : .degraded,
                        distance: Int(distance[to]), predecessor: nodes[from], predecessorIndex: predecessorIndex))
                    queue.append(to)
                }
            }
            // Clusters short of their quorum that took each other down in a loop have no path of down CIs from a
            // target: they (and what they took down) follow, each through the CI that impacted it first.
            if relaxed || items.count + startSlots.count == slotCount - inactiveTargetCount(startSlots) { break }
            relaxed = true
            head = 0
        }
        return relaxed ? Self.nearestFirst(items) : items
    }

    /// `items` ordered by distance (stable: as the walk met them within a distance), their predecessor indices
    /// renumbered. A predecessor is one step nearer than its item, so it still comes before it.
    static func nearestFirst(_ items: [ImpactedItem]) -> [ImpactedItem] {
        let order = items.indices.sorted { (items[$0].distance, $0) < (items[$1].distance, $1) }
        var newIndex = [Int](repeating: 0, count: items.count)
        for (position, old) in order.enumerated() { newIndex[old] = position }
        return order.map { old in
            var item = items[old]
            item.predecessorIndex = item.predecessorIndex.map { newIndex[$0] }
            return item
        }
    }

    private func inactiveTargetCount(_ startSlots: [Int]) -> Int {
        levels.reduce(0) { $0 + ($1 == Self.targetLevel ? 1 : 0) } - startSlots.count
    }
}

/// Whether a CI is withdrawn or disposed, for the CIs an analysis reaches: looked up in the status index, a small
/// B-tree per status, or, when the database has none (an older format opened read-only), read from the record.
/// An analysis that asks about many CIs (a datacenter's impact asks about hundreds of thousands) reads the
/// inactive CIs once instead (`prepare(for:)`): a few tens of thousands of ids, against a seek per CI.
struct StatusCheck {
    let index: StatusIndex?
    let records: PropertyReader
    /// The inactive CIs, once read whole.
    private var inactive: NodeIDSet?
    /// How many more CIs may be asked about one by one before the inactive ones are read whole (set by the
    /// first `prepare`: the inactive CIs' count, since reading one costs about what a seek does).
    private var seeksLeft: Int?

    init(index: StatusIndex?, records: PropertyReader) {
        self.index = index
        self.records = records
    }

    /// Called before asking about `count` CIs: reads the inactive CIs whole once the seeks they would save
    /// exceed what reading them costs.
    mutating func prepare(for count: Int) throws {
        guard let index, inactive == nil else { return }
        if seeksLeft == nil {
            seeksLeft = try ImpactFixpoint.inactiveStatusBytes.reduce(0) { $0 + (try index.count(status: $1)) }
        }
        let left = (seeksLeft ?? 0) - count
        seeksLeft = left
        guard left < 0 else { return }
        var set = NodeIDSet()
        for status in ImpactFixpoint.inactiveStatusBytes {
            try index.forEachNode(status: status) { _ = set.insert($0) }
        }
        inactive = set
    }

    func isInactive(_ nid: NodeID) throws -> Bool {
        if let inactive { return inactive.contains(nid) }
        guard let index else { return try records.string(of: nid, isOneOf: ImpactFixpoint.inactiveStatusBytes) }
        for status in ImpactFixpoint.inactiveStatusBytes where try index.contains(nid, status: status) { return true }
        return false
    }
}
