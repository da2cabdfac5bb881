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
    ///   - interrupt: called every few hundred CIs; what it throws ends the walk with that error.
    /// - Returns: every dependency, nearest first, each with its distance and one shortest path from a root.
    /// - Complexity: O(dependencies × their degree).
    public func dependencies(
        of roots: [NodeID], depth: Int? = nil, in tx: GraphTransaction, interrupt: (() throws -> Void)? = nil
    ) throws -> TraversalResult {
        let rules = ImpactRules(schema: schema, transaction: tx)
        return try tx.withPropertyReader(tx.propertyKey("status")) { (records) in
            try tx.withStatusIndex { (index) in
                let status = StatusCheck(index: index, records: records)
                return try breadthFirst(
                    from: roots, directions: rules.hasReverseTypes ? [.outgoing, .incoming] : [.outgoing],
                    depth: depth, in: tx, interrupt: interrupt,
                    follows: { (typeID, direction) in
                        let rule = rules.rule(typeID)
                        return rule.direction != .none && ImpactRules.dependenciesDirection(rule.direction) == direction
                    },
                    admits: { (nid) in try !status.isInactive(nid) })
            }
        }
    }

    /// Plain reachability: every CI reachable from `starts` along relations in `direction`, of any type and
    /// whatever its status, with distance and one shortest path. `.incoming` gives what depends on the starts
    /// (upstream), `.outgoing` what they depend on (downstream).
    ///
    /// This is the closure the benchmark's peers compute; `analyze` and `dependencies` apply the schema.
    /// - Complexity: O(reached CIs × their degree).
    public func reachable(
        from starts: [NodeID], direction: Direction, depth: Int? = nil, in tx: GraphTransaction,
        interrupt: (() throws -> Void)? = nil
    ) throws -> TraversalResult {
        try breadthFirst(
            from: starts, directions: [direction], depth: depth, in: tx, interrupt: interrupt, follows: nil,
            admits: nil)
    }

    /// Level-synchronous breadth-first search (GraphStorage's `LevelExpansion`): each level is de-duplicated and
    /// sorted by node id before it is expanded, so successive adjacency seeks mostly stay on the cursor's page.
    /// Scratch memory is proportional to the CIs reached.
    private func breadthFirst(
        from starts: [NodeID], directions: [Direction], depth: Int?, in tx: GraphTransaction,
        interrupt: (() throws -> Void)?, follows: ((UInt16, Direction) -> Bool)?, admits: ((NodeID) throws -> Bool)?
    ) throws -> TraversalResult {
        var liveStarts: [NodeID] = []
        var seen = NodeIDSet()
        for nid in starts where seen.insert(nid) {
            if try tx.label(of: nid) != nil { liveStarts.append(nid) }
        }
        var expansion = LevelExpansion(starts: liveStarts)
        let startCount = liveStarts.count
        var levelEnds: [Int] = [startCount]
        let maxDepth = depth ?? Int.max
        var expanded = 0
        try tx.withAdjacencyCursor { (cursor) in
            while !expansion.level.isEmpty && expansion.depth < maxDepth {
                _ = try expansion.advance(admits: admits) { (node, _, reach) in
                    expanded &+= 1
                    if expanded & 255 == 0, let interrupt { try interrupt() }
                    for direction in directions {
                        try cursor.forEach(of: node, direction: direction) { (typeID, other) in
                            if let follows, !follows(typeID, direction) { return }
                            try reach(other)
                        }
                    }
                }
                levelEnds.append(expansion.nodes.count)
            }
        }
        let entries = zip(expansion.nodes, expansion.parents).map { (nid: $0, parent: $1) }

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
