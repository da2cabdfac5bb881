import ConfigurationSchema
public import GraphStorage

extension ImpactAnalyzer {
    /// Everything `roots` depend on, transitively: the configuration structure beneath a service.
    ///
    /// Follows the relation types that carry impact, against the way impact travels (a CI depends on the `to`
    /// end of a `forward` type and on the `from` end of a `reverse` one); withdrawn and disposed CIs are left
    /// out and not passed through, as in `analyze`. The roots themselves are walked whatever their status.
    ///
    /// - Parameters:
    ///   - roots: the CIs to start from; unknown node ids are ignored.
    ///   - depth: stop this many steps from the roots (nil: no limit).
    ///   - tx: the snapshot to read.
    /// - Returns: every dependency, nearest first, each with its distance and one shortest path from a root.
    /// - Complexity: O(dependencies × their degree).
    public func dependencies(of roots: [NodeID], depth: Int? = nil, in tx: GraphTransaction) throws
        -> TraversalResult
    {
        let rules = ImpactRules(schema: schema, transaction: tx)
        let statusKey = tx.propertyKey("status")
        return try breadthFirst(
            from: roots, directions: rules.hasReverseTypes ? [.outgoing, .incoming] : [.outgoing], depth: depth,
            in: tx,
            follows: { (typeID, direction) in
                let rule = rules.rule(typeID)
                return rule.direction != .none && ImpactRules.dependenciesDirection(rule.direction) == direction
            },
            admits: { (nid) in
                guard case .string(let status)? = try tx.property(statusKey, of: nid) else { return true }
                return !Self.inactiveStatuses.contains(status)
            })
    }

    /// Plain reachability: every CI reachable from `starts` along relations in `direction`, of any type and
    /// whatever its status, with distance and one shortest path. `.incoming` gives what depends on the starts
    /// (upstream), `.outgoing` what they depend on (downstream).
    ///
    /// This is the closure the benchmark's peers compute; `analyze` and `dependencies` apply the schema.
    /// - Complexity: O(reached CIs × their degree).
    public func reachable(
        from starts: [NodeID], direction: Direction, depth: Int? = nil, in tx: GraphTransaction
    ) throws -> TraversalResult {
        try breadthFirst(
            from: starts, directions: [direction], depth: depth, in: tx, follows: nil, admits: nil)
    }

    /// Level-synchronous breadth-first search; each level is sorted by node id before it is expanded, so
    /// successive adjacency seeks mostly stay on the cursor's current page.
    private func breadthFirst(
        from starts: [NodeID], directions: [Direction], depth: Int?, in tx: GraphTransaction,
        follows: ((UInt16, Direction) -> Bool)?, admits: ((NodeID) throws -> Bool)?
    ) throws -> TraversalResult {
        var marks = self.marks
        self.marks = NodeMarks()
        defer { self.marks = marks }
        marks.begin(upperBound: try tx.nodeIDUpperBound)

        // Entries in discovery order: the starts first, then each level; `parent` indexes this array.
        var entries: [(nid: NodeID, parent: Int32)] = []
        for nid in starts where marks.covers(nid) && marks.slot(nid) == NodeMarks.noSlot {
            guard try tx.label(of: nid) != nil else { continue }
            _ = marks.insert(nid, slot: 0)
            entries.append((nid, -1))
        }
        let startCount = entries.count
        var levelEnds: [Int] = [startCount]
        var levelStart = 0
        let maxDepth = depth ?? Int.max
        try tx.withAdjacencyCursor { (cursor) in
            while levelStart < entries.count && levelEnds.count <= maxDepth {
                let levelEnd = entries.count
                if levelStart > 0 && levelEnd - levelStart > 1 {
                    entries[levelStart..<levelEnd].sort { $0.nid < $1.nid }
                }
                for index in levelStart..<levelEnd {
                    let parent = Int32(index)
                    for direction in directions {
                        try cursor.forEach(of: entries[index].nid, direction: direction) { (typeID, other) in
                            if let follows, !follows(typeID, direction) { return }
                            guard marks.covers(other), marks.insert(other, slot: 0) else { return }
                            if let admits, try !admits(other) { return }
                            entries.append((other, parent))
                        }
                    }
                }
                levelStart = levelEnd
                levelEnds.append(entries.count)
            }
        }

        var items: [ReachedItem] = []
        items.reserveCapacity(entries.count - startCount)
        var level = 1
        for index in startCount..<entries.count {
            while index >= levelEnds[level] { level += 1 }
            let parent = Int(entries[index].parent)
            items.append(ReachedItem(
                nid: entries[index].nid, distance: level, predecessor: entries[parent].nid,
                predecessorIndex: parent >= startCount ? parent - startCount : nil))
        }
        return TraversalResult(starts: Array(entries[0..<startCount].map(\.nid)), items: items)
    }
}
