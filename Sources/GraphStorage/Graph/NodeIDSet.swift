/// A set of node ids whose memory grows with what it holds, not with the database: traversals that touch a
/// hundred CIs of a million pay for a hundred (open addressing, linear probing, doubling at 50% load).
package struct NodeIDSet {
    @usableFromInline static let empty = UInt64.max
    @usableFromInline var keys: [UInt64]
    @usableFromInline var shift: UInt64
    @usableFromInline package private(set) var count = 0

    /// An empty set with room for `capacity` ids before it grows.
    package init(capacity: Int = 8) {
        var bits: UInt64 = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: 1 << Int(bits))
        shift = 64 - bits
    }

    @inlinable @inline(__always) func home(_ nid: NodeID) -> Int {
        Int(truncatingIfNeeded: (nid &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Whether `nid` is in the set.
    @inlinable package func contains(_ nid: NodeID) -> Bool {
        let mask = keys.count - 1
        var i = home(nid)
        while true {
            let k = keys[i]
            if k == nid { return true }
            if k == Self.empty { return false }
            i = (i + 1) & mask
        }
    }

    /// Adds `nid`; returns whether it was new.
    @inlinable package mutating func insert(_ nid: NodeID) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = home(nid)
        while true {
            let k = keys[i]
            if k == nid { return false }
            if k == Self.empty {
                keys[i] = nid
                count += 1
                return true
            }
            i = (i + 1) & mask
        }
    }

    @usableFromInline mutating func grow() {
        let old = keys
        keys = [UInt64](repeating: Self.empty, count: old.count * 2)
        shift -= 1
        let mask = keys.count - 1
        for k in old where k != Self.empty {
            var i = home(k)
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = k
        }
    }
}

/// Breadth-first expansion a level at a time, each level de-duplicated against everything reached before and
/// sorted by node id before it is expanded, so successive adjacency seeks run in key order and mostly stay on
/// the cursor's current page (the C floor's trick). Shared by impact closures and CIQL's pruning
/// variable-length expansion.
///
/// Memory is proportional to the nodes reached: a visited set and one entry per reached node.
package struct LevelExpansion {
    /// Every reached node in discovery order, starts first; `parent` indexes this array (-1 for a start).
    package private(set) var entries: [(node: NodeID, parent: Int32)] = []
    /// The indices in `entries` of the level expanded next (sorted by node id).
    package private(set) var level: Range<Int> = 0..<0
    /// The distance of `level` from the starts.
    package private(set) var depth = 0
    package private(set) var visited = NodeIDSet()

    /// Starts at `starts` in the order given (duplicates dropped), depth 0; the levels after it are sorted.
    package init(starts: some Sequence<NodeID>) {
        for nid in starts where visited.insert(nid) { entries.append((nid, -1)) }
        level = 0..<entries.count
    }

    /// Marks `nid` reached without making it part of a level (e.g. a start to be found again by a cycle).
    package mutating func markVisited(_ nid: NodeID) -> Bool { visited.insert(nid) }

    private mutating func sortLevel() {
        if level.count > 1 { entries[level].sort { $0.node < $1.node } }
    }

    /// Expands the current level: `neighbours(node, index, reach)` is called for each node of the level in id
    /// order (`index` is its place in `entries`) and calls `reach(other)` for each node one step away; nodes
    /// not reached before (and admitted by `admits`, asked once per node) form the next level.
    /// - Returns: whether the next level has any node.
    package mutating func advance(
        admits: ((NodeID) throws -> Bool)? = nil,
        _ neighbours: (_ node: NodeID, _ index: Int, _ reach: (NodeID) throws -> Void) throws -> Void
    ) throws -> Bool {
        let current = level
        let levelStart = entries.count
        for index in current {
            let parent = Int32(truncatingIfNeeded: index)
            try neighbours(entries[index].node, index) { other in
                guard visited.insert(other) else { return }
                if let admits, try !admits(other) { return }
                entries.append((other, parent))
            }
        }
        level = levelStart..<entries.count
        depth += 1
        sortLevel()
        return !level.isEmpty
    }
}
